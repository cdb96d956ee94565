"""Where documents and spans are scored: ``detector.score(text)`` and the batch scorer behind it.

>>> result = Scorer().score("Customers of the Chinese language social media app welcomed refugees from the "
...                         "US with selfies and messages on Wednesday, as Beijing stated it inspired stronger "
...                         "cultural ties with different nations in response to the sudden inflow.")
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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from detector.detection.features import (
    FEATURE_NAMES,
    Encoded,
    concat,
    context,
    encode,
    phrase_swaps,
    segment_max,
    token_features,
)
from detector.detection.model import Model, load_model, scorable
from detector.detection.neural_stage import neural_rows, register_features
from detector.detection.screen import load_screen, screen_features
from detector.detection.suggestions import (
    INFLECTED_PENALTY,
    inflected_context,
    logit,
    ranked_candidates,
    rechoose_phrase_originals,
    suggestion_probability,
    word_gains,
)
from detector.lexicon.tables import BOUNDARY, NUM
from detector.spinner.spinner import carry_case
from detector.text.language import FUNCTION_WORDS, KNOWN_ZIPF, is_english

VERDICTS = ("spun", "clean", "not-english", "too-short")
MIN_SUGGESTION = 0.3  # candidate-model probability needed to suggest a word (else: a bigram gain)
MAX_BATCH_WORDS = 60_000  # words scored in one pass (a pass holds about 2 KB a word; a longer text is one pass)
PHRASE_SUGGESTION_CONFIDENCE = 0.9  # the most a phrase swap's suggestion counts as (by how much likelier it is)
NAMES_KEPT = True  # a capitalised word mid-sentence (a name) gets no single-word candidate...
NAME_MIN_LOG = 2.0  # ...unless it makes a known name (a pair seen 100 times in Wikipedia) with its neighbour


@dataclass(frozen=True)
class Span:
    """A suspicious stretch: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]
    suggestion: str | None
    suggestion_confidence: float = 0.0  # calibrated probability that the candidate is the original
    # each replacement the candidate is made of: (start, end, replacement, confidence), where
    # confidence = the word's probability of being spun x the probability that this is its original
    changes: tuple[tuple[int, int, str, float], ...] = ()
    candidate: str | None = None  # the probable original, shown as ``suggestion`` only when confident
    evidence: tuple[float, ...] = ()  # what the confidence is computed from (SUGGESTION_FEATURES)
    change_reasons: tuple[str, ...] = ()  # why each of ``changes`` (when the sentence was re-read)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "score": round(self.score, 4),
                "reasons": list(self.reasons), "suggestion": self.suggestion,
                "suggestion_confidence": round(self.suggestion_confidence, 4)}


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
    tokens: TokenProbs | None = field(default=None, repr=False, compare=False)  # score_many(keep_tokens=True)
    evidence: str = "ngram"  # "ngram", or "ngram+neural" when the neural stage read it too
    reread: bool = field(default=False, compare=False)  # spans' suggestions chosen by re-reading their sentences

    @property
    def shown_spans(self) -> tuple[Span, ...]:
        """The spans worth a person's attention (terminal, demo, web page): those scoring at least
        the model's display threshold. JSON keeps every span over the span threshold."""
        return tuple(s for s in self.spans if s.score >= self.display_threshold)

    def to_dict(self) -> dict:
        out = {"id": self.id, "score": round(self.score, 4), "verdict": self.verdict,
               "spans": [s.to_dict() for s in self.spans], "display_threshold": self.display_threshold,
               "model": self.model, "evidence": self.evidence, "words": self.words}
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class TokenProbs:
    """The scored words of one document as the token model saw them (``Scorer.score_many(...,
    keep_tokens=True)``): character ``starts``/``ends``, vocabulary ``ids``, spun ``probs`` and the
    token ``features`` rows, in text order; ``Model.token_probs(features)`` gives ``probs`` and
    ``Model.doc_features(probs, ids)`` the document model's inputs back."""

    starts: np.ndarray
    ends: np.ndarray
    ids: np.ndarray
    probs: np.ndarray
    features: np.ndarray | None = None
    ngram_probs: np.ndarray | None = None  # the n-gram stage's probabilities (``probs`` when no neural stage ran)
    neural: np.ndarray | None = None  # the neural stage's rows (NEURAL_FEATURES), when it ran
    register: np.ndarray | None = None  # the document's REGISTER_FEATURES, when it ran


