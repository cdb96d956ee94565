"""Where the neural model's evidence enters detection: its features, word model and document model.

>>> NEURAL_FEATURES[:3]
['ngram_prob', 'zipf', 'stop']
>>> len(REGISTER_FEATURES)
5

The n-gram stage (:mod:`detector.detection.features` and the word and context trees) gives every
word a probability of having been put there by a spinner. The neural stage reads the same text
with SmolLM2 (:mod:`detector.neural`) and gives each word a second probability from a word model
over that first one, a few of the n-gram features that say what kind of word it is, and what the
neural model saw (``NEURAL_FEATURES``):

* how surprising the word is after everything before it, against its own frequency (SLOR-style),
  how far below the likeliest word there, and how uncertain that prediction was;
* how surprising the next word is (a swap that breaks grammar breaks its neighbour too);
* how much likelier its best candidate original is in the same left context (free), and for the
  words either stage finds most suspicious (a few in every hundred), the best candidates scored
  with both sides of the context;
* how the whole document reads to the model (its register: fiction and speech read oddly to the
  n-gram counts, not to a model of English that has read them).

The document model weighs aggregates of the neural word probabilities (as the n-gram one does) and
the document's register (``REGISTER_FEATURES``, free to push either way), so that one threshold
can serve genres whose clean text looks odd to the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.detection.features import FEATURE_NAMES, Encoded, context
from detector.detection.linear import MonotoneLogistic
from detector.detection.trees import BoostedTrees
from detector.spinner.spinner import carry_case

NGRAM_COLUMNS = ["zipf", "stop", "capital_mid", "n_candidates", "in_phrase", "best_gain", "lm_gain",
                 "candidate_zipf_gain", "prev_boundary", "next_boundary"]
WORD_EVIDENCE = ["nlm_surprisal", "nlm_first", "nlm_tokens", "nlm_entropy", "nlm_top_gap", "nlm_slor",
                 "nlm_next_surprisal", "nlm_next_slor", "nlm_left_gain", "nlm_both_gain"]
NEURAL_FEATURES = ["ngram_prob", *NGRAM_COLUMNS, *WORD_EVIDENCE, "nlm_doc_slor", "nlm_doc_surprisal", "doc_ngram_mean"]
REGISTER_FEATURES = ["reg_surprisal", "reg_slor", "reg_zipf", "reg_rare_share", "reg_ngram_mean"]
MAX_CANDIDATES = 16  # candidate originals per word whose first token is weighed in the left context
BRANCH_PROB = 0.2  # n-gram probability from which a word's best candidates are scored with both sides...
BRANCH_LEFT_GAIN = 4.0  # ...or the nats by which its best candidate beats it in the left context
LN10 = float(np.log(10.0))
_NGRAM_INDEX = [FEATURE_NAMES.index(n) for n in NGRAM_COLUMNS]


@dataclass
class NeuralStage:
    """The trained neural stage: word model, document model and the thresholds set for them."""

    word_model: BoostedTrees
    doc_model: MonotoneLogistic
    threshold: float = 0.5  # document score from which the verdict is spun
    span_threshold: float = 0.5
    display_threshold: float = 0.5
    display_threshold_short: float | None = None
    repair_threshold: float = 0.65
    band: tuple[float, float] = (0.0, 1.0)  # n-gram document scores a batch sends to this stage
    lm: str = ""  # the neural model's label (SmolLM2-135M-Instruct-Q4_1)
    info: dict | None = None

    def word_probs(self, rows: np.ndarray, scorable: np.ndarray, base_rate: float) -> np.ndarray:
        probs = np.full(len(rows), base_rate)
        if scorable.any():
            probs[scorable] = self.word_model.predict_proba(rows[scorable])
        return probs


def _unigram_surprisal(tables, words: np.ndarray) -> np.ndarray:
    """-ln P(word) from its Zipf frequency (log10 of its frequency per billion words)."""
    return LN10 * (9.0 - tables.zipf[words].astype(np.float64))


def word_candidates(tables, doc: Encoded, rows: np.ndarray) -> list[list[str]]:
    """The candidate originals (strings, case carried from the word) of the given word rows of
    ``doc``: the thesauri's, and their inflected forms for a word in its base form (as naive spinners
    paste them), at most ``MAX_CANDIDATES``."""
    from detector.detection.suggestions import inflected_context

    out: list[list[str]] = [[] for _ in range(len(doc.word_positions))]
    if not len(rows):
        return out
    ctx = context(doc, tables)
    sub, _, _ = inflected_context(tables, ctx, doc, rows)
    words, spans = tables.vocab.words, doc.spans()
    starts = np.cumsum(sub.counts) - sub.counts
    for k, r in enumerate(rows.tolist()):
        cands = sub.cand[starts[k] : starts[k] + sub.counts[k]][:MAX_CANDIDATES]
        a, b = spans[int(doc.word_positions[r])]
        original = doc.text[a:b]
        out[r] = [carry_case(original, words[c]) for c in cands.tolist()]
    return out


def register_features(evidence_rows: np.ndarray, tables, word_ids: np.ndarray, ngram_probs: np.ndarray,
                      token_surprisal: float) -> np.ndarray:
    """What the document is like (``REGISTER_FEATURES``): the neural model's mean surprisal per
    token and mean SLOR per word, the words' mean Zipf frequency and share under Zipf 3, and the
    n-gram stage's mean word probability."""
    if not len(word_ids):
        return np.zeros(len(REGISTER_FEATURES))
    slor = evidence_rows[:, NEURAL_FEATURES.index("nlm_slor")]
    zipf = tables.zipf[word_ids].astype(np.float64)
    return np.array([token_surprisal, float(np.nanmean(slor)) if np.isfinite(slor).any() else 0.0,
                     float(zipf.mean()), float((zipf < 3).mean()), float(ngram_probs.mean())])


