"""ROC AUC beside what length alone gives: the honest measure of a damage score.

>>> neg, pos = [0.1, 0.2, 0.3, 0.4], [0.3, 0.4, 0.5, 0.6]
>>> round(auc(neg, pos), 3), round(length_auc([5, 6, 7, 8], [7, 8, 9, 10]), 3)
(0.875, 0.875)
>>> lengths = list(range(10))  # a score that only tracks length sees nothing within a bin
>>> round(auc(lengths, [x + 3 for x in lengths]), 2), binned_auc(lengths, lengths, lengths, lengths, bins=2)
(0.76, 0.5)

Longer machine translations carry more marked errors and more word salad, so a score that only
grows with length looks useful. Beside each AUC the benchmarks report:

* ``length_auc``: the AUC of the length alone (words), taken in whichever direction is better, the
  baseline a score must beat;
* ``binned_auc``: the AUC within bins of equal length (quantiles of both classes together), the
  mean over bins weighted by the pairs each compares, so that only what a score sees beyond
  length counts.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

BINS = 5
MIN_PER_CLASS = 5  # a bin needs this many of each class to count


def auc(negative, positive) -> float | None:
    """ROC AUC of ``positive`` scores over ``negative`` ones (``None`` when either is too small)."""
    negative, positive = np.asarray(negative, dtype=float), np.asarray(positive, dtype=float)
    if len(negative) < 2 or len(positive) < 2:
        return None
    labels = np.r_[np.zeros(len(negative)), np.ones(len(positive))]
    return float(roc_auc_score(labels, np.r_[negative, positive]))


def length_auc(negative_lengths, positive_lengths) -> float | None:
    """The better of length and its opposite as a score (the length-only baseline)."""
    found = auc(negative_lengths, positive_lengths)
    return None if found is None else max(found, 1.0 - found)


def binned_auc(negative, positive, negative_lengths, positive_lengths, bins: int = BINS) -> float | None:
    """AUC within ``bins`` length bins (quantiles of the lengths of both classes), weighted by the
    number of pairs in each bin; ``None`` when no bin has enough of both classes."""
    negative, positive = np.asarray(negative, dtype=float), np.asarray(positive, dtype=float)
    nl, pl = np.asarray(negative_lengths, dtype=float), np.asarray(positive_lengths, dtype=float)
    if len(negative) < 2 or len(positive) < 2:
        return None
    edges = np.unique(np.quantile(np.r_[nl, pl], np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return auc(negative, positive)
    nb = np.clip(np.searchsorted(edges, nl, side="right") - 1, 0, len(edges) - 2)
    pb = np.clip(np.searchsorted(edges, pl, side="right") - 1, 0, len(edges) - 2)
    total, weight = 0.0, 0.0
    for b in range(len(edges) - 1):
        n, p = negative[nb == b], positive[pb == b]
        if len(n) < MIN_PER_CLASS or len(p) < MIN_PER_CLASS:
            continue
        pairs = len(n) * len(p)
        total += auc(n, p) * pairs
        weight += pairs
    return total / weight if weight else None


def beats_length(value: float | None, baseline: float | None, binned: float | None, margin: float = 0.02) -> bool:
    """Whether a score sees more than length: its AUC beats the length baseline by ``margin`` and
    it still separates the classes within length bins (binned AUC over 0.5 + ``margin``)."""
    if value is None or baseline is None:
        return False
    return value >= baseline + margin and (binned is None or binned >= 0.5 + margin)


def fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"
