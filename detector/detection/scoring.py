"""Where documents and spans are scored: ``detector.score(text)`` and the batch scorer behind it.

>>> result = score("Customers of the Chinese language social media app welcomed refugees from the "
...                "US with selfies and messages on Wednesday, as Beijing stated it inspired stronger "
...                "cultural ties with different nations in response to the sudden inflow.")
>>> result.verdict in ("spun", "clean", "too-short")
True
>>> all(result.text[s.start:s.end] == s.text for s in result.spans)
True

A document gets a probability of being spun (the document model over aggregates of token
probabilities), a verdict (``spun`` / ``clean`` / ``not-english`` / ``too-short``) and the spans
whose tokens the token model flags, each with its score, the reasons behind it and the wording the
text probably had before. Scoring and the keep/drop decision are separate: ``score`` is a number;
the verdict only applies a threshold to it, which callers may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from detector.damage.gather import damage
from detector.detection.features import (
    FEATURE_NAMES,
    Encoded,
    best_candidates,
    concat,
    context,
    encode,
    segment_max,
    token_features,
)
from detector.detection.model import Model, load_model
from detector.lexicon.tables import NUM, SOURCES
from detector.spinner.spinner import carry_case
from detector.text.language import FUNCTION_WORDS, KNOWN_ZIPF, is_english

VERDICTS = ("spun", "clean", "not-english", "too-short")
MIN_SUGGESTION = 0.3  # candidate-model probability needed to suggest a word (else: a bigram gain)
RANK_SUGGESTIONS_FROM = 0.5  # document score from which the candidate model ranks suggestions
PHRASE_SUGGESTION_CONFIDENCE = 0.6  # how sure a one-word suggestion for a two-word replacement counts as


@dataclass(frozen=True)
class Span:
    """A suspicious stretch: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]
    suggestion: str | None
    suggestion_confidence: float = 0.0  # the candidate model's probability for the least sure word

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "score": round(self.score, 4),
                "reasons": list(self.reasons), "suggestion": self.suggestion}


@dataclass(frozen=True)
class ScoreResult:
    """The score of one document, in the JSON contract's shape (see :meth:`to_dict`)."""

    text: str
    score: float
    verdict: str
    spans: tuple[Span, ...]
    model: str
    words: int
    id: object = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"id": self.id, "score": round(self.score, 4), "verdict": self.verdict,
               "spans": [s.to_dict() for s in self.spans], "model": self.model, "words": self.words}
        out.update(self.extra)
        return out


@dataclass
class _Prepared:
    doc: Encoded
    english: bool


