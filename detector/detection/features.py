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
* for the bigram source (``wiki``): log counts of the word with its left and right
  neighbours, and the gain of the best candidate original on the left, the right and both sides;
* article slips ("a overseas") that substitution leaves behind;
* how common the word and its three trigrams (centred, ending and starting at it) are in
  Wikipedia, and how much more common they would be with its best candidate;
* how likely the broad trigram model of English finds the five words around it
  (:mod:`detector.lexicon.broad_lm`), and how much likelier with its best candidate, in all and on
  either side; how much the context lifts the word above its own frequency. A word the model does
  not know gives no evidence: its model features take neutral values (no gain, a typical lift);
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
CORPUS_FEATURES = ["wiki_unigram", "wiki_unigram_gain", "trigram", "unseen_trigram", "trigram_left", "trigram_right"]
LM_FEATURES = ["lm_lift", "lm_right_lift", "lm_unlisted_left", "lm_unlisted_right", "lm_gain", "lm_gain_centre",
               "lm_gain_right"]
PHRASE_FEATURES = ["in_phrase", "phrase_gain"]
COLLOCATION_FEATURES = ["colloc_surprise_left", "colloc_surprise_right", "colloc_pair_gain", "colloc_pair_count",
                        "colloc_tri_gain"]
FEATURE_NAMES = (BASE_FEATURES + [f"{s}_{f}" for s in SOURCES for f in SOURCE_FEATURES] + CORPUS_FEATURES
                 + LM_FEATURES + PHRASE_FEATURES + ["neighbour_gain", "best_gain", "neighbour_lift"]
                 + COLLOCATION_FEATURES)
LM_NEUTRAL_LIFT = 1.0  # the lift of a typical clean word (log10), given to words the model does not know


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


def token_features(doc: Encoded, tables: Tables, ctx: Context | None = None,
                   swaps: PhraseSwaps | None = None) -> np.ndarray:
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
    corpus_uni = tables.unigrams[ctx.word]
    cand_uni, _ = segment_max(tables.unigrams[ctx.cand], ctx.counts, 0.0, argmax=False)
    tri = tables.trigram(ctx.prev, ctx.word, ctx.next)
    cols += [corpus_uni, np.maximum(cand_uni - corpus_uni, 0) * (ctx.counts > 0), tri, (tri == 0) & ~prev_b & ~next_b]
    # the trigrams that end and start at the word: (prev2, prev, word) and (word, next, next2); the
    # candidates' trigrams added nothing the broad model's window does not already say
    prev2, next2 = _second_neighbours(doc)
    cols += [tables.trigram(prev2, ctx.prev, ctx.word), tables.trigram(ctx.word, ctx.next, next2)]
    lm = lm_evidence(doc, tables, ctx)
    cols += [lm.lift, lm.right_lift, lm.unlisted_left, lm.unlisted_right, lm.gain, lm.gain_centre, lm.gain_right]
    in_phrase, phrase_gain = _phrase_features(doc, swaps if swaps is not None else phrase_swaps(doc, tables))
    cols += [in_phrase, phrase_gain]
    best_gain = np.maximum(np.maximum(np.max(gains, axis=0), phrase_gain), lm.gain)
    neighbour = np.zeros(m, dtype=np.float32)
    neighbour_lift = np.full(m, LM_NEUTRAL_LIFT, dtype=np.float32)
    if m > 1:  # the gain and the lift of the words right before and after (not across a boundary)
        adjacent = doc.word_positions[1:] == doc.word_positions[:-1] + 1
        neighbour[1:] = np.where(adjacent, best_gain[:-1], 0)
        neighbour[:-1] = np.maximum(neighbour[:-1], np.where(adjacent, best_gain[1:], 0))
        neighbour_lift[1:] = np.where(adjacent, lm.lift[:-1], LM_NEUTRAL_LIFT)
        neighbour_lift[:-1] = np.minimum(neighbour_lift[:-1], np.where(adjacent, lm.lift[1:], LM_NEUTRAL_LIFT))
    if m:  # the last word as if another text followed (as in a batch), so a text scores alike alone or batched
        neighbour_lift[-1] = min(neighbour_lift[-1], LM_NEUTRAL_LIFT)
    cols += [neighbour, best_gain, neighbour_lift]
    cols += list(collocation_evidence(doc, tables, ctx, prev2, next2))
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in cols])


