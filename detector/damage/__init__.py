"""Damage other than spinning: machine-translation round trips, interleaved translations, repeated lines.

Takes text and gives the ``damage`` object of a score (:func:`damage`), each kind with a score in
[0, 1] and spans in the form of spinning spans; it never changes the spinning score. Round-trip
damage is scored in :mod:`~detector.damage.roundtrip`, with the word and sentence model of
:mod:`~detector.damage.mt_model` (evidence in :mod:`~detector.damage.mt_features`, trained by
:mod:`~detector.damage.train_roundtrip` on the data sets of :mod:`~detector.damage.pairs`); line
damage in :mod:`~detector.damage.lines`. Open :mod:`detector.damage.gather` first.
"""

from detector.damage.gather import LABELS, damage

__all__ = ["LABELS", "damage"]
