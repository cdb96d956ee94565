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

from detector.features import (
    FEATURE_NAMES,
    Context,
    Encoded,
    best_candidates,
    concat,
    context,
    encode,
    token_features,
)
from detector.language import FUNCTION_WORDS, KNOWN_ZIPF, is_english
from detector.model import Model, load_model
from detector.spinner import carry_case
from detector.tables import NUM

VERDICTS = ("spun", "clean", "not-english", "too-short")


@dataclass(frozen=True)
class Span:
    """A suspicious stretch: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]
    suggestion: str | None

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
    ctx: Context | None = None
    features: np.ndarray | None = None
    best: np.ndarray | None = None


class Scorer:
    """Scores texts with one model; reuse it for many texts (``score_many`` batches the work)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None):
        self.model = model or load_model()
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
        tables = self.model.tables
        joined, _, rows = concat([p.doc for p in prepared]) if prepared else (None, None, np.array([0]))
        if joined is not None and len(joined.word_positions):
            ctx = context(joined, tables)
            features = token_features(joined, tables, ctx)
            probs_all = self.model.token_probs(features)
            flagged = np.nonzero(probs_all >= self.model.span_threshold)[0]
            best_all = np.full(len(probs_all), -1, dtype=np.int64)
            best_all[flagged] = best_candidates(tables, ctx, flagged)
        else:
            features, probs_all, best_all = np.zeros((0, len(FEATURE_NAMES))), np.zeros(0), np.zeros(0, int)
        doc_rows = [self.model.doc_features(probs_all[rows[i]:rows[i + 1]], features[rows[i]:rows[i + 1]])
                    for i in range(len(prepared))]
        doc_scores = self.model.doc_model.predict_proba(np.vstack(doc_rows)) if prepared else []
        results = []
        for i, (text, p) in enumerate(zip(texts, prepared)):
            p.features = features[rows[i] : rows[i + 1]]
            p.best = best_all[rows[i] : rows[i + 1]]
            probs = probs_all[rows[i] : rows[i + 1]]
            results.append(self._result(text, ids[i], p, probs, float(doc_scores[i])))
        return results

    def _result(self, text: str, id: object, p: _Prepared, probs: np.ndarray, doc_score: float) -> ScoreResult:
        n = len(probs)
        label = self.model.label
        if not p.english:
            return ScoreResult(text, 0.0, "not-english", (), label, n, id)
        verdict = "too-short" if n < self.model.min_words else "spun" if doc_score >= self.threshold else "clean"
        spans = self._spans(p, probs) if n else ()
        return ScoreResult(text, doc_score if n else 0.0, verdict, spans, label, n, id)

    # -- spans ---------------------------------------------------------------------------------
    def _spans(self, p: _Prepared, probs: np.ndarray) -> tuple[Span, ...]:
        flagged = np.nonzero(probs >= self.model.span_threshold)[0]
        if not len(flagged):
            return ()
        tables = self.model.tables
        doc = p.doc
        spans = doc.spans()
        best = p.best
        groups: list[list[int]] = [[int(flagged[0])]]
        for k in flagged[1:].tolist():
            if doc.word_positions[k] == doc.word_positions[groups[-1][-1]] + 1:
                groups[-1].append(k)
            else:
                groups.append([k])
        out = []
        for group in groups:
            first, last = doc.word_positions[group[0]], doc.word_positions[group[-1]]
            start, end = spans[first][0], spans[last][1]
            pieces, changed = [], False
            for k in group:
                s, e = spans[doc.word_positions[k]]
                original = doc.text[s:e]
                cand = int(best[k])
                if cand >= 0 and p.features[k, FEATURE_NAMES.index("best_gain")] > 0:
                    pieces.append(carry_case(original, tables.vocab.words[cand]))
                    changed = True
                else:
                    pieces.append(original)
            suggestion = None
            if changed:
                gaps = [doc.text[spans[doc.word_positions[a]][1] : spans[doc.word_positions[b]][0]]
                        for a, b in zip(group, group[1:])]
                suggestion = pieces[0] + "".join(g + w for g, w in zip(gaps, pieces[1:]))
            reasons = self._reasons(p, group, best)
            out.append(Span(start, end, doc.text[start:end], float(probs[group].max()), reasons, suggestion))
        return tuple(out)

    def _reasons(self, p: _Prepared, group: list[int], best: np.ndarray) -> tuple[str, ...]:
        words = self.model.tables.vocab.words
        f = p.features[group]
        col = _COLUMNS
        reasons = []
        gains = f[:, col["best_gain"]]
        k = group[int(np.argmax(gains))]
        token = p.doc.tokens[p.doc.word_positions[k]]
        if gains.max() > 0 and best[k] >= 0:
            reasons.append(f"'{words[int(best[k])]}' fits this context far better than '{token}' (bigram evidence)")
        zgain = f[:, col["candidate_zipf_gain"]]
        if zgain.max() >= 1.0:
            word = p.doc.tokens[p.doc.word_positions[group[int(np.argmax(zgain))]]]
            reasons.append(f"'{word}' is a rare choice where a much more common synonym exists")
        if f[:, col["article_slip"]].max() > 0:
            reasons.append("the article before it does not agree ('a' before a vowel, or 'an' before a consonant)")
        if (f[:, col["web_unseen_left"]] * f[:, col["web_unseen_right"]]).max() > 0:
            reasons.append(f"'{token}' is never seen next to either neighbour in the bigram lists")
        if f[:, col["in_phrase"]].max() > 0 and f[:, col["phrase_gain"]].max() > 0:
            reasons.append("a two-word phrase where one word would read naturally")
        if f[:, col["neighbour_gain"]].max() > 1 and len(reasons) < 3:
            reasons.append("next to other suspicious words: part of a replaced phrase")
        return tuple(reasons[:3]) or ("the token model scores it as substituted",)


_COLUMNS = {name: j for j, name in enumerate(FEATURE_NAMES)}


def score(text: str, threshold: float | None = None, model: Model | None = None) -> ScoreResult:
    """Score one text with the shipped model (or ``model``); see :class:`ScoreResult`."""
    return Scorer(model, threshold).score(text)
