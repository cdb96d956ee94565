"""User-facing errors: each one prints as a single line and maps to an exit status.

>>> try:
...     raise InputError("input is empty")
... except DetectorError as err:
...     print(err.exit_code, err)
1 input is empty

Code that meets bad input or a missing resource raises one of these; the command line
prints ``detector: error: <message>`` and exits with ``exit_code`` instead of a traceback.
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base class for errors a user can act on; the message is one line."""

    exit_code = 1


class InputError(DetectorError):
    """The input cannot be processed: empty, binary, not UTF-8, too large, not English..."""


class ResourceError(DetectorError):
    """A lexical resource (WordNet, frequencies, bigrams, a thesaurus) is missing or damaged."""

    exit_code = 3


class ModelError(DetectorError):
    """A model file is missing, damaged, or of a version this code cannot read."""

    exit_code = 3