@dataclass
class _Prepared:
    doc: Encoded
    english: bool


@dataclass
class NgramPass:
    """The n-gram stage on documents joined into one: features, word probabilities, document scores
    (rows ``rows[i]:rows[i+1]`` are document ``i``'s words)."""

    joined: Encoded
    token_offsets: np.ndarray
    rows: np.ndarray
    ctx: object
    swaps: object
    features: np.ndarray
    probs: np.ndarray
    word_ids: np.ndarray
    doc_scores: np.ndarray


def ngram_pass(model: Model, docs: list[Encoded]) -> NgramPass:
    """Token features, the word and context trees, and the document model over ``docs`` in one pass."""
    tables = model.tables
    joined, token_offsets, rows = concat(docs)
    ctx = swaps = None
    if len(joined.word_positions):
        ctx = context(joined, tables)
        swaps = phrase_swaps(joined, tables)
        features = token_features(joined, tables, ctx, swaps)
        probs = model.token_probs(features, rows)
    else:
        features, probs = np.zeros((0, len(FEATURE_NAMES))), np.zeros(0)
    word_ids = joined.ids[joined.word_positions]
    doc_rows = [model.doc_features(probs[rows[i] : rows[i + 1]], word_ids[rows[i] : rows[i + 1]])
                for i in range(len(docs))]
    doc_scores = model.doc_model.predict_proba(np.vstack(doc_rows)) if docs else np.zeros(0)
    return NgramPass(joined, token_offsets, rows, ctx, swaps, features, probs, word_ids, doc_scores)


