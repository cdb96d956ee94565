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

from detector.damage.gather import damage_many
from detector.detection.features import (
    FEATURE_NAMES,
    Encoded,
    best_candidates,
    concat,
    context,
    encode,
    phrase_swaps,
    segment_max,
    token_features,
)
from detector.detection.model import Model, load_model
from detector.detection.screen import load_screen, screen_features
from detector.lexicon.tables import NUM
from detector.spinner.spinner import carry_case
from detector.text.language import FUNCTION_WORDS, KNOWN_ZIPF, is_english

VERDICTS = ("spun", "clean", "not-english", "too-short")
MIN_SUGGESTION = 0.3  # candidate-model probability needed to suggest a word (else: a bigram gain)
MAX_BATCH_WORDS = 60_000  # words scored in one pass (a pass holds about 2 KB a word; a longer text is one pass)
PHRASE_SUGGESTION_CONFIDENCE = 0.9  # the most a phrase swap's suggestion counts as (by how much likelier it is)


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
    # each replacement the suggestion is made of: (start, end, replacement, confidence), where
    # confidence = the word's probability of being spun x the probability that this is its original
    changes: tuple[tuple[int, int, str, float], ...] = ()

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
    display_threshold: float = 0.0  # spans scoring this much are shown to people

    @property
    def shown_spans(self) -> tuple[Span, ...]:
        """The spans worth a person's attention (terminal, demo, web page): those scoring at least
        the model's display threshold. JSON keeps every span over the span threshold."""
        return tuple(s for s in self.spans if s.score >= self.display_threshold)

    def to_dict(self) -> dict:
        out = {"id": self.id, "score": round(self.score, 4), "verdict": self.verdict,
               "spans": [s.to_dict() for s in self.spans], "display_threshold": self.display_threshold,
               "model": self.model, "words": self.words}
        out.update(self.extra)
        return out


@dataclass
class _Prepared:
    doc: Encoded
    english: bool