def neural_rows(lm, docs: list[Encoded], tables, features: np.ndarray, ngram_probs: np.ndarray,
                rows: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """``NEURAL_FEATURES`` for every word of the joined documents (rows ``rows[i]:rows[i+1]`` are
    document ``i``'s, as ``features`` and ``ngram_probs``), and each document's mean surprisal per
    token (its register)."""
    from detector.neural.evidence import word_evidence

    col = {n: j for j, n in enumerate(FEATURE_NAMES)}
    scorable = (features[:, col["n_candidates"]] > 0) | (features[:, col["in_phrase"]] > 0)
    texts, spans, cands, branch = [], [], [], []
    for i, doc in enumerate(docs):
        a, b = int(rows[i]), int(rows[i + 1])
        tok = doc.spans()
        spans.append(np.array([tok[p] for p in doc.word_positions.tolist()], dtype=np.int64).reshape(-1, 2))
        texts.append(doc.text)
        has = np.flatnonzero(features[a:b, col["n_candidates"]] > 0)
        cands.append(word_candidates(tables, doc, has))
        branch.append(np.where(scorable[a:b] & (ngram_probs[a:b] >= BRANCH_PROB), ngram_probs[a:b], 0.0))
    found = word_evidence(lm, texts, spans, cands, branch, branch_left_gain=BRANCH_LEFT_GAIN)
    out = np.zeros((len(features), len(NEURAL_FEATURES)), dtype=np.float32)
    doc_surprisal = []
    for i, (doc, ev) in enumerate(zip(docs, found)):
        a, b = int(rows[i]), int(rows[i + 1])
        if b == a:
            doc_surprisal.append(0.0)
            continue
        words = doc.ids[doc.word_positions]
        slor = _unigram_surprisal(tables, words) - ev.surprisal
        next_slor = np.r_[slor[1:], np.nan]
        r = ev.reading
        per_token = float(r.surprisal.mean()) if len(r.surprisal) else 0.0
        doc_surprisal.append(per_token)
        block = np.column_stack([
            ngram_probs[a:b], features[a:b][:, _NGRAM_INDEX],
            ev.surprisal, ev.first, ev.n_tokens, ev.entropy, ev.top_gap, slor, ev.next_surprisal, next_slor,
            ev.left_gain, ev.both_gain,
            np.full(b - a, np.nanmean(slor) if np.isfinite(slor).any() else 0.0), np.full(b - a, per_token),
            np.full(b - a, ngram_probs[a:b].mean()),
        ])
        out[a:b] = block
    return out, doc_surprisal
