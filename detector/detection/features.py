"""Token features that catch what spinners break, computed in bulk with numpy.

>>> from detector.detection.model import load_model
>>> doc = encode("Users of the social media app welcomed the refugees.", load_model().tables)
>>> features = token_features(doc, load_model().tables)
>>> features.shape == (len(doc.word_positions), len(FEATURE_NAMES))
True

For each word a spinner could have put there, the question is: *does a word it could have
replaced fit this context much better than the word itself?* "telephone quantity": "quantity"
could stand for "number", and "telephone number" is a common bigram while "telephone quantity" is
not. Features, per word token:

* the word's own frequency, whether it is a function word, unknown, capitalised mid-sentence;
* how many candidate originals it has, how much more frequent the best one is, and how many
  words of the thesauri lead to it (spinners' favourite outputs are reached from many words);
* how frequent its neighbours are (an unseen bigram of two common words says more than one of
  two rare words);
* for each bigram source (``web``, ``news``): log counts of the word with its left and right
  neighbours, and the gain of the best candidate original on the left, the right and both sides;
* article slips ("a overseas") that substitution leaves behind;
* how common the word and its three trigrams (centred, ending and starting at it) are in the
  clean news corpus, and how much more common they would be with its best candidate;
* the strongest context gain of its neighbours (spinners replace phrases, not just words).

Nothing here names a particular spinner's dictionary: the candidate originals come from WordNet
and the phrase table in both directions, and all evidence is about fit to context.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.lexicon.tables import BOUNDARY, NUM, SOURCES, UNK, Tables, tokens_and_norms
from detector.text.tokenize import token_spans

BASE_FEATURES = ["zipf", "unknown", "stop", "capital_mid", "prev_boundary", "next_boundary", "n_candidates",
                 "candidate_zipf_gain", "article_slip", "prev_zipf", "next_zipf", "in_degree"]
SOURCE_FEATURES = ["left", "right", "gain", "gain_left", "gain_right", "unseen_left", "unseen_right"]
NEWS_FEATURES = ["news_unigram", "news_unigram_gain", "trigram", "trigram_gain", "unseen_trigram",
                 "trigram_left", "trigram_left_gain", "trigram_right", "trigram_right_gain"]
PHRASE_FEATURES = ["in_phrase", "phrase_gain"]
FEATURE_NAMES = (BASE_FEATURES + [f"{s}_{f}" for s in SOURCES for f in SOURCE_FEATURES] + NEWS_FEATURES
                 + PHRASE_FEATURES + ["neighbour_gain", "best_gain"])


@dataclass
class Encoded:
    """A text as token ids: ``ids`` for every token, ``word_positions`` for the scored words."""

    text: str
    tokens: list[str]  # normalised token strings
    ids: np.ndarray
    capital: np.ndarray
    word_positions: np.ndarray
    other_letters: int = 0  # letters of words in other scripts (Chinese, Cyrillic...), not scored
    _spans: list[tuple[int, int]] | None = None

    def spans(self) -> list[tuple[int, int]]:
        """Character spans of all tokens (computed on first use: only texts with flagged words need them)."""
        if self._spans is None:
            self._spans = token_spans(self.text)
        return self._spans


def encode(text: str, tables: Tables) -> Encoded:
    original, tokens = tokens_and_norms(text)
    ids = np.array(tables.vocab.ids(tokens), dtype=np.int64)
    capital = np.fromiter((t[0].isupper() for t in original), dtype=bool, count=len(original))
    other_letters = 0
    for i in np.nonzero(ids == UNK)[0].tolist():  # words in other scripts become boundaries
        token = tokens[i]
        if not all(ord(c) < 0x250 for c in token):
            ids[i] = BOUNDARY
            other_letters += 2 * len(token) if token[:1] >= "\u3040" else len(token)
    words = np.nonzero(ids >= UNK)[0]
    return Encoded(text, tokens, ids, capital, words, other_letters)


def concat(docs: list[Encoded]) -> tuple[Encoded, np.ndarray, np.ndarray]:
    """Join encoded texts into one (a boundary between each) so features are computed in one pass.

    Returns the joined text, the token offset of each text in it, and the row offset of each
    text's word positions (so rows ``word_offsets[i]:word_offsets[i + 1]`` belong to text ``i``).
    """
    if len(docs) == 1:
        return docs[0], np.array([0]), np.array([0, len(docs[0].word_positions)])
    sep = np.array([BOUNDARY], dtype=np.int64)
    ids, caps, positions = [], [], []
    token_offsets, word_offsets = [], [0]
    offset = 0
    for doc in docs:
        token_offsets.append(offset)
        ids += [doc.ids, sep]
        caps += [doc.capital, np.zeros(1, dtype=bool)]
        positions.append(doc.word_positions + offset)
        offset += len(doc.ids) + 1
        word_offsets.append(word_offsets[-1] + len(doc.word_positions))
    joined = Encoded("", [], np.concatenate(ids), np.concatenate(caps), np.concatenate(positions))
    return joined, np.array(token_offsets), np.array(word_offsets)


def segment_max(values: np.ndarray, counts: np.ndarray, empty: float,
                argmax: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Max and argmax (offset within segment, -1 when empty or ``argmax`` is False) of consecutive
    segments of ``values`` of given lengths.

    >>> [x.tolist() for x in segment_max(np.array([1.0, 3.0, 3.0, 2.0]), np.array([3, 0, 1]), -1.0)]
    [[3.0, -1.0, 2.0], [1, -1, 0]]
    """
    out = np.full(len(counts), empty, dtype=np.float32)
    arg = np.full(len(counts), -1, dtype=np.int64)
    nonempty = counts > 0
    if values.size:
        starts = (np.cumsum(counts) - counts)[nonempty]
        best = np.zeros(len(counts), dtype=values.dtype)
        best[nonempty] = np.maximum.reduceat(values, starts)
        out[nonempty] = best[nonempty]
        if argmax:  # the first position in each segment that holds its maximum (every segment has one)
            hits = np.flatnonzero(values == np.repeat(best, counts))
            arg[nonempty] = hits[np.searchsorted(hits, starts)] - starts
    return out, arg