class Scorer:
    """Scores texts with one model; reuse it for many texts (``score_many`` batches the work)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None, screen: bool = True,
                 neural: bool | None = None, neural_budget: float = 1.0, neural_threads: int | None = None,
                 device: str = "cpu", reread: bool | None = None):
        """``screen``: in :meth:`score_many`, settle clearly clean documents with the cheap screen
        stored beside the model (:mod:`detector.detection.screen`), when there is one calibrated for
        this model; :meth:`score` of one text never screens. Machine-translation and line damage are
        added one layer up (:class:`detector.analysis.Analyzer`).

        ``neural``: read texts with the neural model of English too (:mod:`detector.neural`; the
        model's neural stage): ``None`` when it is installed, ``True`` always (an error when it is
        not installed), ``False`` never. A single text (:meth:`score`, or ``exhaustive``) always gets
        it; in a batch only the documents whose n-gram score falls in the stage's uncertain band do,
        at most ``neural_budget`` of them (a share), the most uncertain first. ``neural_threads``:
        threads of its matrix products (1 in a worker among several); ``device``: ``cpu`` (numpy) or
        ``cuda`` (torch).

        ``reread``: choose each span's candidate by re-reading its sentence with the neural model
        (:mod:`detector.detection.rereading`): ``None`` when the model is installed, calibrated
        rereading is stored beside the model and ``neural`` is not ``False``; ``True`` always;
        ``False`` never (the n-gram stage's choice)."""
        self.model = model or load_model()
        self.screen = (load_screen(self.model.folder, self.model.token_sha256)
                       if screen and self.model.folder is not None else None)
        self.lm = self._language_model(neural, neural_threads, device)
        self.stage = self.model.neural if self.lm is not None else None
        self.neural_budget = neural_budget
        self.ngram_threshold = self.model.threshold if threshold is None else threshold
        self.neural_threshold = (self.stage.threshold if threshold is None else threshold) if self.stage else None
        self.threshold = self.neural_threshold if self.stage is not None else self.ngram_threshold
        from detector.neural.reading import switched_off

        off = switched_off()
        self.rereader, self.reread_lm = self._rereading(
            False if (neural is False or (neural is None and off)) and reread is None else reread, neural_threads,
            device)
        index = self.model.tables.vocab.index
        self._function_ids = np.array(sorted(index[w] for w in FUNCTION_WORDS if w in index))

    def _language_model(self, neural: bool | None, threads: int | None, device: str):
        """The neural model when this scorer uses it (see :meth:`__init__`), else None. With
        ``neural=None``, ``DETECTOR_NEURAL=off`` in the environment turns it off."""
        from detector.neural.reading import optional_language_model, switched_off

        if neural is False or (neural is None and (self.model.neural is None or switched_off())):
            return None
        if self.model.neural is None:
            from detector.errors import ModelError

            raise ModelError(f"model {self.model.label} has no neural stage; train one with `detector train-neural`")
        return optional_language_model(neural, threads, device)

    def _rereading(self, reread: bool | None, threads: int | None, device: str = "cpu"):
        """The stored rereading stage and the neural model it reads with, or (None, None)."""
        if reread is False:
            return None, None
        from detector.detection.rereading import Rereader

        folder = self.model.folder
        found = Rereader.load(folder / "rereading.json") if folder is not None else None
        if found is None and reread:
            found = Rereader()
        if found is None:
            return None, None
        if self.lm is not None:
            return found, self.lm
        from detector.neural.reading import language_model
        from detector.neural.weights import NeuralUnavailable

        try:
            return found, language_model(threads, device)
        except NeuralUnavailable:
            if reread:
                raise
            return None, None

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

    def token_probabilities(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's word probabilities of being spun (one per scored word), as ``score_many`` computes them."""
        docs = [encode(t, self.model.tables) for t in texts]
        joined, _, rows = concat(docs)
        if not len(joined.word_positions):
            return [np.zeros(0) for _ in texts]
        probs = self.model.token_probs(token_features(joined, self.model.tables), rows)
        return [probs[rows[i] : rows[i + 1]] for i in range(len(texts))]

    def score(self, text: str, id: object = None, reread: bool = True) -> ScoreResult:
        """Score one text with the full model (never screened)."""
        return self.score_many([text], [id], exhaustive=True, reread=reread)[0]

    def score_many(self, texts: Sequence[str], ids: Sequence[object] | None = None,
                   keep_tokens: bool = False, exhaustive: bool = False, reread: bool = True) -> list[ScoreResult]:
        """Score several texts with one pass of the features and each model (much faster in bulk).
        ``keep_tokens``: each result also carries its words' probabilities (:class:`TokenProbs`).

        Unless ``exhaustive`` or ``keep_tokens`` (or the scorer has no screen), the
        screen first settles the documents it finds clearly clean: verdict ``clean``, no spans, the
        screen's estimate as score and ``"screened": true`` in the record. The rest get the full model.
        With the neural stage, ``exhaustive`` documents all get it; otherwise the uncertain band does.
        Spans are re-read (:mod:`detector.detection.rereading`) only in ``exhaustive`` calls (one
        text, repair); ``reread=False`` keeps the n-gram stage's suggestions there too."""
        ids = list(ids) if ids is not None else [None] * len(texts)
        prepared = [self._prepare(t) for t in texts]
        if not prepared:
            return []
        results: list[ScoreResult] = []
        first, words = 0, 0
        rereads = self.rereader is not None and reread and exhaustive  # a batch keeps the n-gram choice
        tokens = keep_tokens or (rereads and exhaustive)  # rereading weighs each word's probability
        for i, p in enumerate(prepared):  # memory grows with the words scored together: bounded batches
            words += len(p.doc.word_positions)
            if words >= MAX_BATCH_WORDS or i == len(prepared) - 1:
                results += self._score_prepared(texts[first : i + 1], ids[first : i + 1], prepared[first : i + 1],
                                                exhaustive or keep_tokens, tokens, exhaustive)
                first, words = i + 1, 0
        if rereads:
            from detector.detection.rereading import reread_results

            results = reread_results(self, results, self.rereader, self.reread_lm)
            if not keep_tokens:
                results = [replace(r, tokens=None) for r in results]
        return results

    def _score_prepared(self, texts: Sequence[str], ids: list, prepared: list[_Prepared],
                        unscreened: bool, keep_tokens: bool = False, neural_all: bool = False) -> list[ScoreResult]:
        screen = None if unscreened else self.screen
        if screen is None:
            return self._score_full(texts, ids, prepared, keep_tokens, neural_all)
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
                                           self.model.display_threshold_for(int(n_words[i]))))
            else:
                results.append(next(scored))
        return results

    def _score_full(self, texts: Sequence[str], ids: list, prepared: list[_Prepared],
                    keep_tokens: bool = False, neural_all: bool = False) -> list[ScoreResult]:
        """The full model on every text (features, token and context trees, document model, spans),
        and the neural stage on every text (``neural_all``) or on the batch's uncertain band."""
        tables = self.model.tables
        ng = ngram_pass(self.model, [p.doc for p in prepared])
        joined, token_offsets, rows, ctx, swaps = ng.joined, ng.token_offsets, ng.rows, ng.ctx, ng.swaps
        features, probs_all, word_ids, doc_scores = ng.features, ng.probs, ng.word_ids, ng.doc_scores.copy()
        spans_by_doc: dict[int, list[Span]] = {}
        ngram_probs = probs_all
        neural = self._neural_choice(prepared, rows, doc_scores, neural_all)
        span_cut = np.full(len(probs_all), self.model.span_threshold)
        found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if neural.any():
            probs_all, found = self._neural_stage(prepared, rows, features, ngram_probs, word_ids, neural,
                                                  doc_scores, span_cut)
        flagged = np.nonzero(probs_all >= span_cut)[0]
        if len(flagged):  # the candidate model ranks the possible originals of flagged words
            sub, sub_doc, added = inflected_context(tables, ctx, joined, flagged)
            best, sure, margin = ranked_candidates(tables, sub, np.arange(len(flagged)), sub_doc,
                                                   self.model.cand_model, added * INFLECTED_PENALTY)
            spans_by_doc = self._spans(prepared, joined, token_offsets, rows, features, probs_all, flagged, best, sure,
                                       swaps, margin)
        results = []
        for i, (text, p) in enumerate(zip(texts, prepared)):
            n = int(rows[i + 1] - rows[i])
            label, evidence = self.model.label, "ngram"
            threshold, shown_from = self.ngram_threshold, self.model.display_threshold_for(n)
            if neural[i]:
                label, evidence = f"{label}+{self.stage.lm}", "ngram+neural"
                threshold, shown_from = self.neural_threshold, self._neural_display(n)
            if not p.english:
                results.append(ScoreResult(text, 0.0, "not-english", (), label, n, ids[i], {}, shown_from,
                                           evidence=evidence))
                continue
            score = float(doc_scores[i]) if n else 0.0
            verdict = "too-short" if n < self.model.min_words else "spun" if score >= threshold else "clean"
            results.append(ScoreResult(text, score, verdict, tuple(spans_by_doc.get(i, ())), label, n, ids[i], {},
                                       shown_from, evidence=evidence))
        if keep_tokens:
            results = [replace(r, tokens=self._token_probs(
                p.doc, probs_all[rows[i] : rows[i + 1]], features[rows[i] : rows[i + 1]],
                ngram_probs[rows[i] : rows[i + 1]], *found.get(i, (None, None))))
                for i, (r, p) in enumerate(zip(results, prepared))]
        return results

    def _neural_choice(self, prepared: list[_Prepared], rows: np.ndarray, ngram_scores: np.ndarray,
                       every: bool) -> np.ndarray:
        """Which documents the neural stage reads: every English one with words (``every``), else
        those whose n-gram score falls in the stage's band, the most uncertain first, within budget."""
        chosen = np.zeros(len(prepared), dtype=bool)
        if self.stage is None:
            return chosen
        able = np.array([p.english and rows[i + 1] > rows[i] for i, p in enumerate(prepared)], dtype=bool)
        if every:
            return able
        lo, hi = self.stage.band
        inside = np.flatnonzero(able & (ngram_scores >= lo) & (ngram_scores <= hi))
        room = int(np.floor(self.neural_budget * len(prepared) + 1e-9))
        if len(inside) > room:
            doubt = np.abs(logit(np.clip(ngram_scores[inside], 1e-6, 1 - 1e-6)) - logit(self.ngram_threshold))
            inside = inside[np.argsort(doubt, kind="stable")[:room]]
        chosen[inside] = True
        return chosen

    def _neural_display(self, words: int) -> float:
        stage = self.stage
        if stage.display_threshold_short is not None and words < self.model.short_words:
            return max(stage.display_threshold, stage.display_threshold_short)
        return stage.display_threshold

    def neural_evidence(self, prepared: list[_Prepared], rows: np.ndarray, features: np.ndarray,
                        ngram_probs: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[float]]:
        """The neural rows of the chosen documents' words (concatenated in document order), the
        row index of each, and each chosen document's mean surprisal per token."""
        idx = np.concatenate([np.arange(rows[i], rows[i + 1]) for i in chosen.tolist()] or [np.zeros(0, int)])
        sub_rows = np.r_[0, np.cumsum([rows[i + 1] - rows[i] for i in chosen.tolist()])].astype(np.int64)
        found, per_token = neural_rows(self.lm, [prepared[i].doc for i in chosen.tolist()], self.model.tables,
                                       features[idx], ngram_probs[idx], sub_rows)
        return found, idx, per_token

    def _neural_stage(self, prepared, rows, features, ngram_probs, word_ids, neural, doc_scores, span_cut):
        """Apply the neural stage to the chosen documents: their word probabilities and document
        scores (in place), and each one's (neural rows, register)."""
        stage, tables = self.stage, self.model.tables
        chosen = np.flatnonzero(neural)
        found, idx, per_token = self.neural_evidence(prepared, rows, features, ngram_probs, chosen)
        probs = ngram_probs.copy()
        probs[idx] = stage.word_probs(found, scorable(features[idx]), self.model.base_rate)
        span_cut[idx] = stage.span_threshold
        out = {}
        at = 0
        for k, i in enumerate(chosen.tolist()):
            a, b = int(rows[i]), int(rows[i + 1])
            block = found[at : at + b - a]
            register = register_features(block, tables, word_ids[a:b], ngram_probs[a:b], per_token[k])
            x = np.r_[self.model.doc_features(probs[a:b], word_ids[a:b]), register]
            doc_scores[i] = float(stage.doc_model.predict_proba(x[None, :])[0])
            out[i] = (block, register)
            at += b - a
        return probs, out

    @staticmethod
    def _token_probs(doc: Encoded, probs: np.ndarray, features: np.ndarray, ngram_probs: np.ndarray,
                     neural: np.ndarray | None = None, register: np.ndarray | None = None) -> TokenProbs:
        spans = doc.spans()
        positions = doc.word_positions.tolist()
        return TokenProbs(np.array([spans[k][0] for k in positions], dtype=np.int64),
                          np.array([spans[k][1] for k in positions], dtype=np.int64),
                          doc.ids[doc.word_positions].copy(), np.asarray(probs, dtype=np.float64).copy(),
                          np.array(features), np.asarray(ngram_probs, dtype=np.float64).copy(), neural, register)

    # -- spans ---------------------------------------------------------------------------------
    def _original_text(self, candidate: int) -> str:
        """The words of a phrase table original (an index into its originals)."""
        table, words = self.model.tables.phrases, self.model.tables.vocab.words
        return " ".join(words[w] for w in table.orig_ids[table.orig_ptr[candidate] : table.orig_ptr[candidate + 1]])

    def _known_name(self, joined, t: int, cand: int) -> bool:
        """Whether candidate ``cand`` at joined position ``t`` makes a known name with a capitalised
        neighbour, next to it or one word away ("Combined States" -> "United States", "Secretary of
        Province" -> "Secretary of State"): the pair or triple is common in Wikipedia (``NAME_MIN_LOG``)
        and far commoner than with the word on the page."""
        tables, ids, n = self.model.tables, joined.ids, len(joined.ids)

        def capital(i: int) -> bool:
            return 0 <= i < n and bool(joined.capital[i]) and ids[i] >= 0

        def count(seq: list[int]) -> float:
            cols = [np.array([x]) for x in seq]
            return float((tables.bigram("wiki", *cols) if len(seq) == 2 else tables.trigram(*cols))[0])

        shapes = [(t - 1, t), (t, t + 1)]
        if t >= 2 and ids[t - 1] >= 0:
            shapes.append((t - 2, t - 1, t))
        if t + 2 < n and ids[t + 1] >= 0:
            shapes.append((t, t + 1, t + 2))
        for shape in shapes:
            other = shape[0] if shape[-1] == t else shape[-1]
            if not capital(other):
                continue
            found = count([cand if i == t else int(ids[i]) for i in shape])
            if found >= NAME_MIN_LOG and found >= count([int(ids[i]) for i in shape]) + 1:
                return True
        return False

    def _spans(self, prepared, joined, token_offsets, rows, features, probs, flagged, best,
               sure, swaps, margin=None) -> dict[int, list[Span]]:
        """Merge flagged words that stand next to each other into spans, with reasons and suggestions.

        A listed spun phrase that overlaps a span and that the broad model finds likelier with one of
        its originals ("for the reason that" -> "because") is the span's candidate for it, whole, and
        the span grows to cover it; other flagged words take their best single-word candidate, except
        capitalised words mid-sentence (names). The candidate is shown as the span's suggestion only
        when its calibrated probability of being the original reaches the model's
        ``suggestion_threshold`` (:mod:`detector.detection.suggestions`)."""
        positions = joined.word_positions[flagged]
        breaks = np.r_[True, positions[1:] != positions[:-1] + 1]
        group_starts = np.nonzero(breaks)[0]
        counts = np.diff(np.r_[group_starts, len(flagged)])
        f = features[flagged]
        col = _COLUMNS
        margin = np.full(len(flagged), 5.0) if margin is None else margin
        span_score = np.maximum.reduceat(probs[flagged], group_starts)
        gain_key = np.maximum(f[:, col["lm_gain"]], f[:, col["wiki_gain"]])
        gain_max = np.maximum.reduceat(gain_key, group_starts)
        zgain_max = np.maximum.reduceat(f[:, col["candidate_zipf_gain"]], group_starts)
        _, zgain_arg = segment_max(f[:, col["candidate_zipf_gain"]], counts, -1.0)
        slip = np.maximum.reduceat(f[:, col["article_slip"]], group_starts)
        unlisted = np.maximum.reduceat(f[:, col["lm_unlisted_left"]] * f[:, col["lm_unlisted_right"]], group_starts)
        unlisted_arg = segment_max(f[:, col["lm_unlisted_left"]] * f[:, col["lm_unlisted_right"]], counts, -1.0)[1]
        neighbour = np.maximum.reduceat(f[:, col["neighbour_gain"]], group_starts)
        doc_of = np.searchsorted(rows, flagged[group_starts], side="right") - 1
        tables = self.model.tables
        words = tables.vocab.words
        table = tables.phrases
        swaps = rechoose_phrase_originals(joined, tables, swaps, positions)
        useful = np.nonzero(swaps.gain > 0)[0]  # phrase swaps the model prefers, by start
        swap_starts = swaps.start[useful]
        pending = []
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
            kinds: list[str] = []
            word_at: list[tuple[int, int, int]] = []  # (piece, joined position, candidate id) of word pieces
            # evidence for the calibrator (SUGGESTION_FEATURES)
            word_logits, margins, phrase_gains, options, piece_logits, priors = [], [], [], [], [], []
            capital_mid, kept = 0.0, 0
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
                    kinds.append("phrase")
                    confidence = min(confidence, likelier)
                    phrase_gains.append(float(swaps.gain[i]))
                    which = int(np.searchsorted(table.cand_ptr, int(swaps.best[i]), side="right")) - 1
                    options.append(float(np.log1p(table.cand_ptr[which + 1] - table.cand_ptr[which])))
                    piece_logits.append(float(logit(max(inside, default=0.0))))
                    mid = t > 0 and joined.ids[t - 1] != BOUNDARY
                    if any(joined.capital[u] for u in range(t if not mid else t, last + 1)) and (mid or any(
                            joined.capital[u] for u in range(t + 1, last + 1))):
                        capital_mid = 1.0
                    t = last + 1
                    continue
                r = row_of.get(t)
                cand = int(best[r]) if r is not None else -1
                name = (NAMES_KEPT and cand >= 0 and f[r, col["capital_mid"]] > 0
                        and _is_name(doc.text, offsets[t - base][0], offsets[t - 1 - base][1])
                        and not self._known_name(joined, t, cand))
                if cand >= 0 and not name and (sure[r] >= MIN_SUGGESTION or f[r, col["best_gain"]] > 0):
                    after = carry_case(original, words[cand])
                    parts.append(after)
                    changed = True
                    confidence = min(confidence, float(sure[r]))
                    sure_piece = float(probs[flagged[r]] * sure[r])
                    word_at.append((len(pieces), t, cand))
                    pieces.append((offsets[t - base][0], offsets[t - base][1], after, sure_piece))
                    kinds.append("word")
                    word_logits.append(float(logit(sure[r])))
                    margins.append(float(margin[r]))
                    piece_logits.append(float(logit(probs[flagged[r]])))
                    priors.append(float(tables.in_degree[cand]))
                else:
                    parts.append(original)
                    kept += r is not None
                t += 1
            evidence = (float(logit(span_score[g])), float(len(word_logits)), float(len(phrase_gains)),
                        min(word_logits, default=0.0), min(margins, default=5.0), min(phrase_gains, default=0.0),
                        max(options, default=0.0), float(kept), capital_mid, min(piece_logits, default=0.0),
                        float(hi - lo + 1), max(priors, default=0.0))
            pending.append({"doc": d, "start": start, "end": end, "score": float(span_score[g]),
                            "candidate": "".join(parts) if changed else None, "raw": confidence if changed else 0.0,
                            "pieces": tuple(pieces), "kinds": kinds, "evidence": evidence, "word_at": word_at,
                            "gain": float(gain_max[g]) > 0 or bool(chosen),
                            "rare": doc.tokens[int(group[int(zgain_arg[g])]) - base] if zgain_max[g] >= 1.0 else None,
                            "slip": slip[g] > 0,
                            "unlisted": doc.tokens[int(group[max(int(unlisted_arg[g]), 0)]) - base]
                            if unlisted[g] > 0 else None, "neighbour": neighbour[g] > 1})
        out: dict[int, list[Span]] = {}
        if not pending:
            return out
        probability = suggestion_probability(self.model, np.array([p["evidence"] for p in pending]),
                                             np.array([p["raw"] for p in pending]))
        shown = [p["candidate"] is not None and prob >= self.model.suggestion_threshold
                 for p, prob in zip(pending, probability.tolist())]
        # how much likelier the broad model finds each shown word replacement (the reasons' evidence)
        asked = [(k, j, t, c) for k, (p, ok) in enumerate(zip(pending, shown)) if ok for j, t, c in p["word_at"]]
        for p in pending:
            p["gains"] = [float("nan")] * len(p["pieces"])
        if asked:
            found = word_gains(tables, joined, np.array([a[2] for a in asked]), np.array([a[3] for a in asked]))
            for (k, j, _, _), g in zip(asked, found.tolist()):
                pending[k]["gains"][j] = g
        for p, prob, ok in zip(pending, probability.tolist(), shown):
            doc = prepared[p["doc"]].doc
            span = Span(p["start"], p["end"], doc.text[p["start"] : p["end"]], p["score"], (),
                        p["candidate"] if ok else None, float(prob) if p["candidate"] is not None else 0.0,
                        p["pieces"], p["candidate"], p["evidence"])
            out.setdefault(p["doc"], []).append(replace(span, reasons=_reasons(span, doc.text, p)))
        return out


