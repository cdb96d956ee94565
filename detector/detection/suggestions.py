"""Which original a span is shown with, and only when it is probably right.

>>> calibrator = SuggestionCalibrator(np.zeros(len(SUGGESTION_FEATURES)), np.ones(len(SUGGESTION_FEATURES)),
...                                   np.r_[1.0, np.zeros(len(SUGGESTION_FEATURES) - 1)], 0.0)
>>> row = np.zeros((1, len(SUGGESTION_FEATURES)))
>>> round(float(calibrator.probability(row)[0]), 2)
0.5
>>> SuggestionCalibrator.from_dict(calibrator.to_dict()).to_dict() == calibrator.to_dict()
True

A span's *candidate* is the wording the text probably had before it (a spun phrase's original, each
flagged word's best candidate original). It is shown as the span's ``suggestion`` only when its
*calibrated probability of being the original* reaches the model's ``suggestion_threshold``; else
the span is shown as suspicious with no confident original (``"suggestion": null`` in JSON, the
probability in ``"suggestion_confidence"``).

* Candidates of a word are ranked by the candidate model (:func:`~detector.detection.features.best_candidates`'s
  shortlist and ranker), then by how often a spinner would make the swap: a word with many
  alternatives of its own is less often the source of any one of them (``PRIOR_WEIGHT`` times the
  log of its number of alternatives is taken off its log-odds, :func:`ranked_candidates`).
* The probability comes from a logistic :class:`SuggestionCalibrator` over what the span offers as
  evidence (``SUGGESTION_FEATURES``: how sure the word and candidate models are, the margin over the
  runner-up, how much likelier a phrase's original reads, how many originals the phrase has, a
  capitalised word mid-sentence...). It is fitted by :func:`calibrate_suggestions` on spun
  calibration text of the training genres (one half, split by a hash of the text), and the
  threshold is the lowest at which at least ``target`` of the other half's shown suggestions are
  exactly the original.
* Names and capitalised words mid-sentence get no suggestion unless the whole phrase is a listed
  spun phrase: a spinner rarely leaves a name it has made, and a name is rarely spun.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from dataclasses import dataclass

import numpy as np

from detector.detection.features import Context, Encoded, _candidate_picks, _formula, candidate_features

SUGGESTION_FEATURES = ["span_logit", "word_pieces", "phrase_pieces", "min_word_logit", "min_margin",
                       "min_phrase_gain", "phrase_options", "kept_flagged", "capital_mid", "min_piece_logit",
                       "span_words", "max_prior"]
PRIOR_WEIGHT = 0.5  # log-odds taken off a candidate per unit of log(1 + its number of alternatives)
SHORTLIST = 5
DEFAULT_THRESHOLD = 0.5  # used (on the raw candidate-model confidence) by models without a calibrator
TARGET_PRECISION = 0.9
_NO_MARGIN = 5.0  # a word with a single candidate: no runner-up


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def ranked_candidates(tables, ctx: Context, rows: np.ndarray, doc: Encoded, ranker=None,
                      penalty: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the given word positions: the best candidate original (-1: none), the candidate model's
    probability for it, and its margin (log-odds) over the runner-up.

    As :func:`~detector.detection.features.best_candidates` (the fixed formula's best ``SHORTLIST``
    scored again by ``ranker``), with the spinner's prior: candidates with many alternatives of their
    own are less likely the source of this one.
    """
    rows = np.asarray(rows, dtype=np.int64)
    best = np.full(len(rows), -1, dtype=np.int64)
    sure = np.zeros(len(rows), dtype=np.float32)
    margin = np.full(len(rows), _NO_MARGIN, dtype=np.float32)
    if not len(rows):
        return best, sure, margin
    pick, counts = _candidate_picks(ctx, rows)
    if not len(pick):
        return best, sure, margin
    score = _formula(tables, ctx, pick)
    group = np.repeat(np.arange(len(rows)), counts)
    order = np.lexsort((-score, group))
    position = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
    keep = np.sort(order[position < SHORTLIST])
    pick, counts = pick[keep], np.minimum(counts, SHORTLIST)
    cand = ctx.cand[pick]
    if ranker is not None:
        X, _, _ = candidate_features(doc, tables, ctx, rows, pick, counts)
        prob = ranker.predict_proba(X).astype(np.float64)
        key = logit(prob) - PRIOR_WEIGHT * tables.in_degree[cand]
        if penalty is not None:
            key = key - penalty[pick]
    else:
        prob = np.zeros(len(pick))
        key = score[keep]
    group = np.repeat(np.arange(len(rows)), counts)
    order = np.lexsort((-key, group))  # by row, best first (stable: the first of equals wins)
    starts = np.cumsum(counts) - counts
    some, two = counts > 0, counts > 1
    first = order[starts[some]]
    best[some], sure[some] = cand[first], prob[first]
    margin[two] = key[order[starts[two]]] - key[order[starts[two] + 1]]
    return best, sure, margin


