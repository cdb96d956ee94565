"""Distributional neighbours: words that occur in the same contexts ("company" ~ "firm").

>>> import numpy as np
>>> from scipy import sparse
>>> contexts = sparse.csr_matrix(np.array([[5, 3, 0, 0], [4, 3, 0, 1], [0, 0, 6, 2]], dtype=float))
>>> nearest_neighbours(contexts, k=1, min_similarity=0.1)
{0: [1], 1: [0]}

Words are rows of a word-by-context count matrix (a context is "the word right before" or "the
word right after"); counts are weighted by positive pointwise mutual information and compared by
cosine similarity. The detector adds each word's neighbours, computed on its clean news corpus,
to its candidate originals, so that a spinner whose dictionary is not WordNet (many are built
from co-occurrence, and pick "firm" for "company" or "improve" for "increase") still leaves
words whose likely original can be weighed against the context.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def ppmi(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Positive pointwise mutual information of a count matrix, rows scaled to unit length."""
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    total = counts.sum()
    row = np.asarray(counts.sum(axis=1)).ravel() + 1e-12
    col = np.asarray(counts.sum(axis=0)).ravel() + 1e-12
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (row[coo.row] * col[coo.col]))
    keep = pmi > 0
    weighted = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel()) + 1e-12
    return sparse.csr_matrix(sparse.diags(1 / norms) @ weighted)


def nearest_neighbours(counts: sparse.csr_matrix, k: int = 5, min_similarity: float = 0.15,
                       block: int = 1000) -> dict[int, list[int]]:
    """For each row, the ``k`` most similar other rows with cosine >= ``min_similarity``."""
    vectors = ppmi(counts)
    out: dict[int, list[int]] = {}
    for start in range(0, vectors.shape[0], block):
        sims = (vectors[start : start + block] @ vectors.T).toarray()
        for r in range(sims.shape[0]):
            i = start + r
            sims[r, i] = 0.0
            best = np.argsort(-sims[r], kind="stable")[:k]
            chosen = [int(j) for j in best if sims[r, j] >= min_similarity]
            if chosen:
                out[i] = chosen
    return out


def context_matrix(pairs: dict[tuple[int, int], float], words: list[int]) -> sparse.csr_matrix:
    """Word-by-context counts for ``words`` from bigram counts {(first, second): count}.

    Context ids: ``2 * w`` for "w comes right before", ``2 * w + 1`` for "w comes right after".
    """
    row_of = {w: i for i, w in enumerate(words)}
    rows, cols, vals = [], [], []
    for (a, b), count in pairs.items():
        if b in row_of:
            rows.append(row_of[b])
            cols.append(2 * a)
            vals.append(count)
        if a in row_of:
            rows.append(row_of[a])
            cols.append(2 * b + 1)
            vals.append(count)
    width = 2 * (max((max(a, b) for a, b in pairs), default=0) + 1)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(words), width))
