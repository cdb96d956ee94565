"""``from detector.datatrove import SpinFilter, SpinRepairFormatter``: see :mod:`detector.batch.datatrove`."""

from detector.batch.datatrove import SpinFilter, SpinRepairFormatter  # noqa: F401
