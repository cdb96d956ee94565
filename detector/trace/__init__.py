"""Trace families of documents: which is the source, and how each other one was made from it.

>>> from detector.trace import trace_documents, KINDS
>>> KINDS
('duplicate', 'spun-copy', 'rewrite', 'summary', 'translation', 'same-story')

* :mod:`detector.trace.facts`: a document read once (words, sentences, names, numbers, quotations);
* :mod:`detector.trace.relate`: where a pair is measured and its kind and direction decided;
* :mod:`detector.trace.family`: candidates, pairs and the family tree (:func:`trace_documents`);
* :mod:`detector.trace.side_by_side`: a source and a derived text, piece by piece (:func:`align_pair`).
"""

from detector.trace.family import Family, TraceResult, trace_documents
from detector.trace.relate import DERIVED_KINDS, KINDS, Relation
from detector.trace.side_by_side import Piece, align_pair

__all__ = ["DERIVED_KINDS", "KINDS", "Family", "Piece", "Relation", "TraceResult", "align_pair", "trace_documents"]