class Scorer:
    """Scores texts with one model; reuse it for many texts (``score_many`` batches the work)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None, damage: bool = False,
                 screen: bool = True):
        """``damage``: also report machine-translation and line damage (:mod:`detector.damage.gather`) in
        ``extra["damage"]`` (about as costly again as scoring; it needs every document's features, so
        batches are then scored exhaustively). ``screen``: in :meth:`score_many`, settle clearly clean
        documents with the cheap screen stored beside the model (:mod:`detector.detection.screen`),
        when there is one calibrated for this model; :meth:`score` of one text never screens."""
        self.model = model or load_model()
        self.damage = damage
        self.screen = (load_screen(self.model.folder, self.model.token_sha256)
                       if screen and self.model.folder is not None else None)
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
        """Score one text with the full model (never screened)."""
        return self.score_many([text], [id], exhaustive=True)[0]

    def score_many(self, texts: Sequence[str], ids: Sequence[object] | None = None,
                   exhaustive: bool = False) -> list[ScoreResult]:
        """Score several texts with one pass of the features and each model (much faster in bulk).

        Unless ``exhaustive`` (or the scorer has no screen, or reports damage), the screen first
        settles the documents it finds clearly clean: verdict ``clean``, no spans, the screen's
        estimate as score and ``"screened": true`` in the record. The rest get the full model."""
        ids = list(ids) if ids is not None else [None] * len(texts)
        prepared = [self._prepare(t) for t in texts]
        if not prepared:
            return []
        results: list[ScoreResult] = []
        first, words = 0, 0
        for i, p in enumerate(prepared):  # memory grows with the words scored together: bounded batches
            words += len(p.doc.word_positions)
            if words >= MAX_BATCH_WORDS or i == len(prepared) - 1:
                results += self._score_prepared(texts[first : i + 1], ids[first : i + 1], prepared[first : i + 1],
                                                exhaustive)
                first, words = i + 1, 0
        return results

    def _score_prepared(self, texts: Sequence[str], ids: list, prepared: list[_Prepared],
                        exhaustive: bool) -> list[ScoreResult]:
        screen = None if exhaustive or self.damage else self.screen
        if screen is None:
            return self._score_full(texts, ids, prepared)
        tables = self.model.tables
        n_words = np.array([len(p.doc.word_positions) for p in prepared])
        eligible = (np.array([p.english for p in prepared]) & (n_words >= self.model.min_words)
                    & (n_words <= screen.max_words))
        estimate = np.zeros(len(prepared))
        settled = np.zeros(len(prepared), dtype=bool)
        candidates = np.flatnonzero(eligible)
        if len(candidates):
            joined, _, rows = concat([prepared[i].doc for i in candidates.tolist()])
            X = screen_features(joined, tables, context(joined, tables), rows)
            settled[candidates] = ~screen.passes(X)
            estimate[candidates] = screen.estimate(X)
        full = np.flatnonzero(~settled).tolist()
        scored = iter(self._score_full([texts[i] for i in full], [ids[i] for i in full], [prepared[i] for i in full])
                      if full else [])
        ceiling = float(np.nextafter(self.threshold, 0.0))
        results = []
        for i, text in enumerate(texts):
            if settled[i]:
                results.append(ScoreResult(text, min(float(estimate[i]), ceiling), "clean", (), self.model.label,
                                           int(n_words[i]), ids[i], {"screened": True},
                                           self.model.display_threshold))
            else:
                results.append(next(scored))
        return results

    def _score_full(self, texts: Sequence[str], ids: list, prepared: list[_Prepared]) -> list[ScoreResult]:
        """The full model on every text (features, token and context trees, document model, spans)."""
        tables = self.model.tables
        joined, token_offsets, rows = concat([p.doc for p in prepared])
        spans_by_doc: dict[int, list[Span]] = {}
        if len(joined.word_positions):
            ctx = context(joined, tables)
            swaps = phrase_swaps(joined, tables)
            features = token_features(joined, tables, ctx, swaps)
            probs_all = self.model.token_probs(features, rows)
        else:
            features, probs_all = np.zeros((0, len(FEATURE_NAMES))), np.zeros(0)
        word_ids = joined.ids[joined.word_positions]
        doc_rows = [self.model.doc_features(probs_all[rows[i] : rows[i + 1]], word_ids[rows[i] : rows[i + 1]])
                    for i in range(len(prepared))]
        doc_scores = self.model.doc_model.predict_proba(np.vstack(doc_rows))
        flagged = np.nonzero(probs_all >= self.model.span_threshold)[0]
        if len(flagged):  # the candidate model ranks the possible originals of flagged words
            best, sure = best_candidates(tables, ctx, flagged, joined, self.model.cand_model)
            spans_by_doc = self._spans(prepared, joined, token_offsets, rows, features, probs_all, flagged, best, sure,
                                       swaps)
        damages = (damage_many(list(texts), [p.doc for p in prepared],
                               [features[rows[i] : rows[i + 1]] for i in range(len(prepared))])
                   if self.damage else [])
        results = []
        for i, (text, p) in enumerate(zip(texts, prepared)):
            n = int(rows[i + 1] - rows[i])
            label = self.model.label
            extra = {"damage": damages[i]} if self.damage else {}
            shown_from = self.model.display_threshold
            if not p.english:
                results.append(ScoreResult(text, 0.0, "not-english", (), label, n, ids[i], extra, shown_from))
                continue
            score = float(doc_scores[i]) if n else 0.0
            verdict = "too-short" if n < self.model.min_words else "spun" if score >= self.threshold else "clean"
            results.append(ScoreResult(text, score, verdict, tuple(spans_by_doc.get(i, ())), label, n, ids[i], extra,
                                       shown_from))
        return results

    # -- spans ---------------------------------------------------------------------------------
    def _original_text(self, candidate: int) -> str:
        """The words of a phrase table original (an index into its originals)."""
        table, words = self.model.tables.phrases, self.model.tables.vocab.words
        return " ".join(words[w] for w in table.orig_ids[table.orig_ptr[candidate] : table.orig_ptr[candidate + 1]])

    def _spans(self, prepared, joined, token_offsets, rows, features, probs, flagged, best,
               sure, swaps) -> dict[int, list[Span]]:
        """Merge flagged words that stand next to each other into spans, with reasons and suggestions.

        A listed spun phrase that overlaps a span and that the broad model finds likelier with one of
        its originals ("for the reason that" -> "because") is suggested whole, and the span grows to
        cover it; other flagged words get their best single-word candidate."""
        positions = joined.word_positions[flagged]
        breaks = np.r_[True, positions[1:] != positions[:-1] + 1]
        group_starts = np.nonzero(breaks)[0]
        counts = np.diff(np.r_[group_starts, len(flagged)])
        f = features[flagged]
        col = _COLUMNS
        span_score = np.maximum.reduceat(probs[flagged], group_starts)
        gain_key = np.maximum(f[:, col["lm_gain"]], f[:, col["wiki_gain"]])
        _, gain_arg = segment_max(gain_key, counts, -1.0)
        gain_max = np.maximum.reduceat(gain_key, group_starts)
        zgain_max = np.maximum.reduceat(f[:, col["candidate_zipf_gain"]], group_starts)
        _, zgain_arg = segment_max(f[:, col["candidate_zipf_gain"]], counts, -1.0)
        slip = np.maximum.reduceat(f[:, col["article_slip"]], group_starts)
        unlisted = np.maximum.reduceat(f[:, col["lm_unlisted_left"]] * f[:, col["lm_unlisted_right"]], group_starts)
        neighbour = np.maximum.reduceat(f[:, col["neighbour_gain"]], group_starts)
        doc_of = np.searchsorted(rows, flagged[group_starts], side="right") - 1
        words = self.model.tables.vocab.words
        useful = np.nonzero(swaps.gain > 0)[0]  # phrase swaps the model prefers, by start
        swap_starts = swaps.start[useful]
        out: dict[int, list[Span]] = {}
        for g, first in enumerate(group_starts.tolist()):
            d = int(doc_of[g])
            doc = prepared[d].doc
            if not prepared[d].english:
                continue
            k = int(counts[g])
            group = positions[first : first + k]
            offsets = doc.spans()
            base = int(token_offsets[d])
            # phrase swaps overlapping the group, strongest first, not overlapping each other
            near = useful[(swap_starts <= group[-1]) & (swap_starts + swaps.length[useful] > group[0])]
            chosen: dict[int, int] = {}  # joined token position -> swap index
            covered: set[int] = set()
            for i in sorted(near.tolist(), key=lambda i: -swaps.gain[i]):
                cells = set(range(int(swaps.start[i]), int(swaps.start[i] + swaps.length[i])))
                if not cells & covered:
                    chosen[int(swaps.start[i])] = i
                    covered |= cells
            lo, hi = int(group[0]), int(group[-1])
            if covered:
                lo, hi = min(lo, min(covered)), max(hi, max(covered))
            row_of = {int(p): first + j for j, p in enumerate(group.tolist())}
            start, end = offsets[lo - base][0], offsets[hi - base][1]
            parts, changed, confidence = [], False, 1.0
            pieces: list[tuple[int, int, str, float]] = []
            t = lo
            while t <= hi:
                if t > lo:
                    parts.append(doc.text[offsets[t - 1 - base][1] : offsets[t - base][0]])
                original = doc.text[offsets[t - base][0] : offsets[t - base][1]]
                if t in chosen:  # a spun phrase: its original, whole
                    i = chosen[t]
                    last = t + int(swaps.length[i]) - 1
                    before = doc.text[offsets[t - base][0] : offsets[last - base][1]]
                    after = carry_case(before, self._original_text(int(swaps.best[i])))
                    parts.append(after)
                    changed = True
                    # how sure the phrase was replaced: its words' probability x how much likelier the original is
                    likelier = min(PHRASE_SUGGESTION_CONFIDENCE, 1 - 10 ** -float(swaps.gain[i]))
                    inside = [probs[flagged[row_of[u]]] for u in range(t, last + 1) if u in row_of]
                    pieces.append((offsets[t - base][0], offsets[last - base][1], after,
                                   float(max(inside, default=0.0)) * likelier))
                    confidence = min(confidence, likelier)
                    t = last + 1
                    continue
                r = row_of.get(t)
                cand = int(best[r]) if r is not None else -1
                if cand >= 0 and (sure[r] >= MIN_SUGGESTION or f[r, col["best_gain"]] > 0):
                    after = carry_case(original, words[cand])
                    parts.append(after)
                    changed = True
                    confidence = min(confidence, float(sure[r]))
                    sure_piece = float(probs[flagged[r]] * sure[r])
                    pieces.append((offsets[t - base][0], offsets[t - base][1], after, sure_piece))
                else:
                    parts.append(original)
                t += 1
            suggestion = "".join(parts) if changed else None
            reasons = []
            arg = max(int(gain_arg[g]), 0)
            token = doc.tokens[int(group[arg]) - base]
            if chosen:
                i = max(chosen.values(), key=lambda i: swaps.gain[i])
                phrase_text = " ".join(doc.tokens[int(swaps.start[i]) - base : int(swaps.start[i] + swaps.length[i])
                                                  - base])
                reasons.append(f"'{phrase_text}' is a phrase spinners write for "
                               f"'{self._original_text(int(swaps.best[i]))}', which fits here far better")
            if gain_max[g] > 0 and best[first + arg] >= 0:
                reasons.append(f"'{words[int(best[first + arg])]}' fits this context far better than '{token}'")
            if zgain_max[g] >= 1.0:
                reasons.append(f"'{doc.tokens[int(group[int(zgain_arg[g])]) - base]}' is a rare choice where a much "
                               "more common synonym exists")
            if slip[g] > 0:
                reasons.append("the article before it does not agree ('a' before a vowel, or 'an' before a consonant)")
            if unlisted[g] > 0:
                reasons.append(f"'{token}' is never seen next to either neighbour in ordinary English")
            if neighbour[g] > 1 and len(reasons) < 3:
                reasons.append("next to other suspicious words: part of a replaced phrase")
            out.setdefault(d, []).append(Span(start, end, doc.text[start:end], float(span_score[g]),
                                              tuple(reasons[:3]) or ("the token model scores it as substituted",),
                                              suggestion, confidence if changed else 0.0, tuple(pieces)))
        return out


_COLUMNS = {name: j for j, name in enumerate(FEATURE_NAMES)}


def token_model_sha256(model: Model) -> str:
    """The checksum a screen calibrated for ``model`` records (:mod:`detector.detection.screen`)."""
    return model.token_sha256


def score(text: str, threshold: float | None = None, model: Model | None = None, damage: bool = True) -> ScoreResult:
    """Score one text with the shipped model (or ``model``), with its damage report (``extra``);
    see :class:`ScoreResult`."""
    return Scorer(model, threshold, damage=damage).score(text)