PAIR_CANDIDATES = 6  # candidates of each word tried when both words of a pair may have been replaced
MIN_COLLOCATION = 1.0  # log10(1 + count): a variant seen fewer than about 10 times is no collocation
COVERED = 2.0  # log10(1 + count): a word seen fewer than about 100 times in the counts gives no evidence


def collocation_evidence(doc: Encoded, tables: Tables, ctx: Context, prev2: np.ndarray | None = None,
                         next2: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Is the text's own pair or triple rare where a variant with candidate originals is a frequent
    collocation? ("input esteems": never counted; "input values": thousands of times.)

    Per word position, from the counted corpus (log10 counts):

    * ``surprise_left`` / ``surprise_right``: how much rarer the pair with the word before (after) is
      than if the two words were independent: ``log E[count] - log(1 + count)``, 0 unless both words
      are well covered (a word the counts barely know is no evidence);
    * ``pair_gain`` / ``pair_count``: the best variant of the pair with the word after *or* before in
      which one or both words are replaced by candidate originals ("input esteems" -> "input values",
      "counterfeit consciousness" -> "artificial intelligence"): its count over the pair's own, and
      its count, when it is a collocation (seen about ten times or more) and the own pair of two
      content words is not (a rare word is allowed: a spinner's rare synonym is the case; the
      tree weighs it by the word's own frequency);
    * ``tri_gain``: the best variant of the triple centred on the word with the word replaced, over
      the triple's own count, when the variant is a collocation.
    """
    m = len(ctx.word)
    if prev2 is None or next2 is None:
        prev2, next2 = _second_neighbours(doc)
    uni = tables.unigrams
    log_total = tables.log_tokens
    covered = uni[ctx.word] >= COVERED

    def surprise(other: np.ndarray, own_pair: np.ndarray) -> np.ndarray:
        ok = covered & (other >= 0) & (uni[np.maximum(other, 0)] >= COVERED)
        expected = uni[ctx.word] + uni[np.maximum(other, 0)] - log_total
        return np.where(ok, np.clip(expected - own_pair, -3.0, 6.0), 0.0).astype(np.float32)

    left = tables.bigram("wiki", ctx.prev, ctx.word)
    right = tables.bigram("wiki", ctx.word, ctx.next)
    out_surprise_left = surprise(ctx.prev, left)
    out_surprise_right = surprise(ctx.next, right)

    # the triple with the word replaced by a candidate original
    tri_own = tables.trigram(ctx.prev, ctx.word, ctx.next)
    cand_tri = tables.trigram(ctx.prev[ctx.owner], ctx.cand, ctx.next[ctx.owner])
    cand_tri = np.where(cand_tri >= MIN_COLLOCATION, cand_tri, 0.0)
    best_tri, _ = segment_max(cand_tri, ctx.counts, 0.0, argmax=False)
    tri_gain = np.where(best_tri > 0, np.maximum(best_tri - tri_own, 0.0), 0.0).astype(np.float32)

    # pairs of adjacent content words, one or both replaced by a candidate original: only where the
    # own pair is rarer than its words' frequencies lead one to expect (both words well covered)
    pair_gain = np.zeros(m, dtype=np.float32)
    pair_count = np.zeros(m, dtype=np.float32)
    if m > 1:
        content = ~tables.stop[ctx.word] & (ctx.word > UNK)
        adjacent = (doc.word_positions[1:] == doc.word_positions[:-1] + 1) & (right[:-1] < MIN_COLLOCATION)
        adjacent &= content[:-1] & content[1:] & ((ctx.counts[:-1] > 0) | (ctx.counts[1:] > 0))
        first = np.flatnonzero(adjacent)
        if len(first):
            k = PAIR_CANDIDATES + 1  # the word itself, then its candidates
            starts = np.cumsum(ctx.counts) - ctx.counts
            grid = np.arange(k - 1)

            def options(rows: np.ndarray) -> np.ndarray:
                ok = grid[None, :] < ctx.counts[rows][:, None]
                cands = np.where(ok, ctx.cand[np.minimum(starts[rows][:, None] + grid, len(ctx.cand) - 1)], -1)
                return np.column_stack([ctx.word[rows], cands])

            a, b = options(first), options(first + 1)
            counts = tables.bigram("wiki", np.repeat(a, k, axis=1).ravel(), np.tile(b, (1, k)).ravel())
            counts = counts.reshape(len(first), k * k)
            counts[:, 0] = 0.0  # the own pair
            best = counts.max(axis=1)
            gain = np.where(best >= MIN_COLLOCATION, best - right[first], 0.0).astype(np.float32)
            value = np.where(best >= MIN_COLLOCATION, best, 0.0).astype(np.float32)
            for rows in (first, first + 1):
                pair_gain[rows] = np.maximum(pair_gain[rows], gain)
                pair_count[rows] = np.maximum(pair_count[rows], value)
    return out_surprise_left, out_surprise_right, pair_gain, pair_count, tri_gain


def _second_neighbours(doc: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """Ids two tokens before and after each word position (BOUNDARY past either end)."""
    ids, pos = doc.ids, doc.word_positions
    n = len(ids)
    prev2 = np.where(pos > 1, ids[np.maximum(pos - 2, 0)], BOUNDARY)
    next2 = np.where(pos < n - 2, ids[np.minimum(pos + 2, n - 1)], BOUNDARY)
    return prev2, next2


@dataclass
class LMEvidence:
    """Broad-model evidence per word position (see :func:`lm_evidence`)."""

    lift: np.ndarray  # log10 p(w | two words before) - log10 p(w)
    right_lift: np.ndarray  # log10 p(n1 | p1 w) - log10 p(n1): how much the word helps predict the next
    unlisted_left: np.ndarray  # the model has no bigram "p1 w" (both words known to it)
    unlisted_right: np.ndarray  # ... no bigram "w n1"
    gain: np.ndarray  # best candidate's window score - the word's (>= 0)
    gain_centre: np.ndarray
    gain_right: np.ndarray
    window: np.ndarray  # the word's window score (NaN where the model does not know it)
    cand_window: np.ndarray  # each candidate's window score, aligned with ctx.cand (NaN: unknown)


def window_scores(lm, p2: np.ndarray, p1: np.ndarray, x: np.ndarray, n1: np.ndarray, n2: np.ndarray,
                  owner: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(centre, right) log10 scores of word ``x`` in its window ``p2 p1 x n1 n2``: ``p(x | p2 p1)``,
    and ``p(n1 | p1 x) + p(n2 | x n1)`` over the following words the model knows (0 when none).
    Centre is NaN where ``x`` is unknown to the model. ``owner``: see :meth:`BroadLM.window`."""
    w = lm.window(p2, p1, x, n1, n2, owner)
    right = np.nan_to_num(w.r1, nan=0.0) + np.nan_to_num(w.r2, nan=0.0)
    return w.centre, right.astype(np.float32)


def lm_evidence(doc: Encoded, tables: Tables, ctx: Context) -> LMEvidence:
    """How the broad model of English rates each word against its candidate originals, on a window
    of two words either side: ``window(x) = log p(x | p2 p1) + log p(n1 | p1 x) + log p(n2 | x n1)``.
    Words the model does not know get no gain and a neutral lift."""
    lm = tables.lm
    prev2, next2 = _second_neighbours(doc)
    prev2 = np.where(ctx.prev >= 0, prev2, -1)
    w = lm.window(prev2, ctx.prev, ctx.word, ctx.next, next2)
    centre, right = w.centre, (np.nan_to_num(w.r1, nan=0.0) + np.nan_to_num(w.r2, nan=0.0)).astype(np.float32)
    known = ~np.isnan(centre)
    window = np.where(known, centre + right, np.nan)
    lift = np.where(known, centre - lm.uni[ctx.word], LM_NEUTRAL_LIFT)
    next_known = (ctx.next >= 0) & lm.known[np.maximum(ctx.next, 0)]
    prev_known = (ctx.prev >= 0) & lm.known[np.maximum(ctx.prev, 0)]
    right_lift = np.where(known & next_known, w.r1 - lm.uni[np.maximum(ctx.next, 0)], LM_NEUTRAL_LIFT)
    unlisted_left = known & prev_known & ~w.left_listed
    unlisted_right = known & next_known & ~w.right_listed
    o = ctx.owner
    c_centre, c_right = window_scores(lm, prev2, ctx.prev, ctx.cand, ctx.next, next2, o)
    c_window = c_centre + c_right
    usable = ~np.isnan(c_centre) & known[o]
    out = []
    for cand_value, own_value in ((c_window, window), (c_centre, centre), (c_right, right)):
        diff = np.where(usable, cand_value - own_value[o], -np.inf)
        best, _ = segment_max(diff, ctx.counts, 0.0, argmax=False)
        out.append(np.maximum(np.nan_to_num(best, neginf=0.0), 0.0).astype(np.float32))
    return LMEvidence(lift.astype(np.float32), right_lift.astype(np.float32), unlisted_left, unlisted_right,
                      out[0], out[1], out[2], window, c_window)


@dataclass
class PhraseSwaps:
    """Listed spun phrases found in a text, each with its best original (see :func:`phrase_swaps`)."""

    start: np.ndarray  # token position of each occurrence
    length: np.ndarray  # its length in tokens
    gain: np.ndarray  # log10 likelier with the best original (>= 0; 0 where the model cannot say)
    best: np.ndarray  # the best original: an index into the phrase table's originals (-1: none better)


PAD = -7
_WIDTH = 2 + 4 + 2  # two words of context, a phrase of up to four, two words of context


def _window_rows(p2, p1, seqs: np.ndarray, lengths: np.ndarray, n1, n2) -> np.ndarray:
    """Rows ``p2 p1 w1..wk n1 n2 PAD...`` from phrases given as a (rows, 4) id matrix and lengths."""
    rows = np.full((len(lengths), _WIDTH), PAD, dtype=np.int64)
    rows[:, 0], rows[:, 1] = p2, p1
    for k in range(4):
        inside = k < lengths
        rows[inside, 2 + k] = seqs[inside, k]
    r = np.arange(len(lengths))
    rows[r, 2 + lengths] = n1
    rows[r, 3 + lengths] = n2
    return rows


def _sequence_logprob(lm, rows: np.ndarray) -> np.ndarray:
    """Sum of log10 p(w_i | w_i-2 w_i-1) from column 2 on, over the cells that are not PAD (a word
    the model does not know adds nothing: callers exclude phrases with one)."""
    total = np.zeros(len(rows), dtype=np.float64)
    for c in range(2, rows.shape[1]):
        live = rows[:, c] != PAD
        if not live.any():
            break
        term = lm.logprob(rows[:, c - 2], rows[:, c - 1], np.where(live, rows[:, c], -1))
        total += np.where(live, np.nan_to_num(term, nan=0.0), 0.0)
    return total


def phrase_original_gains(ids: np.ndarray, tables: Tables, start: np.ndarray, length: np.ndarray,
                          which: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For spun phrases at ``start`` (``length`` tokens, phrase-table entry ``which``): every
    original of each (``cand``, indices into the table's originals, grouped by phrase, ``counts``
    per phrase) and how much likelier (log10) the broad model finds the window ``p2 p1 ORIGINAL n1
    n2`` than ``p2 p1 PHRASE n1 n2`` (-inf where a word of either is unknown to the model).

    Returns ``(cand, counts, gain)``."""
    table, lm = tables.phrases, tables.lm
    n = len(ids)

    def at(pos: np.ndarray) -> np.ndarray:
        return np.where((pos >= 0) & (pos < n), ids[np.clip(pos, 0, n - 1)], -1)

    p1, n1 = at(start - 1), at(start + length)
    p2 = np.where(p1 >= 0, at(start - 2), -1)
    n2 = np.where(n1 >= 0, at(start + length + 1), PAD)
    n1 = np.where(n1 >= 0, n1, PAD)
    own_seq = np.stack([at(start + k) for k in range(4)], axis=1)
    counts = table.cand_ptr[which + 1] - table.cand_ptr[which]
    owner = np.repeat(np.arange(len(start)), counts)
    cand = np.repeat(table.cand_ptr[which], counts) + (np.arange(int(counts.sum())) -
                                                       np.repeat(np.cumsum(counts) - counts, counts))
    cand_len = table.orig_ptr[cand + 1] - table.orig_ptr[cand]
    cand_seq = np.stack([np.where(k < cand_len, table.orig_ids[np.minimum(table.orig_ptr[cand] + k,
                                                                          len(table.orig_ids) - 1)], PAD)
                         for k in range(4)], axis=1)
    own = _sequence_logprob(lm, _window_rows(p2, p1, own_seq, length, n1, n2))
    scores = _sequence_logprob(lm, _window_rows(p2[owner], p1[owner], cand_seq, cand_len, n1[owner], n2[owner]))
    known = lm.known
    own_ok = np.all(np.where(np.arange(4) < length[:, None], known[np.maximum(own_seq, 0)], True), axis=1)
    cand_ok = np.all(np.where(np.arange(4) < cand_len[:, None], known[np.maximum(cand_seq, 0)], True), axis=1)
    return cand, counts, np.where(cand_ok & own_ok[owner], scores - own[owner], -np.inf)


def phrase_swaps(doc: Encoded, tables: Tables) -> PhraseSwaps:
    """Every listed spun phrase in the text ("for the reason that", "chinese language"), and how much
    likelier the broad model finds the window ``p2 p1 PHRASE n1 n2`` with its best original instead.
    An occurrence with a word the model does not know gets no gain."""
    start, length, which = tables.phrases.find(doc.ids)
    if not len(start):
        empty = np.zeros(0, dtype=np.int64)
        return PhraseSwaps(empty, empty, np.zeros(0, dtype=np.float32), empty)
    cand, counts, diff = phrase_original_gains(doc.ids, tables, start, length, which)
    best, arg = segment_max(diff, counts, 0.0)
    gain = np.maximum(np.nan_to_num(best, neginf=0.0), 0.0).astype(np.float32)
    firsts = np.cumsum(counts) - counts
    chosen = np.where((gain > 0) & (arg >= 0), cand[np.minimum(firsts + np.maximum(arg, 0), len(cand) - 1)], -1)
    return PhraseSwaps(start, length, gain, chosen)


def replacement_gains(text: str, tables: Tables, changes: list[tuple[int, int, str]]) -> np.ndarray:
    """For each ``(start, end, replacement)`` of ``text``: how much likelier (log10) the broad model
    finds the window of two words either side with ``replacement`` in place of ``text[start:end]``.
    NaN where the model cannot say (a word of either side is unknown to it, or the span does not
    fall on token boundaries)."""
    out = np.full(len(changes), np.nan)
    if not changes:
        return out
    originals, norms = tokens_and_norms(text)
    spans = token_spans(text)
    ids = np.array(tables.vocab.ids(norms), dtype=np.int64)
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    lm, n = tables.lm, len(ids)
    own_rows, new_rows, live = [], [], []
    width = 0
    for k, (start, end, replacement) in enumerate(changes):
        first, last = int(np.searchsorted(starts, start)), int(np.searchsorted(ends, end, side="right")) - 1
        if first >= n or last < first or starts[first] != start or ends[last] != end:
            continue
        old = ids[first : last + 1]
        new = np.array(tables.vocab.ids(tokens_and_norms(replacement)[1]), dtype=np.int64)
        if not len(new) or not (old >= 0).all() or not (new >= 0).all() or not lm.known[old].all() or not (
                lm.known[new].all()):
            continue
        p1 = ids[first - 1] if first >= 1 else -1
        p2 = ids[first - 2] if first >= 2 and p1 >= 0 else -1
        n1 = ids[last + 1] if last + 1 < n else -1
        n2 = ids[last + 2] if last + 2 < n and n1 >= 0 else -1
        right = [n1, n2] if n1 >= 0 else []
        own_rows.append([p2, p1, *old.tolist(), *right])
        new_rows.append([p2, p1, *new.tolist(), *right])
        width = max(width, len(own_rows[-1]), len(new_rows[-1]))
        live.append(k)
    if live:
        own = _sequence_logprob(lm, np.array([r + [PAD] * (width - len(r)) for r in own_rows], dtype=np.int64))
        new = _sequence_logprob(lm, np.array([r + [PAD] * (width - len(r)) for r in new_rows], dtype=np.int64))
        out[np.array(live)] = new - own
    return out


def _phrase_features(doc: Encoded, swaps: PhraseSwaps) -> tuple[np.ndarray, np.ndarray]:
    """Per word position: inside a listed spun phrase, and the best gain of a phrase covering it."""
    m = len(doc.word_positions)
    in_phrase = np.zeros(m, dtype=np.float32)
    gain = np.zeros(m, dtype=np.float32)
    for s, ln, g in zip(swaps.start.tolist(), swaps.length.tolist(), swaps.gain.tolist()):
        rows = np.searchsorted(doc.word_positions, np.arange(s, s + ln))
        in_phrase[rows] = 1
        gain[rows] = np.maximum(gain[rows], g)
    return in_phrase, gain


CANDIDATE_FEATURES = [*(f"{s}_{side}" for s in SOURCES for side in ("left", "right")), "trigram", "trigram_left",
                      "trigram_right", "zipf", "zipf_gain", "wiki_unigram", "wiki_unigram_gain", "rank",
                      "n_candidates", "own_fit", "lm_window_gain", "lm_centre_gain", "lm_right_gain"]


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
                   tables.zipf[cand], tables.zipf[cand] - tables.zipf[word], tables.unigrams[cand],
                   tables.unigrams[cand] - tables.unigrams[word], rank, ctx.counts[owner], own]
    cols += _lm_candidate_gains(tables, p2, prev, word, cand, nxt, n2)  # NaN where the model cannot say
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in cols]), cand, counts


def _lm_candidate_gains(tables: Tables, p2, prev, word, cand, nxt, n2) -> list[np.ndarray]:
    """Window, centre and right gains of each candidate over the word in the broad model."""
    lm = tables.lm
    p2 = np.where(prev >= 0, p2, -1)
    own_c, own_r = window_scores(lm, p2, prev, word, nxt, n2)
    c_c, c_r = window_scores(lm, p2, prev, cand, nxt, n2)
    own_c = np.nan_to_num(own_c, nan=-8.0)  # an unknown word: a rare one
    return [c_c + c_r - own_c - own_r, c_c - own_c, c_r - own_r]


SHORTLIST = 5  # candidates per word the ranker looks at, the best by the fixed formula


def _formula(tables: Tables, ctx: Context, pick: np.ndarray) -> np.ndarray:
    cand, owner = ctx.cand[pick], ctx.owner[pick]
    prev, nxt = ctx.prev[owner], ctx.next[owner]
    score = tables.trigram(prev, cand, nxt) + 0.3 * tables.unigrams[cand] + 0.01 * tables.zipf[cand]
    for source in SOURCES:
        score += tables.bigram(source, prev, cand) + tables.bigram(source, cand, nxt)
    centre, right = window_scores(tables.lm, np.full(len(cand), -1), prev, cand, nxt, np.full(len(cand), -1))
    return score + np.nan_to_num(centre + right, nan=-8.0) + 8.0


def best_candidates(tables: Tables, ctx: Context, rows: np.ndarray, doc: Encoded | None = None,
                    ranker=None) -> tuple[np.ndarray, np.ndarray]:
    """For the given word positions, the candidate original most likely replaced (-1: none), and
    the ranker's probability that it is the one (0 without a ranker).

    Candidates are first scored by a fixed formula (bigram counts with both neighbours, trigram
    count, a little corpus frequency, the broad model's window score); with a trained ``ranker``
    (the model's candidate model) the best ``SHORTLIST`` of each word are scored again on
    ``CANDIDATE_FEATURES``.
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