@dataclass
class SuggestionCalibrator:
    """A logistic regression over standardised ``SUGGESTION_FEATURES``: P(candidate is the original)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64).reshape(-1, len(SUGGESTION_FEATURES))
        z = (((X - self.mean) / self.scale) * self.coef).sum(axis=1) + self.intercept  # row by row: batch-proof
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_dict(self) -> dict:
        return {"features": SUGGESTION_FEATURES, "mean": [round(float(x), 6) for x in self.mean],
                "scale": [round(float(x), 6) for x in self.scale], "coef": [round(float(x), 6) for x in self.coef],
                "intercept": round(float(self.intercept), 6)}

    @classmethod
    def from_dict(cls, data: dict) -> SuggestionCalibrator:
        if list(data.get("features", ())) != SUGGESTION_FEATURES:
            raise ValueError("suggestion calibrator was fitted on other features; recalibrate it "
                             "(scripts/calibrate_suggestions.py)")
        return cls(np.array(data["mean"], dtype=np.float64), np.array(data["scale"], dtype=np.float64),
                   np.array(data["coef"], dtype=np.float64), float(data["intercept"]))

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, C: float = 1.0) -> SuggestionCalibrator:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        fitted = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y)
        return cls(mean, scale, fitted.coef_[0], float(fitted.intercept_[0]))


def suggestion_probability(model, X: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Each span's probability that its candidate is the original: the model's calibrator on its
    evidence ``X``, or without one the raw confidence ``raw`` (the candidate model's, least sure part)."""
    calibrator = getattr(model, "suggestion_calibrator", None)
    if calibrator is None or not len(X):
        return np.asarray(raw, dtype=np.float64)
    return calibrator.probability(X)


