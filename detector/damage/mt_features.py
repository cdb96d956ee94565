"""Evidence that an English sentence came back from machine translation, per word and per sentence.

>>> from detector.detection.model import load_model
>>> tables = load_model().tables
>>> found = evidence_for_sentences(["The Panthers defense gave up just 308 points.",
...                                 "The defence of Panthers gave on top of just 308 points."], tables)
>>> found.sentences.shape == (2, len(SENTENCE_FEATURES)), found.words.shape[1] == len(WORD_FEATURES)
(True, True)

Every feature is about how well the words fit ordinary English, never about a genre or a language
pair: the broad trigram model of English and the Wikipedia n-gram counts of the spinning
detector's tables (:mod:`detector.lexicon.tables`), and its per-word features
(:func:`detector.detection.features.token_features`). For each word:

* the broad model's log probability of the word after the two before it, and its *lift* (that
  minus the word's own log frequency): how much the context makes it expected;
* *surprise* of the word pair and triple: the log count expected if the words were independent
  minus the log count seen in Wikipedia ("on top of just" is far rarer than its parts predict);
* *local rewrites*: how much likelier the broad model finds the window if the word swapped places
  with the next one (word-order slips) or were dropped (function words a translation adds), and
  the spinning features' gain of a better-fitting near-synonym (literal renderings);
* the spinning detector's own per-word features (frequency, unknown or glued words, article slips).

A sentence's row aggregates them (means, minima, shares, the strongest rewrite) with repeats and
unknown long words; the word rows feed the word model (P(word changed by the translation)), whose
aggregates join the sentence row (:mod:`detector.damage.mt_model`). Style rates ("the", "of",
pronoun gender, contractions) are left out on purpose: they tell genres and pivot languages apart
more than translations from originals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.detection import features as spin_features
from detector.detection.features import Encoded, concat, encode, token_features
from detector.lexicon.tables import BOUNDARY, UNK, Tables

COMMON_ZIPF = 4.0  # a word this frequent or more counts as common (an unseen pair of two of them is telling)
LONG_UNKNOWN = 12  # an unknown word this long is likely glued or untranslated ("quepreparanbomba")
EMPTY_SURPRISE = -2.0  # the surprise given where there is no pair or triple to look at (and the floor)
NO_REWRITE = -5.0  # the gain given where a rewrite cannot be scored
UNKNOWN_LOGPROB = -8.0  # log10 probability given to words the broad model does not know

WORD_EXTRA = ["lm_logprob", "lm_lift_own", "lm_known", "swap_gain_next", "swap_gain_prev", "drop_gain",
              "bigram_surprise_next", "bigram_surprise_prev", "trigram_surprise_start", "trigram_surprise_centre",
              "trigram_surprise_end", "position", "sentence_words"]
# The spinning detector's per-word features the MT models were trained with, frozen by name: the
# spinning detector appends features to its FEATURE_NAMES, and these models take only these columns.
SPIN_FEATURES = ["zipf", "unknown", "stop", "capital_mid", "prev_boundary", "next_boundary", "n_candidates",
                 "candidate_zipf_gain", "article_slip", "prev_zipf", "next_zipf", "in_degree", "wiki_left",
                 "wiki_right", "wiki_gain", "wiki_gain_left", "wiki_gain_right", "wiki_unseen_left",
                 "wiki_unseen_right", "wiki_unigram", "wiki_unigram_gain", "trigram", "unseen_trigram",
                 "trigram_left", "trigram_right", "lm_lift", "lm_right_lift", "lm_unlisted_left", "lm_unlisted_right",
                 "lm_gain", "lm_gain_centre", "lm_gain_right", "in_phrase", "phrase_gain", "neighbour_gain",
                 "best_gain", "neighbour_lift"]
WORD_FEATURES = [*SPIN_FEATURES, *WORD_EXTRA]
SENTENCE_FEATURES = [
    "log_words",
    # broad model, over words it knows
    "lm_known", "lp_mean", "lp_min", "lift_mean", "lift_min", "lift_q10", "lift_q25", "lift_neg", "lift_lt_m1",
    "lift_stop_mean", "lift_stopstop_min", "lift_content_mean",
    # Wikipedia pairs and triples of real words
    "bi_unseen", "bi_unseen_common", "bi_surprise_mean", "bi_surprise_max", "bi_surprise_gt1",
    "tri_unseen", "tri_surprise_mean", "tri_surprise_max", "tri_surprise_gt1",
    # local rewrites: swap two adjacent words, drop one, put a near-synonym in
    "swap_gain_max", "swap_gain_gt1", "drop_gain_max", "drop_gain_gt0", "lm_gain_mean", "lm_gain_max", "lm_gain_gt1",
    "best_gain_mean", "best_gain_max",
    # repeats, unknown and glued words, slips
    "adj_repeat", "content_repeat", "bigram_repeat", "unk_share", "unk_long", "lm_unknown_share", "article_slip",
    "capital_mid_common",
]
_W = {n: i for i, n in enumerate(WORD_FEATURES)}
_S = {n: i for i, n in enumerate(SENTENCE_FEATURES)}


@dataclass
class Evidence:
    """The evidence of one text (or a batch of sentences): ``sentences`` has one row per sentence
    (``SENTENCE_FEATURES``), ``words`` one per word (``WORD_FEATURES``) with ``segment`` its
    sentence (rows of words outside every sentence are left out), ``positions`` its token index and
    ``tokens`` its normalised string."""

    sentences: np.ndarray
    words: np.ndarray
    segment: np.ndarray
    positions: np.ndarray
    tokens: list[str]


def segment_stat(values, segment: np.ndarray, n: int, how: str, mask: np.ndarray | None = None,
                 empty: float = 0.0, q: float = 0.5) -> np.ndarray:
    """Per-segment ``mean``, ``sum``, ``min``, ``max``, ``quantile`` (``q``) or ``top3`` (mean of the
    three largest) of ``values`` over the rows where ``mask``; ``empty`` for segments without rows.

    >>> segment_stat(np.array([1.0, 5.0, 2.0, 4.0]), np.array([0, 0, 2, 2]), 3, "max").tolist()
    [5.0, 0.0, 4.0]
    """
    values = np.asarray(values, dtype=np.float64)
    if mask is not None:
        values, segment = values[mask], segment[mask]
    out = np.full(n, empty, dtype=np.float64)
    if not len(values):
        return out
    counts = np.bincount(segment, minlength=n)
    have = counts > 0
    if how == "mean":
        out[have] = np.bincount(segment, weights=values, minlength=n)[have] / counts[have]
        return out
    if how == "sum":
        return np.bincount(segment, weights=values, minlength=n).astype(np.float64)
    order = np.lexsort((values, segment))  # by segment, then by value
    ordered = values[order]
    starts = np.cumsum(counts) - counts
    if how == "min":
        out[have] = ordered[starts[have]]
    elif how == "max":
        out[have] = ordered[(starts + counts - 1)[have]]
    elif how == "quantile":
        out[have] = ordered[(starts + np.floor(q * (counts - 1)).astype(np.int64))[have]]
    elif how == "top3":
        total, k = np.zeros(n), np.minimum(counts, 3)
        for j in range(3):
            ok = have & (j < k)
            total[ok] += ordered[(starts + counts - 1 - j)[ok]]
        out[have] = total[have] / k[have]
    else:
        raise ValueError(f"unknown statistic {how!r}")
    return out


_CORPUS_WORDS: dict[int, tuple[np.ndarray, float]] = {}


def _log_corpus_words(tables: Tables) -> float:
    """log10 of the number of words behind the Wikipedia unigram counts (computed once per tables)."""
    unigrams = tables.unigrams
    cached = _CORPUS_WORDS.get(id(unigrams))
    if cached is None or cached[0] is not unigrams:
        cached = (unigrams, float(np.log10(np.sum(10.0 ** unigrams.astype(np.float64) - 1.0))))
        _CORPUS_WORDS[id(unigrams)] = cached
    return cached[1]


def evidence_for_sentences(sentences: list[str], tables: Tables) -> Evidence:
    """Evidence of texts taken one sentence each (for training and for scoring loose sentences)."""
    docs = [encode(s, tables) for s in sentences]
    joined, _, rows = concat(docs) if docs else (encode("", tables), None, np.zeros(1, dtype=np.int64))
    if len(docs) > 1:  # the joined text keeps the token strings too (long unknown words are evidence)
        joined.tokens = [token for d in docs for token in (*d.tokens, "")]
    segment = np.repeat(np.arange(len(docs)), np.diff(rows))
    return evidence(joined, tables, segment, len(docs))


def evidence(doc: Encoded, tables: Tables, segment: np.ndarray, n: int, features: np.ndarray | None = None) -> Evidence:
    """Evidence of the ``n`` sentences of ``doc``: ``segment`` is the sentence of each word position
    (-1: in none); ``features``: the doc's :func:`token_features` when they are already computed."""
    segment = np.asarray(segment, dtype=np.int64)
    keep = segment >= 0
    if features is None:
        names = spin_features.FEATURE_NAMES
        features = token_features(doc, tables) if len(doc.word_positions) else np.zeros((0, len(names)))
    words = _word_rows(doc, tables, features)
    seg = segment[keep]
    rows = words[keep]
    X = _sentence_rows(rows, doc, tables, seg, n, doc.word_positions[keep])
    counts = np.bincount(seg, minlength=n)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    order = np.argsort(seg, kind="stable")  # words of a sentence are consecutive in reading order anyway
    rank = np.empty(len(seg), dtype=np.int64)
    rank[order] = np.arange(len(seg)) - np.repeat(first, counts)
    rows[:, _W["position"]] = rank / np.maximum(counts[seg] - 1, 1)
    rows[:, _W["sentence_words"]] = counts[seg]
    positions = doc.word_positions[keep]
    tokens = [doc.tokens[p] for p in positions.tolist()] if doc.tokens else []
    return Evidence(X.astype(np.float32), rows.astype(np.float32), seg, positions, tokens)