class Scorer:
    """Scores texts with one model; reuse it for many texts (``score_many`` batches the work)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None, damage: bool = False):
        """``damage``: also report machine-translation and line damage (:mod:`detector.damage.gather`) in
        ``extra["damage"]`` (about as costly again as scoring)."""
        self.model = model or load_model()
        self.damage = damage
        self.threshold = self.model.threshold if threshold is None else threshold
        index = self.model.tables.vocab.index
        self._function_ids = np.array(sorted(index[w] for w in FUNCTION_WORDS if w in index))

    def _prepare(self, text: str) -> _Prepared:
        doc = encode(text, self.model.tables)
        words = doc.ids[doc.word_positions]
        other = doc.other_letters
        latin = sum(len(doc.tokens[i]) for i in doc.word_positions.tolist()) if other else 1
        n = len(words)
        function_share = float(np.isin(words, self._function_ids).mean()) if n else 0.0
        numbers = int((doc.ids == NUM).sum())
        known = int((self.model.tables.zipf[words] >= KNOWN_ZIPF).sum())
        known_share = (known + numbers) / (n + numbers) if n else 0.0
        return _Prepared(doc, is_english(n, latin / (latin + other), function_share, known_share))

    def score(self, text: str, id: object = None) -> ScoreResult:
        return self.score_many([text], [id])[0]

    def score_many(self, texts: Sequence[str], ids: Sequence[object] | None = None) -> list[ScoreResult]:
        """Score several texts with one pass of the features and each model (much faster in bulk)."""
        ids = list(ids) if ids is not None else [None] * len(texts)
        prepared = [self._prepare(t) for t in texts]
        if not prepared:
            return []
        tables = self.model.tables
        joined, token_offsets, rows = concat([p.doc for p in prepared])
        spans_by_doc: dict[int, list[Span]] = {}
        if len(joined.word_positions):
            ctx = context(joined, tables)
            features = token_features(joined, tables, ctx)
            probs_all = self.model.token_probs(features)
        else:
            features, probs_all = np.zeros((0, len(FEATURE_NAMES))), np.zeros(0)
        doc_rows = [self.model.doc_features(probs_all[rows[i] : rows[i + 1]]) for i in range(len(prepared))]
        doc_scores = self.model.doc_model.predict_proba(np.vstack(doc_rows))
        flagged = np.nonzero(probs_all >= self.model.span_threshold)[0]
        if len(flagged):
            # the candidate model ranks suggestions in texts that may be spun; in the rest (most of a
            # scraped corpus) a fixed formula does, at a fraction of the cost
            doc_of = np.searchsorted(rows, flagged, side="right") - 1
            ranked = doc_scores[doc_of] >= RANK_SUGGESTIONS_FROM
            best = np.full(len(flagged), -1, dtype=np.int64)
            sure = np.zeros(len(flagged), dtype=np.float32)
            for mask, ranker in ((ranked, self.model.cand_model), (~ranked, None)):
                if mask.any():
                    best[mask], sure[mask] = best_candidates(tables, ctx, flagged[mask], joined, ranker)
            spans_by_doc = self._spans(prepared, joined, token_offsets, rows, features, probs_all, flagged, best, sure,
                                       ctx)
        results = []
        for i, (text, p) in enumerate(zip(texts, prepared)):
            n = int(rows[i + 1] - rows[i])
            label = self.model.label
            extra = {"damage": damage(text)} if self.damage else {}
            if not p.english:
                results.append(ScoreResult(text, 0.0, "not-english", (), label, n, ids[i], extra))
                continue
            score = float(doc_scores[i]) if n else 0.0
            verdict = "too-short" if n < self.model.min_words else "spun" if score >= self.threshold else "clean"
            results.append(ScoreResult(text, score, verdict, tuple(spans_by_doc.get(i, ())), label, n, ids[i], extra))
        return results

    # -- spans ---------------------------------------------------------------------------------
    def _phrase_original(self, ctx, row: int) -> int:
        """The single word a two-word replacement at word rows (row, row + 1) most likely stood for
        ("chinese language" -> "chinese"), when it fits the context better than the pair; else -1."""
        tables = self.model.tables
        keys, ptr, ids = tables.phrases
        key = int(ctx.word[row]) * len(tables.vocab) + int(ctx.word[row + 1])
        i = int(np.searchsorted(keys, key))
        if i >= len(keys) or keys[i] != key:
            return -1
        cands = ids[ptr[i] : ptr[i + 1]].astype(np.int64)
        prev = np.full(len(cands), ctx.prev[row])
        nxt = np.full(len(cands), ctx.next[row + 1])
        fit = tables.trigram(prev, cands, nxt)
        own = np.zeros(1, dtype=np.float32)
        for source in SOURCES:
            fit = fit + tables.bigram(source, prev, cands) + tables.bigram(source, cands, nxt)
            own = own + tables.bigram(source, prev[:1], ctx.word[row : row + 1]) + tables.bigram(
                source, ctx.word[row + 1 : row + 2], nxt[:1])
        best = int(np.argmax(fit))
        return int(cands[best]) if fit[best] > own[0] else -1

    def _spans(self, prepared, joined, token_offsets, rows, features, probs, flagged, best,
               sure, ctx) -> dict[int, list[Span]]:
        """Merge flagged words that stand next to each other into spans, with reasons and suggestions."""
        positions = joined.word_positions[flagged]
        breaks = np.r_[True, positions[1:] != positions[:-1] + 1]
        group_starts = np.nonzero(breaks)[0]
        counts = np.diff(np.r_[group_starts, len(flagged)])
        f = features[flagged]
        col = _COLUMNS
        span_score = np.maximum.reduceat(probs[flagged], group_starts)
        _, gain_arg = segment_max(f[:, col["best_gain"]], counts, -1.0)
        gain_max = np.maximum.reduceat(f[:, col["best_gain"]], group_starts)
        zgain_max = np.maximum.reduceat(f[:, col["candidate_zipf_gain"]], group_starts)
        _, zgain_arg = segment_max(f[:, col["candidate_zipf_gain"]], counts, -1.0)
        slip = np.maximum.reduceat(f[:, col["article_slip"]], group_starts)
        unseen = np.maximum.reduceat(f[:, col["web_unseen_left"]] * f[:, col["web_unseen_right"]], group_starts)
        phrase = np.maximum.reduceat(f[:, col["in_phrase"]] * (f[:, col["phrase_gain"]] > 0), group_starts)
        neighbour = np.maximum.reduceat(f[:, col["neighbour_gain"]], group_starts)
        doc_of = np.searchsorted(rows, flagged[group_starts], side="right") - 1
        words = self.model.tables.vocab.words
        out: dict[int, list[Span]] = {}
        for g, first in enumerate(group_starts.tolist()):
            d = int(doc_of[g])
            doc = prepared[d].doc
            if not prepared[d].english:
                continue
            k = int(counts[g])
            local = (positions[first : first + k] - token_offsets[d]).tolist()
            offsets = doc.spans()
            start, end = offsets[local[0]][0], offsets[local[-1]][1]
            parts, changed, confidence = [], False, 1.0
            j = 0
            while j < k:
                t = local[j]
                if j:
                    parts.append(doc.text[offsets[local[j - 1]][1] : offsets[t][0]])
                original = doc.text[offsets[t][0] : offsets[t][1]]
                row = int(flagged[first + j])
                pair = -1
                if j + 1 < k and f[j + first, col["in_phrase"]] and local[j + 1] == t + 1:
                    pair = self._phrase_original(ctx, row)
                if pair >= 0:  # two words for one: suggest the one
                    parts.append(carry_case(original, words[pair]))
                    changed = True
                    confidence = min(confidence, PHRASE_SUGGESTION_CONFIDENCE)
                    j += 2  # the next word's gap is taken from the pair's second word
                    continue
                cand = int(best[first + j])
                if cand >= 0 and (sure[first + j] >= MIN_SUGGESTION or f[first + j, col["best_gain"]] > 0):
                    parts.append(carry_case(original, words[cand]))
                    changed = True
                    confidence = min(confidence, float(sure[first + j]))
                else:
                    parts.append(original)
                j += 1
            suggestion = "".join(parts) if changed else None
            reasons = []
            token = doc.tokens[local[max(int(gain_arg[g]), 0)]]
            if gain_max[g] > 0 and best[first + int(gain_arg[g])] >= 0:
                reasons.append(f"'{words[int(best[first + int(gain_arg[g])])]}' fits this context far better than "
                               f"'{token}' (bigram evidence)")
            if zgain_max[g] >= 1.0:
                reasons.append(f"'{doc.tokens[local[int(zgain_arg[g])]]}' is a rare choice where a much more common "
                               "synonym exists")
            if slip[g] > 0:
                reasons.append("the article before it does not agree ('a' before a vowel, or 'an' before a consonant)")
            if unseen[g] > 0:
                reasons.append(f"'{token}' is never seen next to either neighbour in the bigram lists")
            if phrase[g] > 0:
                reasons.append("a two-word phrase where one word would read naturally")
            if neighbour[g] > 1 and len(reasons) < 3:
                reasons.append("next to other suspicious words: part of a replaced phrase")
            out.setdefault(d, []).append(Span(start, end, doc.text[start:end], float(span_score[g]),
                                              tuple(reasons[:3]) or ("the token model scores it as substituted",),
                                              suggestion, confidence if changed else 0.0))
        return out


_COLUMNS = {name: j for j, name in enumerate(FEATURE_NAMES)}


def score(text: str, threshold: float | None = None, model: Model | None = None, damage: bool = True) -> ScoreResult:
    """Score one text with the shipped model (or ``model``), with its damage report (``extra``);
    see :class:`ScoreResult`."""
    return Scorer(model, threshold, damage=damage).score(text)