# -- judging and calibrating -------------------------------------------------------------------
_WORD = re.compile(r"\w+|[^\w\s]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def judge(start: int, end: int, candidate: str | None, spun) -> tuple[bool, bool]:
    """(the span ``start:end`` of ``spun.text`` covers a substitution, ``candidate`` put in its
    place gives exactly the original's words there), for a :class:`~detector.spinner.spinner.SpinResult`.

    >>> from detector.spinner.spinner import SpinResult, Substitution
    >>> subs = (Substitution(2, 11, "telephone", "phone", 2, 7), Substitution(12, 20, "quantity", "number", 8, 14))
    >>> spun = SpinResult("a telephone quantity here", "a phone number here", subs)
    >>> judge(2, 20, "phone number", spun), judge(12, 20, "amount", spun), judge(21, 25, None, spun)
    ((True, True), (True, False), (False, False))
    """
    subs = [s for s in spun.substitutions if s.start < end and start < s.end]
    if not subs:
        return False, False
    if candidate is None:
        return True, False
    a, b = min(start, min(s.start for s in subs)), max(end, max(s.end for s in subs))

    def to_original(x: int) -> int:
        before = [s for s in spun.substitutions if s.end <= x]
        if not before:
            return x
        last = max(before, key=lambda s: s.end)
        return x - last.end + last.original_end

    repaired = spun.text[a:start] + candidate + spun.text[end:b]
    return True, _words(repaired) == _words(spun.original[to_original(a) : to_original(b)])


def span_outcomes(scorer, spun_results) -> list[dict]:
    """Every span the scorer finds in the spun texts: its evidence, its probability, whether it is
    shown, covers a substitution, and whether its candidate (shown or not) is exactly the original."""
    out = []
    for start in range(0, len(spun_results), 64):
        batch = spun_results[start : start + 64]
        for spun, result in zip(batch, scorer.score_many([s.text for s in batch])):
            for span in result.spans:
                true, correct = judge(span.start, span.end, span.candidate, spun)
                out.append({"evidence": span.evidence, "probability": span.suggestion_confidence,
                            "shown": span.score >= result.display_threshold, "true": true, "correct": correct,
                            "candidate": span.candidate is not None, "suggested": span.suggestion is not None})
    return out


def suggestion_metrics(outcomes: list[dict], threshold: float) -> dict:
    """Over shown spans: suggestions shown at ``threshold``, the share exactly the original, and
    the share of true spans (covering a substitution) that get one (and a right one)."""
    shown = [o for o in outcomes if o["shown"]]
    given = [o for o in shown if o["candidate"] and o["probability"] >= threshold]
    true = [o for o in shown if o["true"]]
    right = sum(o["correct"] for o in given)
    return {"shown_spans": len(shown), "true_spans": len(true), "suggestions": len(given),
            "suggestions_right": right, "accuracy": right / len(given) if given else float("nan"),
            "true_spans_with_suggestion": sum(o["true"] for o in given) / len(true) if true else float("nan"),
            "true_spans_with_right_suggestion": right / len(true) if true else float("nan")}


def choose_threshold(outcomes: list[dict], target: float = TARGET_PRECISION, least: int = 30) -> float:
    """The lowest probability from which at least ``target`` of the shown suggestions (at least
    ``least`` of them) are exactly the original; 0.99 when none reaches it."""
    for cut in np.arange(0.05, 0.991, 0.01):
        m = suggestion_metrics(outcomes, float(cut))
        if m["suggestions"] >= least and m["accuracy"] >= target:
            return round(float(cut), 2)
    return 0.99


CALIBRATION_THESAURI = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases")
CALIBRATION_RATES = (0.02, 0.05, 0.1, 0.2)


def spin_for_calibration(texts: list[str], rng: random.Random) -> list:
    """Each text clean and spun once by a random training spinner (15% of the time naive) at a
    random rate (clean texts count: a suggestion on a clean word is a wrong one)."""
    from detector.spinner.spinner import SpinConfig, Spinner, SpinResult

    out = []
    for text in texts:
        out.append(SpinResult(text, text, ()))
        naive = rng.random() < 0.15
        config = SpinConfig(rate=rng.choice(CALIBRATION_RATES), seed=rng.randrange(2**31),
                            thesaurus=rng.choice(CALIBRATION_THESAURI), match_case=not naive, inflect=not naive)
        out.append(Spinner(config).spin(text))
    return out


def _half(text: str) -> bool:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0


def calibrate_suggestions(model, texts: list[str], rng: random.Random,
                          target: float = TARGET_PRECISION) -> dict:
    """Fit ``model``'s suggestion calibrator and threshold on clean ``texts`` of the training
    genres (calibration documents, never the ones reported on), spun here; returns the metrics.

    Texts are split by a hash into a half that fits the calibrator and a half that chooses the
    threshold (``target`` of shown suggestions exactly the original) and measures it.
    """
    from detector.detection.scoring import Scorer

    spun = spin_for_calibration(list(texts), rng)
    fit_part = [s for s in spun if _half(s.original)]
    pick_part = [s for s in spun if not _half(s.original)]
    model.suggestion_calibrator = None
    scorer = Scorer(model, reread=False)
    rows = [o for o in span_outcomes(scorer, fit_part) if o["candidate"]]
    if len(rows) < 50 or len({o["correct"] for o in rows}) < 2:
        raise ValueError(f"too few spans with a candidate to calibrate suggestions ({len(rows)})")
    model.suggestion_calibrator = SuggestionCalibrator.fit(np.array([o["evidence"] for o in rows]),
                                                           np.array([o["correct"] for o in rows], dtype=int))
    held = span_outcomes(Scorer(model, reread=False), pick_part)
    model.suggestion_threshold = choose_threshold(held, target)
    metrics = suggestion_metrics(held, model.suggestion_threshold)
    return {"texts": len(texts), "fit_spans": len(rows), "target": target,
            "threshold": model.suggestion_threshold, **{k: (round(v, 4) if isinstance(v, float) else v)
                                                         for k, v in metrics.items()}}


def card_section(model) -> str:
    """The model card's paragraph on suggestions (``model.info["suggestions"]``, if calibrated)."""
    found = model.info.get("suggestions") if isinstance(model.info, dict) else None
    if not found:
        return ("**Suggestions.** No suggestion calibrator: a span's suggestion is shown when the candidate "
                f"model's probability reaches {model.suggestion_threshold}.\n")
    return (f"**Suggestions.** A span shows its probable original only when a logistic calibrator over "
            f"{', '.join(SUGGESTION_FEATURES)} gives it at least {model.suggestion_threshold} probability of being "
            f"exactly the original (`detector/detection/suggestions.py`); else it shows no confident original. "
            f"Fitted on half and the threshold chosen on the other half of {found['texts']} calibration documents "
            f"of the training genres, each clean and spun by a random training spinner; at the threshold, "
            f"{found['accuracy']:.1%} of {found['suggestions']} shown suggestions were exactly the original, and "
            f"{found['true_spans_with_suggestion']:.1%} of shown spans covering a substitution had one "
            f"(target {found['target']:.0%}). Recalibrate with `python scripts/calibrate_suggestions.py`.\n")


# -- phrase originals, the way a spinner makes them ---------------------------------------------
PHRASE_PRIOR = 1 / np.log(10)  # log10 of a uniform choice among an original's alternatives, per unit of ln(1 + n)
_SOURCE_COUNTS: dict[int, np.ndarray] = {}


def _alternative_counts(tables) -> np.ndarray:
    """For each original of the phrase table (an index into its originals): how many alternatives a
    spinner has for it, so how rarely it picks any one (the spun phrases listing it, plus a single
    word's own alternatives). Computed once per table."""
    from detector.lexicon.phrases import sequence_hash

    table = tables.phrases
    key = id(table)
    if key not in _SOURCE_COUNTS:
        lengths = np.diff(table.orig_ptr)
        cols = [np.where(k < lengths, table.orig_ids[np.minimum(table.orig_ptr[:-1] + k, len(table.orig_ids) - 1)], -1)
                for k in range(4)]
        _, inverse, counts = np.unique(sequence_hash(cols), return_inverse=True, return_counts=True)
        n = counts[inverse].astype(np.float64)
        single = lengths == 1
        n[single] += np.expm1(tables.in_degree[table.orig_ids[table.orig_ptr[:-1][single]]])
        _SOURCE_COUNTS[key] = n
    return _SOURCE_COUNTS[key]


def rechoose_phrase_originals(doc: Encoded, tables, swaps, positions: np.ndarray):
    """``swaps`` (:func:`~detector.detection.features.phrase_swaps`) with the original of each
    occurrence that overlaps ``positions`` chosen as a spinner would have made it: the broad model's
    gain (log10) minus the log10 of the original's number of alternatives (a spinner that picks
    uniformly makes "telephone numbers" from "phone numbers", which has two, far more often than
    from "numbers", which has dozens). Only originals the model finds likelier than the phrase
    (gain > 0) compete; the gain reported is the chosen one's."""
    from detector.detection.features import PhraseSwaps, phrase_original_gains

    live = np.nonzero((swaps.gain > 0) & (swaps.best >= 0))[0]
    if len(live) and len(positions):
        pos = np.asarray(positions)
        ends = swaps.start[live] + swaps.length[live]
        lo = np.searchsorted(pos, swaps.start[live])
        live = live[(lo < len(pos)) & (pos[np.minimum(lo, len(pos) - 1)] < ends)]
    if not len(live):
        return swaps
    start, length = swaps.start[live], swaps.length[live]
    which = np.searchsorted(tables.phrases.cand_ptr, swaps.best[live], side="right") - 1
    cand, counts, gain = phrase_original_gains(doc.ids, tables, start, length, which)
    key = np.where(gain > 0, gain - PHRASE_PRIOR * np.log1p(_alternative_counts(tables)[cand]), -np.inf)
    best, gains = swaps.best.copy(), swaps.gain.copy()
    firsts = np.cumsum(counts) - counts
    for k in range(len(live)):
        a, m = int(firsts[k]), int(counts[k])
        j = a + int(np.argmax(key[a : a + m]))
        if np.isfinite(key[j]):
            best[live[k]], gains[live[k]] = cand[j], np.float32(gain[j])
    return PhraseSwaps(swaps.start, swaps.length, gains, best)


# -- candidates inflected to match ----------------------------------------------------------------
_FORMS = {"n": ("plural",), "v": ("3sg", "past", "ing")}
MAX_INFLECTED = 24  # candidates per word once inflected forms are added
_EXPANDED: dict[int, dict[int, tuple[list[int], int]]] = {}  # per tables: word id -> (candidates, own count)
INFLECTED_PENALTY = 2.0  # log-odds taken off an added form (chosen on calibration text: neutral for spinners
# that inflect, +2 to +5 points of right candidates for naive ones)


@functools.lru_cache(maxsize=65_536)
def _inflected_forms(word: str) -> tuple[str, ...]:
    """Inflected forms of ``word`` read as a noun or verb lemma ("purchase" -> "purchases",
    "purchased", "purchasing"); none when it is not a lemma."""
    from detector.lexicon.lexicon import get_lexicon
    from detector.lexicon.morphology import inflect_word

    lex = get_lexicon()
    out = []
    for pos, tags in _FORMS.items():
        if lex.is_lemma(word, pos):
            out += [inflect_word(word, pos, tag, lex) for tag in tags]
    return tuple(dict.fromkeys(f for f in out if f != word and " " not in f))


@functools.lru_cache(maxsize=65_536)
def _is_base_form(word: str) -> bool:
    from detector.lexicon.lexicon import get_lexicon
    from detector.lexicon.morphology import analyze_word

    readings = analyze_word(word, get_lexicon())
    return bool(readings) and all(r.tag == "base" for r in readings)


def inflected_context(tables, ctx: Context, doc: Encoded, rows: np.ndarray) -> tuple[Context, Encoded, np.ndarray]:
    """The context of the given word positions alone, where a word in its base form (as a naive
    spinner pastes a thesaurus entry: "buy" for "purchased") also takes its candidates' inflected
    forms as candidates. Returns a :class:`Context` and an :class:`Encoded` whose positions are
    ``rows`` in order (rank them with ``np.arange(len(rows))``), and which candidates were added."""
    rows = np.asarray(rows, dtype=np.int64)
    words, index = tables.vocab.words, tables.vocab.index
    cache = _EXPANDED.setdefault(id(tables), {})
    lists, own_counts = [], []
    starts = np.cumsum(ctx.counts) - ctx.counts
    for r in rows.tolist():
        w = int(ctx.word[r])
        if w not in cache:
            own = ctx.cand[starts[r] : starts[r] + ctx.counts[r]].tolist()
            n = len(own)
            if w > 1 and own and _is_base_form(words[w]):
                seen = set(own) | {w}
                for c in list(own):
                    for form in _inflected_forms(words[c]):
                        i = index.get(form)
                        if i is not None and i not in seen:
                            own.append(i)
                            seen.add(i)
                own = own[:MAX_INFLECTED]
            cache[w] = (own, n)
        own, n = cache[w]
        lists.append(own)
        own_counts.append(n)
    counts = np.array([len(x) for x in lists], dtype=np.int64)
    cand = np.array([c for x in lists for c in x], dtype=np.int64)
    added = np.array([k >= n for x, n in zip(lists, own_counts) for k in range(len(x))], dtype=bool)
    owner = np.repeat(np.arange(len(rows)), counts)
    sub = Context(ctx.word[rows], ctx.prev[rows], ctx.next[rows], counts, owner, cand)
    return (sub, Encoded(doc.text, doc.tokens, doc.ids, doc.capital, doc.word_positions[rows], doc.other_letters),
            added)


def word_gains(tables, doc: Encoded, positions: np.ndarray, replacements: np.ndarray) -> np.ndarray:
    """How much likelier (log10) the broad model finds each token position of ``doc`` with the word
    ``replacements[i]`` in place, on a window of two words either side (NaN where it does not know
    either word): the evidence a word suggestion's reason gives."""
    from detector.detection.features import window_scores

    ids, n = doc.ids, len(doc.ids)
    pos = np.asarray(positions, dtype=np.int64)

    def at(p: np.ndarray) -> np.ndarray:
        return np.where((p >= 0) & (p < n), ids[np.clip(p, 0, n - 1)], -1)

    p2, p1, n1, n2 = at(pos - 2), at(pos - 1), at(pos + 1), at(pos + 2)
    own_c, own_r = window_scores(tables.lm, p2, p1, ids[pos], n1, n2)
    new_c, new_r = window_scores(tables.lm, p2, p1, np.asarray(replacements, dtype=np.int64), n1, n2)
    return (new_c + new_r - own_c - own_r).astype(np.float64)