def spin_columns(features: np.ndarray) -> np.ndarray:
    """The ``SPIN_FEATURES`` columns of the spinning detector's token features (whose columns are
    its current ``FEATURE_NAMES``, which may have grown since these models were trained).

    >>> spin_columns(np.arange(len(spin_features.FEATURE_NAMES) + 2)[None, :]).shape
    (1, 37)
    """
    names = spin_features.FEATURE_NAMES
    if features.shape[1] < len(names):
        raise ValueError(f"token features have {features.shape[1]} columns, FEATURE_NAMES {len(names)}")
    if names[: len(SPIN_FEATURES)] == SPIN_FEATURES:
        return features[:, : len(SPIN_FEATURES)]
    try:
        index = [names.index(name) for name in SPIN_FEATURES]
    except ValueError as err:
        raise ValueError(f"the spinning features lost one the machine-translation model needs: {err}") from err
    return features[:, index]


def _neighbours(doc: Encoded):
    ids, pos = doc.ids, doc.word_positions
    size = len(ids)

    def at(k: int) -> np.ndarray:  # the id k tokens away from each word (BOUNDARY past either end)
        j = pos + k
        return np.where((j >= 0) & (j < size), ids[np.clip(j, 0, max(size - 1, 0))], BOUNDARY)

    p1, n1 = at(-1), at(1)
    p2 = np.where(p1 >= 0, at(-2), BOUNDARY)
    n2 = np.where(n1 >= 0, at(2), BOUNDARY)
    n3 = np.where(n2 >= 0, at(3), BOUNDARY)
    return p2, p1, ids[pos] if size else np.zeros(0, dtype=np.int64), n1, n2, n3


