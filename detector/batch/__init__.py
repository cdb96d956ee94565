"""Batch cleaning of corpora: score, drop, repair and group spun copies, resumable and parallel.

Takes files and folders of ``.txt``, ``.jsonl(.gz)`` and ``.parquet`` records and gives the same
records annotated (or dropped, or repaired) with ``errors.jsonl``, ``summary.json`` and
``report.html``. Reading and writing shards is :mod:`~detector.batch.shards`, grouping copies
:mod:`~detector.batch.copies`, the datatrove pipeline steps :mod:`~detector.batch.datatrove`. Open
:mod:`detector.batch.clean` first: units, workers, resume and the keep/drop decision.
"""
