"""Counting 1-, 2- and 3-grams of a large corpus with numpy, pruned and quantised so that they ship.

>>> from detector.lexicon.tables import Vocabulary
>>> vocab = Vocabulary(["<num>", "<unk>", "the", "phone", "number", "is"])
>>> counts = NgramCounts.count(vocab, ["The phone number is 555.", "the phone number"] * 3)
>>> int(counts.unigram_count(vocab.id("phone"))), counts.bigram_count(vocab.id("phone"), vocab.id("number"))
(6, 6)
>>> counts.pruned(min_count=7).bigram_count(vocab.id("phone"), vocab.id("number"))
0

Keys are vocabulary ids packed into one int64: ``a * V + b`` for bigrams and ``(a * V + b) * V + c``
for trigrams (``V`` = vocabulary size, about 350k, so trigram keys fit in 63 bits). Counting works in
chunks of texts: each chunk's keys are counted with ``np.unique`` and the chunks' counts are merged,
so tens of millions of words are counted in minutes with bounded memory. Tokens that are not words
or numbers (punctuation, symbols) break n-grams, as sentence ends do.

The detector keeps the counts of n-grams seen at least twice (:meth:`NgramCounts.pruned`), as
log counts quantised to one byte, with sorted, delta-encoded keys (:meth:`detector.lexicon.tables.Tables.save`):
the counts of 40 million words of Wikipedia ship in about 10 MB.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

CHUNK_TOKENS = 4_000_000


def _merge(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    k = np.concatenate(keys)
    c = np.concatenate(counts)
    uniq, inverse = np.unique(k, return_inverse=True)
    return uniq, np.bincount(inverse, weights=c, minlength=len(uniq)).astype(np.int64)


@dataclass
class NgramCounts:
    """Sorted unique keys and their counts, for unigrams (keys = ids), bigrams and trigrams."""

    vocab_size: int
    unigrams: np.ndarray  # count per word id (dense)
    bigram_keys: np.ndarray
    bigram_counts: np.ndarray
    trigram_keys: np.ndarray
    trigram_counts: np.ndarray
    tokens: int = 0

    @classmethod
    def count(cls, vocab, texts: Iterable[str], chunk_tokens: int = CHUNK_TOKENS) -> NgramCounts:
        """Count the n-grams of ``texts`` (each text a sequence; boundaries between texts)."""
        from detector.lexicon.tables import normalize_tokens

        V = len(vocab)
        uni = np.zeros(V, dtype=np.int64)
        parts: dict[str, tuple[list, list]] = {"bi": ([], []), "tri": ([], [])}
        buffer: list[list[int]] = []
        size = total = 0

        def flush() -> None:
            nonlocal buffer, size
            if not buffer:
                return
            seq = np.fromiter((i for ids in buffer for i in (*ids, -1)), dtype=np.int64)
            buffer, size = [], 0
            valid = seq >= 0
            np.add(uni, np.bincount(seq[valid], minlength=V), out=uni)
            a, b = seq[:-1], seq[1:]
            ok = (a >= 0) & (b >= 0)
            k, c = np.unique(a[ok] * V + b[ok], return_counts=True)
            parts["bi"][0].append(k)
            parts["bi"][1].append(c)
            a, b, c3 = seq[:-2], seq[1:-1], seq[2:]
            ok = (a >= 0) & (b >= 0) & (c3 >= 0)
            k, c = np.unique((a[ok] * V + b[ok]) * V + c3[ok], return_counts=True)
            parts["tri"][0].append(k)
            parts["tri"][1].append(c)
            for name in parts:  # merge as we go when chunks pile up, to bound memory
                if len(parts[name][0]) >= 8:
                    mk, mc = _merge(*parts[name])
                    parts[name] = ([mk], [mc])

        for text in texts:
            ids = vocab.ids(normalize_tokens(text))
            buffer.append(ids)
            size += len(ids)
            total += len(ids)
            if size >= chunk_tokens:
                flush()
        flush()
        bk, bc = _merge(*parts["bi"])
        tk, tc = _merge(*parts["tri"])
        return cls(V, uni, bk, bc, tk, tc, total)

    def pruned(self, min_count: int = 2, min_trigram_count: int | None = None) -> NgramCounts:
        """Only bigrams (and trigrams) seen at least ``min_count`` (``min_trigram_count``) times."""
        tri_min = min_count if min_trigram_count is None else min_trigram_count
        b = self.bigram_counts >= min_count
        t = self.trigram_counts >= tri_min
        return NgramCounts(self.vocab_size, self.unigrams, self.bigram_keys[b], self.bigram_counts[b],
                           self.trigram_keys[t], self.trigram_counts[t], self.tokens)

    def unigram_count(self, word: int) -> int:
        return int(self.unigrams[word])

    def bigram_count(self, a: int, b: int) -> int:
        return _lookup(self.bigram_keys, self.bigram_counts, a * self.vocab_size + b)

    def trigram_count(self, a: int, b: int, c: int) -> int:
        return _lookup(self.trigram_keys, self.trigram_counts, (a * self.vocab_size + b) * self.vocab_size + c)

    def bigram_pairs(self) -> dict[tuple[int, int], float]:
        """``{(a, b): count}`` (for distributional neighbours)."""
        a, b = np.divmod(self.bigram_keys, self.vocab_size)
        return dict(zip(zip(a.tolist(), b.tolist()), self.bigram_counts.astype(float).tolist()))


def _lookup(keys: np.ndarray, counts: np.ndarray, key: int) -> int:
    i = int(np.searchsorted(keys, key))
    return int(counts[i]) if i < len(keys) and keys[i] == key else 0