def _word_rows(doc: Encoded, tables: Tables, features: np.ndarray) -> np.ndarray:
    """``WORD_FEATURES`` of every word position (position and sentence length are filled in later)."""
    m = len(doc.word_positions)
    out = np.zeros((m, len(WORD_FEATURES)), dtype=np.float64)
    if not m:
        return out
    out[:, : len(SPIN_FEATURES)] = spin_columns(features)
    lm = tables.lm
    p2, p1, w, n1, n2, n3 = _neighbours(doc)
    word = w >= 2  # vocabulary words (not numbers, not unknown)
    lp = lm.logprob(p2, p1, w)
    known = ~np.isnan(lp) & word
    lift = lp - lm.uni[w]
    pair = word & (n1 >= 2)
    log_n = _log_corpus_words(tables)
    bi = tables.bigram("wiki", w, n1)
    bi_surprise = np.maximum(tables.unigrams[w] + tables.unigrams[np.maximum(n1, 0)] - log_n - bi, EMPTY_SURPRISE)
    bi2 = tables.bigram("wiki", n1, n2)
    tri = tables.trigram(w, n1, n2)
    triple = pair & (n2 >= 2) & (bi > 0) & (bi2 > 0)  # both pairs seen: is the triple there as often as expected?
    tri_surprise = np.maximum(bi + bi2 - tables.unigrams[np.maximum(n1, 0)] - tri, EMPTY_SURPRISE)
    swap = _swap_gain(lm, p2, p1, w, n1, n2, n3, pair & known)
    drop = _drop_gain(lm, p2, p1, w, n1, n2, known & (n1 >= 2))
    adjacent = np.zeros(m, dtype=bool)
    adjacent[1:] = doc.word_positions[1:] == doc.word_positions[:-1] + 1
    bs = np.where(pair, bi_surprise, EMPTY_SURPRISE)
    ts = np.where(triple, tri_surprise, EMPTY_SURPRISE)
    columns = {"lm_logprob": np.where(known, lp, UNKNOWN_LOGPROB), "lm_lift_own": np.where(known, lift, 1.0),
               "lm_known": known, "swap_gain_next": swap, "swap_gain_prev": _from_left(swap, adjacent, NO_REWRITE),
               "drop_gain": drop, "bigram_surprise_next": bs,
               "bigram_surprise_prev": _from_left(bs, adjacent, EMPTY_SURPRISE), "trigram_surprise_start": ts,
               "trigram_surprise_centre": _from_left(ts, adjacent, EMPTY_SURPRISE),
               "trigram_surprise_end": _from_left(_from_left(ts, adjacent, EMPTY_SURPRISE), adjacent, EMPTY_SURPRISE)}
    for name, values in columns.items():
        out[:, _W[name]] = values
    return out


