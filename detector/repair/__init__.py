"""Repair: give spun text its original wording back, and say what changed.

Takes spun text and, optionally, its clean original, a corpus to find it in, or a dictionary of a
spinner's swaps; gives a :class:`RepairResult` whose :class:`Change` objects replay on the input
(:func:`apply_changes`). The alignment with an original is in :mod:`~detector.repair.align`, the
substitution-proof fingerprints that find it in a corpus in :mod:`~detector.repair.fingerprint`.
Open :mod:`detector.repair.repair` first: it is where a repair is chosen.
"""

from detector.repair.repair import Change, Dictionary, RepairResult, apply_changes, repair

__all__ = ["Change", "Dictionary", "RepairResult", "apply_changes", "repair"]
