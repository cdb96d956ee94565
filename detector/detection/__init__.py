"""Detection: the probability that each word, and each document, was put there by a spinner.

Takes text and gives a :class:`~detector.detection.scoring.ScoreResult` (document score, verdict,
spans with reasons and suggested originals). Token features (:mod:`~detector.detection.features`)
feed a LightGBM token model (:mod:`~detector.detection.trees`) and a logistic document model
(:mod:`~detector.detection.linear`), loaded from a model folder (:mod:`~detector.detection.model`)
and trained by :mod:`~detector.detection.train`; :mod:`~detector.detection.suggestions` ranks a span's
candidate originals and decides whether it is sure enough to show. In batches, a cheap screen
(:mod:`~detector.detection.screen`) first settles clearly clean documents. Open
:mod:`detector.detection.scoring` first: it is where documents and spans are scored.
"""

from detector.detection.model import Model, load_model
from detector.detection.scoring import Scorer, ScoreResult, Span

__all__ = ["Model", "ScoreResult", "Scorer", "Span", "load_model"]