@dataclass
class Context:
    """Per word position: ids of the word and its neighbours, and its candidate originals."""

    word: np.ndarray
    prev: np.ndarray
    next: np.ndarray
    counts: np.ndarray  # candidates per position
    owner: np.ndarray  # position index of each candidate
    cand: np.ndarray  # candidate ids, concatenated


def context(doc: Encoded, tables: Tables) -> Context:
    ids, pos = doc.ids, doc.word_positions
    n = len(ids)
    prev = np.where(pos > 0, ids[np.maximum(pos - 1, 0)], BOUNDARY)
    nxt = np.where(pos < n - 1, ids[np.minimum(pos + 1, n - 1)], BOUNDARY)
    word = ids[pos]
    starts = tables.cand_ptr[word].astype(np.int64)
    counts = tables.cand_ptr[word + 1].astype(np.int64) - starts
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(pos)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    cand = tables.cand_ids[np.repeat(starts, counts) + offsets].astype(np.int64)
    return Context(word, prev, nxt, counts, owner, cand)


def token_features(doc: Encoded, tables: Tables, ctx: Context | None = None) -> np.ndarray:
    """The feature matrix, one row per word position, columns as in ``FEATURE_NAMES``."""
    ctx = ctx or context(doc, tables)
    m = len(ctx.word)
    cols: list[np.ndarray] = []
    zipf = tables.zipf[ctx.word]
    cand_best_zipf, _ = segment_max(tables.zipf[ctx.cand], ctx.counts, 0.0, argmax=False)
    prev_b = ctx.prev == BOUNDARY
    next_b = ctx.next == BOUNDARY
    capital = doc.capital[doc.word_positions] & ~prev_b
    vowel = tables.starts_with_vowel
    a_id, an_id = tables.vocab.index.get("a", -5), tables.vocab.index.get("an", -5)
    slip = ((ctx.prev == a_id) & vowel[ctx.word]) | ((ctx.prev == an_id) & ~vowel[ctx.word] & (ctx.word > NUM))
    cols += [zipf, ctx.word == UNK, tables.stop[ctx.word], capital, prev_b, next_b, np.log1p(ctx.counts),
             np.where(ctx.counts > 0, cand_best_zipf - zipf, 0.0), slip,
             np.where(prev_b, 0, tables.zipf[np.maximum(ctx.prev, 0)]),
             np.where(next_b, 0, tables.zipf[np.maximum(ctx.next, 0)]), tables.in_degree[ctx.word]]
    gains = []
    for source in SOURCES:
        left = tables.bigram(source, ctx.prev, ctx.word)
        right = tables.bigram(source, ctx.word, ctx.next)
        cl = tables.bigram(source, ctx.prev[ctx.owner], ctx.cand)
        cr = tables.bigram(source, ctx.cand, ctx.next[ctx.owner])
        best, _ = segment_max(cl + cr, ctx.counts, 0.0, argmax=False)
        best_l, _ = segment_max(cl, ctx.counts, 0.0, argmax=False)
        best_r, _ = segment_max(cr, ctx.counts, 0.0, argmax=False)
        gain = np.maximum(best - left - right, 0.0) * (ctx.counts > 0)
        gains.append(gain)
        cols += [left, right, gain, np.maximum(best_l - left, 0) * ~prev_b, np.maximum(best_r - right, 0) * ~next_b,
                 (left == 0) & ~prev_b, (right == 0) & ~next_b]
    news_uni = tables.news_unigrams[ctx.word]
    cand_uni, _ = segment_max(tables.news_unigrams[ctx.cand], ctx.counts, 0.0, argmax=False)
    tri = tables.trigram(ctx.prev, ctx.word, ctx.next)
    cand_tri, _ = segment_max(tables.trigram(ctx.prev[ctx.owner], ctx.cand, ctx.next[ctx.owner]), ctx.counts, 0.0,
                              argmax=False)
    cols += [news_uni, np.maximum(cand_uni - news_uni, 0) * (ctx.counts > 0), tri,
             np.maximum(cand_tri - tri, 0) * (ctx.counts > 0), (tri == 0) & ~prev_b & ~next_b]
    # the trigrams that end and start at the word: (prev2, prev, word) and (word, next, next2)
    prev2, next2 = _second_neighbours(doc)
    for a, b, side in ((prev2, ctx.prev, "left"), (ctx.next, next2, "right")):
        own = tables.trigram(a, b, ctx.word) if side == "left" else tables.trigram(ctx.word, a, b)
        cand = (tables.trigram(a[ctx.owner], b[ctx.owner], ctx.cand) if side == "left"
                else tables.trigram(ctx.cand, a[ctx.owner], b[ctx.owner]))
        best, _ = segment_max(cand, ctx.counts, 0.0, argmax=False)
        cols += [own, np.maximum(best - own, 0) * (ctx.counts > 0)]
    in_phrase, phrase_gain = _phrase_features(doc, tables, ctx)
    cols += [in_phrase, phrase_gain]
    best_gain = np.maximum(np.maximum(gains[0], gains[1]), phrase_gain)
    neighbour = np.zeros(m, dtype=np.float32)
    if m > 1:  # the gain of the words right before and after (not across a boundary)
        adjacent = doc.word_positions[1:] == doc.word_positions[:-1] + 1
        neighbour[1:] = np.where(adjacent, best_gain[:-1], 0)
        neighbour[:-1] = np.maximum(neighbour[:-1], np.where(adjacent, best_gain[1:], 0))
    cols += [neighbour, best_gain]
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in cols])