def _from_left(values: np.ndarray, adjacent: np.ndarray, fill: float) -> np.ndarray:
    """The value of the word before (``fill`` where it is not adjacent): a pair's score for its second word."""
    out = np.full(len(values), fill, dtype=np.float64)
    out[1:] = np.where(adjacent[1:], values[:-1], fill)
    return out


def _swap_gain(lm, p2, p1, w, n1, n2, n3, ok) -> np.ndarray:
    """log10 gain of the window ``p2 p1 [n1 w] n2 n3`` over ``p2 p1 [w n1] n2 n3`` (``NO_REWRITE`` where
    either word is unknown to the model or both are the same)."""
    ok = ok & lm.known[np.maximum(n1, 0)] & (w != n1)
    keep = sum(np.nan_to_num(lm.logprob(a, b, c)) for a, b, c in ((p2, p1, w), (p1, w, n1), (w, n1, n2), (n1, n2, n3)))
    swapped = sum(np.nan_to_num(lm.logprob(a, b, c)) for a, b, c in ((p2, p1, n1), (p1, n1, w), (n1, w, n2),
                                                                     (w, n2, n3)))
    return np.where(ok, swapped - keep, NO_REWRITE)


def _drop_gain(lm, p2, p1, w, n1, n2, ok) -> np.ndarray:
    """log10 gain of the window without the word over with it, the word's own unigram cost charged to
    dropping it (so that only words the context does not want gain)."""
    ok = ok & lm.known[np.maximum(n1, 0)]
    with_word = sum(np.nan_to_num(lm.logprob(a, b, c)) for a, b, c in ((p2, p1, w), (p1, w, n1), (w, n1, n2)))
    without = np.nan_to_num(lm.logprob(p2, p1, n1)) + np.nan_to_num(lm.logprob(p1, n1, n2))
    return np.where(ok, without - with_word + np.nan_to_num(lm.uni[w]), NO_REWRITE)


