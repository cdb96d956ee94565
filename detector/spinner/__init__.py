"""Spinning: rewrite English text the way synonym-substitution spinners do, with ground truth.

Takes text and a :class:`SpinConfig` (rate, seed, thesaurus, case and inflection habits) and gives a
:class:`SpinResult`: the spun text, every :class:`Substitution` with offsets into both texts, and
spintax. It trains and measures the detector and drives the teaching demo. Open
:mod:`detector.spinner.spinner`.

>>> from detector.spinner import spin
>>> spin("Users can find the phone number online.", rate=1.0, seed=3, thesaurus="phrases").text
'Persons can discover the telephone variety on-line.'
"""

from detector.spinner.spinner import SpinConfig, Spinner, SpinResult, Substitution, carry_case, spin

__all__ = ["SpinConfig", "SpinResult", "Spinner", "Substitution", "carry_case", "spin"]