def _is_name(text: str, start: int, prev_end: int) -> bool:
    """A capitalised word mid-sentence reads as a name: not at the start of a line (after a heading
    with no full stop) and not in a line of capitalised words (a title).

    >>> _is_name("He met Grace there.", 7, 6), _is_name("Heading" + chr(10) + "Users like it", 8, 7)
    (True, False)
    >>> _is_name("Chinese Users Welcome Refugees", 8, 7)
    False
    """
    if "\n" in text[prev_end:start]:
        return False
    a, b = text.rfind("\n", 0, start) + 1, text.find("\n", start)
    words = _WORDS.findall(text[a : b if b >= 0 else len(text)])
    return sum(w[0].isupper() for w in words) < 0.6 * len(words)


_WORDS = re.compile(r"[^\W\d_][\w'-]*")


def _times(gain: float) -> str:
    """``10 ** gain`` in words: "12 times", "over 1,000 times"."""
    return "over 1,000 times" if gain >= 3 else f"{10 ** gain:.0f} times"


def _reasons(span: Span, text: str, p: dict) -> tuple[str, ...]:
    """Plain-words reasons that name no word but the span's own and its suggestion's."""
    reasons = []
    if span.suggestion is not None:
        order = sorted(range(len(p["pieces"])), key=lambda j: (p["kinds"][j] != "phrase", -p["pieces"][j][3]))
        for j in order[:2]:
            a, b, after, _ = p["pieces"][j]
            before = text[a:b]
            if p["kinds"][j] == "phrase":
                reasons.append(f"'{before}' is a phrase spinners write for '{after}', which fits here far better")
            elif p["gains"][j] >= 1:
                reasons.append(f"'{after}' fits this context far better than '{before}' (the model of ordinary "
                               f"English finds it {_times(p['gains'][j])} likelier here)")
            elif p["gains"][j] > 0:
                reasons.append(f"'{after}' fits this context better than '{before}'")
            else:
                reasons.append(f"'{after}' is what '{before}' most likely stood for: of the words a spinner "
                               f"replaces with '{before}', it fits here best")
    elif p["gain"]:
        reasons.append("a more usual wording would fit this context far better, but no original is clear "
                       "enough to suggest")
    if p["rare"] is not None:
        reasons.append(f"'{p['rare']}' is a rare choice where a much more common synonym exists")
    if p["slip"]:
        reasons.append("the article before it does not agree ('a' before a vowel, or 'an' before a consonant)")
    if p["unlisted"] is not None:
        reasons.append(f"'{p['unlisted']}' is never seen next to either neighbour in ordinary English")
    if p["neighbour"] and len(reasons) < 3:
        reasons.append("next to other suspicious words: part of a replaced phrase")
    return tuple(reasons[:3]) or ("the token model scores it as substituted",)


_COLUMNS = {name: j for j, name in enumerate(FEATURE_NAMES)}


def token_model_sha256(model: Model) -> str:
    """The checksum a screen calibrated for ``model`` records (:mod:`detector.detection.screen`)."""
    return model.token_sha256