def _sentence_rows(rows: np.ndarray, doc: Encoded, tables: Tables, seg: np.ndarray, n: int,
                   positions: np.ndarray) -> np.ndarray:
    """``SENTENCE_FEATURES`` from the word rows of the sentences (``seg``: each row's sentence)."""
    X = np.zeros((n, len(SENTENCE_FEATURES)), dtype=np.float64)
    counts = np.bincount(seg, minlength=n)
    X[:, _S["log_words"]] = np.log1p(counts)
    if not len(rows):
        return X
    col = {name: rows[:, _W[name]] for name in WORD_FEATURES}
    ids = doc.ids
    w = ids[positions]
    size = len(ids)
    n1 = np.where(positions + 1 < size, ids[np.minimum(positions + 1, size - 1)], BOUNDARY)
    p1 = np.where(positions > 0, ids[np.maximum(positions - 1, 0)], BOUNDARY)
    word = w >= 2
    known = col["lm_known"] > 0
    stop = tables.stop[w] & word
    lp, lift = col["lm_logprob"], col["lm_lift_own"]

    def put(name: str, values, how: str, mask=None, empty: float = 0.0, q: float = 0.5) -> None:
        X[:, _S[name]] = segment_stat(values, seg, n, how, mask, empty, q)

    put("lm_known", known, "mean")
    put("lp_mean", lp, "mean", known, -3.0)
    put("lp_min", lp, "min", known, -3.0)
    put("lift_mean", lift, "mean", known, 1.0)
    put("lift_min", lift, "min", known, 1.0)
    put("lift_q10", lift, "quantile", known, 1.0, 0.1)
    put("lift_q25", lift, "quantile", known, 1.0, 0.25)
    put("lift_neg", lift < 0, "mean", known)
    put("lift_lt_m1", lift < -1, "mean", known)
    put("lift_stop_mean", lift, "mean", known & stop, 1.0)
    prev_stop = (p1 >= 2) & tables.stop[np.maximum(p1, 0)]
    put("lift_stopstop_min", lift, "min", known & stop & prev_stop, 1.0)
    put("lift_content_mean", lift, "mean", known & ~stop, 1.0)
    pair = word & (n1 >= 2)
    bs, ts = col["bigram_surprise_next"], col["trigram_surprise_start"]
    unseen = tables.bigram("wiki", w, n1) == 0
    put("bi_unseen", unseen, "mean", pair)
    common = pair & (tables.zipf[w] >= COMMON_ZIPF) & (tables.zipf[np.maximum(n1, 0)] >= COMMON_ZIPF)
    put("bi_unseen_common", unseen, "mean", common)
    put("bi_surprise_mean", bs, "mean", pair, EMPTY_SURPRISE)
    put("bi_surprise_max", bs, "max", pair, EMPTY_SURPRISE)
    put("bi_surprise_gt1", bs > 1, "mean", pair)
    triple = ts > EMPTY_SURPRISE
    n2 = np.where(positions + 2 < size, ids[np.minimum(positions + 2, size - 1)], BOUNDARY)
    tri_seen = tables.trigram(w, n1, n2) > 0
    put("tri_unseen", ~tri_seen, "mean", triple)
    put("tri_surprise_mean", ts, "mean", triple, EMPTY_SURPRISE)
    put("tri_surprise_max", ts, "max", triple, EMPTY_SURPRISE)
    put("tri_surprise_gt1", ts > 1, "mean", triple)
    swap, drop = col["swap_gain_next"], col["drop_gain"]
    put("swap_gain_max", swap, "max", swap > NO_REWRITE, NO_REWRITE)
    put("swap_gain_gt1", swap > 1, "sum")
    put("drop_gain_max", drop, "max", drop > NO_REWRITE, NO_REWRITE)
    put("drop_gain_gt0", drop > 0, "sum", drop > NO_REWRITE)
    put("lm_gain_mean", col["lm_gain"], "mean")
    put("lm_gain_max", col["lm_gain"], "max")
    put("lm_gain_gt1", col["lm_gain"] > 1, "mean")
    put("best_gain_mean", col["best_gain"], "mean")
    put("best_gain_max", col["best_gain"], "max")
    put("adj_repeat", (w == n1) & word, "sum")
    content = word & ~stop
    put("content_repeat", ~_first_in_segment(seg * (len(tables.vocab) + 1) + w), "mean", content)
    vocab = len(tables.vocab) + 1
    put("bigram_repeat", ~_first_in_segment((seg * vocab + w) * vocab + np.maximum(n1, 0)), "sum", pair)
    unknown = w == UNK
    put("unk_share", unknown, "mean")
    lengths = np.fromiter((len(doc.tokens[p]) for p in positions.tolist()), dtype=np.int64, count=len(positions))
    put("unk_long", unknown & (lengths >= LONG_UNKNOWN), "sum")
    put("lm_unknown_share", word & ~tables.lm.known[w], "mean")
    put("article_slip", col["article_slip"], "sum")
    put("capital_mid_common", (col["capital_mid"] > 0) & (tables.zipf[w] >= 4.5), "sum")
    return X


def _first_in_segment(keys: np.ndarray) -> np.ndarray:
    """True at the first row holding each key (later rows repeat an earlier one)."""
    first = np.zeros(len(keys), dtype=bool)
    if len(keys):
        _, index = np.unique(keys, return_index=True)
        first[index] = True
    return first