def _second_neighbours(doc: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """Ids two tokens before and after each word position (BOUNDARY past either end)."""
    ids, pos = doc.ids, doc.word_positions
    n = len(ids)
    prev2 = np.where(pos > 1, ids[np.maximum(pos - 2, 0)], BOUNDARY)
    next2 = np.where(pos < n - 2, ids[np.minimum(pos + 2, n - 1)], BOUNDARY)
    return prev2, next2


def _phrase_features(doc: Encoded, tables: Tables, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """For two-word phrases a spinner may have put for one word ("chinese language" for "chinese"):
    a flag, and how much better the best single-word original fits between the phrase's neighbours."""
    m = len(ctx.word)
    in_phrase = np.zeros(m, dtype=np.float32)
    gain = np.zeros(m, dtype=np.float32)
    keys, ptr, ids = tables.phrases
    if m < 2 or not len(keys):
        return in_phrase, gain
    V = len(tables.vocab)
    adjacent = doc.word_positions[1:] == doc.word_positions[:-1] + 1
    query = ctx.word[:-1] * V + ctx.word[1:]
    idx = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    hit = np.nonzero(adjacent & (keys[idx] == query))[0]
    if not len(hit):
        return in_phrase, gain
    starts = ptr[idx[hit]].astype(np.int64)
    counts = ptr[idx[hit] + 1].astype(np.int64) - starts
    owner = np.repeat(np.arange(len(hit)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    cand = ids[np.repeat(starts, counts) + offsets].astype(np.int64)
    prev, nxt = ctx.prev[hit], ctx.next[hit + 1]
    fit = np.zeros(len(cand), dtype=np.float32)
    own = np.zeros(len(hit), dtype=np.float32)
    for source in SOURCES:
        fit += tables.bigram(source, prev[owner], cand) + tables.bigram(source, cand, nxt[owner])
        own += tables.bigram(source, prev, ctx.word[hit]) + tables.bigram(source, ctx.word[hit + 1], nxt)
    best, _ = segment_max(fit, counts, 0.0, argmax=False)
    g = np.maximum(best - own, 0.0)
    in_phrase[hit] = 1
    in_phrase[hit + 1] = 1
    gain[hit] = g
    gain[hit + 1] = np.maximum(gain[hit + 1], g)
    return in_phrase, gain


CANDIDATE_FEATURES = ["web_left", "web_right", "news_left", "news_right", "trigram", "trigram_left",
                      "trigram_right", "zipf", "zipf_gain", "news_unigram", "news_unigram_gain", "rank",
                      "n_candidates", "own_fit"]


def _candidate_picks(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices into ``ctx.cand`` of every candidate of ``rows`` (in row order), and counts per row."""
    starts = (np.cumsum(ctx.counts) - ctx.counts)[rows]
    counts = ctx.counts[rows]
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets, counts


def candidate_features(doc: Encoded, tables: Tables, ctx: Context, rows: np.ndarray,
                       pick: np.ndarray | None = None, counts: np.ndarray | None = None):
    """Features of candidate originals of the given word positions, for ranking them.

    Returns ``(X, cand, counts)``: one row of ``CANDIDATE_FEATURES`` per candidate, the candidate
    ids, and how many candidates each of ``rows`` has (rows of X come in that order). ``pick`` and
    ``counts`` restrict it to some candidates (indices into ``ctx.cand``, grouped by row).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if pick is None:
        pick, counts = _candidate_picks(ctx, rows)
    cand, owner = ctx.cand[pick], ctx.owner[pick]
    rank = pick - (np.cumsum(ctx.counts) - ctx.counts)[owner]
    prev, nxt, word = ctx.prev[owner], ctx.next[owner], ctx.word[owner]
    prev2, next2 = _second_neighbours(doc)
    p2, n2 = prev2[owner], next2[owner]
    own = np.zeros(len(cand), dtype=np.float32)
    fits = []
    for source in SOURCES:
        fits += [tables.bigram(source, prev, cand), tables.bigram(source, cand, nxt)]
        own += tables.bigram(source, prev, word) + tables.bigram(source, word, nxt)
    cols = fits + [tables.trigram(prev, cand, nxt), tables.trigram(p2, prev, cand), tables.trigram(cand, nxt, n2),
                   tables.zipf[cand], tables.zipf[cand] - tables.zipf[word], tables.news_unigrams[cand],
                   tables.news_unigrams[cand] - tables.news_unigrams[word], rank, ctx.counts[owner], own]
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in cols]), cand, counts


SHORTLIST = 5  # candidates per word the ranker looks at, the best by the fixed formula


def _formula(tables: Tables, ctx: Context, pick: np.ndarray) -> np.ndarray:
    cand, owner = ctx.cand[pick], ctx.owner[pick]
    prev, nxt = ctx.prev[owner], ctx.next[owner]
    score = tables.trigram(prev, cand, nxt) + 0.3 * tables.news_unigrams[cand] + 0.01 * tables.zipf[cand]
    for source in SOURCES:
        score += tables.bigram(source, prev, cand) + tables.bigram(source, cand, nxt)
    return score


def best_candidates(tables: Tables, ctx: Context, rows: np.ndarray, doc: Encoded | None = None,
                    ranker=None) -> tuple[np.ndarray, np.ndarray]:
    """For the given word positions, the candidate original most likely replaced (-1: none), and
    the ranker's probability that it is the one (0 without a ranker).

    Candidates are first scored by a fixed formula (bigram counts with both neighbours, trigram
    count, a little news frequency); with a trained ``ranker`` (the model's candidate model) the
    best ``SHORTLIST`` of each word are scored again on ``CANDIDATE_FEATURES``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    out = np.full(len(rows), -1, dtype=np.int64)
    confidence = np.zeros(len(rows), dtype=np.float32)
    if not len(rows):
        return out, confidence
    pick, counts = _candidate_picks(ctx, rows)
    score = _formula(tables, ctx, pick)
    if ranker is not None and len(pick):
        group = np.repeat(np.arange(len(rows)), counts)
        order = np.lexsort((-score, group))  # by row, best formula score first
        position = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
        keep = order[position < SHORTLIST]
        keep.sort()
        pick, counts = pick[keep], np.minimum(counts, SHORTLIST)
        X, _, _ = candidate_features(doc, tables, ctx, rows, pick, counts)
        score = ranker.predict_proba(X).astype(np.float32)
    cand = ctx.cand[pick]
    best, arg = segment_max(score, counts, 0.0)
    local_starts = np.cumsum(counts) - counts
    ok = arg >= 0
    out[ok] = cand[local_starts[ok] + arg[ok]]
    if ranker is not None:
        confidence[ok] = best[ok]
    return out, confidence
