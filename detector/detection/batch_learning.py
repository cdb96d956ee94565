"""Where a batch teaches the detector its spinner: swaps learned from the documents that are surely
spun, used as evidence on the others.

>>> from detector.detection.scoring import Scorer
>>> scorer = Scorer()
>>> learner = BatchLearner(scorer, min_documents=1)
>>> learner.add_observation("citizenry", "people", documents=2, count=3, gain=2.5)
>>> [(s.spun, s.original, s.count) for s in learner.swaps()]
[('citizenry', 'people', 3)]
>>> text = ("The citizenry of the town met on Monday to discuss the new road, and most of the citizenry "
...         "said they wanted it built before the winter, when the old bridge is closed for repairs.")
>>> before = scorer.score_many([text], keep_tokens=True)
>>> after, stats = apply_swaps(scorer, before, learner.swaps())
>>> stats["words"] >= 1 and after[0].score >= before[0].score
True
>>> any("a swap this batch's spinner made 3 times" in r for s in after[0].spans for r in s.reasons)
True

A spinner is a fixed dictionary: the same swaps recur across the documents it spun. A batch is
read twice:

1. **Learn** (:meth:`BatchLearner.observe`). From every document scored at least ``learn_from``
   (default: the scorer's threshold, i.e. its verdict is ``spun``), each replacement its spans
   suggest (``Span.changes``) with confidence (word spun x candidate its original) of at least
   ``MIN_CHANGE_CONFIDENCE`` is an observation of the pair (word on the page -> probable original),
   with how much likelier (log10) the broad model of English (:func:`detector.detection.features.
   replacement_gains`, the judge of :func:`detector.repair.repair._learned_changes`) finds the
   original in that context. Pairs a spinner could not have made (:func:`detector.repair.repair.
   plausible_pair`) and pairs the context does not prefer are not recorded. A pair is *learned*
   when it was seen in at least ``min_documents`` different documents (``MIN_DOCUMENTS``) with a
   positive mean gain, at ``MIN_SHARE`` or more of the spun phrase's places in those documents, and
   with a word the spinner put in used ``MIN_LIFT`` times more often in the teaching documents than
   in ordinary English (:meth:`BatchLearner.lift`).
2. **Use** (:func:`apply_swaps`), on every document not already spun: each word (or phrase) that
   is the spun side of a learned pair, where the original reads at least ``10 ** MIN_SITE_GAIN``
   times likelier in its context (gain ``g``), gets its spun probability raised to
   ``max(p, q)``, ``q = min(MAX_PROB, odds / (1 + odds))`` with ``odds = documents x 10 ** (g - 1)``
   (two documents and a ten-fold preference: 2/3; five documents and a hundred-fold: 0.98), in the
   word model's first stage; the second stage then weighs every word of the document again in its
   light (``Model.token_probs(..., first=...)``; a raised word keeps at least ``q``). The document
   score is recomputed from the new probabilities by the model's own document model
   (``Model.doc_features`` and ``doc_model``; never lower than before), the verdict re-applied,
   and the raised words become spans (or join the span that covers them) with the reason "a swap
   this batch's spinner made N times" and the learned original as suggestion. (Other words the
   second stage now doubts more count in the score but get no new span.)

Nothing is kept between batches: a :class:`BatchLearner` holds one batch's observations, and its
pairs leave it only as a :class:`~detector.repair.repair.Dictionary` (``--save-dictionary``).
Observations are plain counts, so workers' learners merge by addition (:meth:`BatchLearner.merge`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np

from detector.detection.scoring import Scorer, ScoreResult, Span

_WORD = re.compile(r"[a-z][a-z'-]*")
MIN_DOCUMENTS = 2  # a pair is learned once seen in this many different confidently spun documents
MIN_CHANGE_CONFIDENCE = 0.3  # a suggested replacement's confidence (spun x original) to count as a sighting
MIN_SHARE = 0.5  # of the spun phrase's occurrences in the documents it was sighted in, the share sighted
MIN_LIFT = 3.0  # how much more often than in ordinary English the spun word stands in the teaching documents
MIN_SITE_GAIN = 1.0  # log10: the original must read ten times likelier at a site to raise its word
MAX_PROB = 0.99  # the most a learned swap raises a word's spun probability to
TOP_PAIRS = 20  # pairs listed in reports (summary.json)
BATCH = 64  # documents rescored together in the second pass


@dataclass(frozen=True)
class LearnedSwap:
    """A swap the batch's spinner made: ``spun`` on the page for ``original``, seen ``count`` times in
    ``documents`` confidently spun documents, the original ``gain`` (mean log10) likelier there."""

    spun: str
    original: str
    documents: int
    count: int
    gain: float

    def to_dict(self) -> dict:
        return {"spun": self.spun, "original": self.original, "documents": self.documents, "count": self.count,
                "gain": round(self.gain, 3)}


class BatchLearner:
    """One batch's observations of (spun, original) pairs; see the module docstring."""

    def __init__(self, scorer: Scorer | None = None, min_documents: int = MIN_DOCUMENTS,
                 learn_from: float | None = None, min_confidence: float = MIN_CHANGE_CONFIDENCE):
        """``scorer``: its model's tables judge contexts (needed by :meth:`observe` only);
        ``learn_from``: document score from which a document teaches (default: the scorer's threshold)."""
        if min_documents < 1:
            raise ValueError(f"min_documents must be at least 1, got {min_documents}")
        self.scorer = scorer
        self.min_documents = min_documents
        self.learn_from = learn_from if learn_from is not None else (scorer.threshold if scorer else 1.0)
        self.min_confidence = min_confidence
        # (spun, original) -> [documents, count, sum of gains]
        self.observations: dict[tuple[str, str], list[float]] = {}
        self.teaching_documents = 0
        self.words: Counter[str] = Counter()  # words of the teaching documents (for the lift)
        self.total_words = 0
        self._plausible: dict[tuple[str, str], bool] = {}

    def add_observation(self, spun: str, original: str, documents: int = 1, count: int = 1,
                        gain: float = 0.0, occurrences: int | None = None) -> None:
        """Record ``count`` sightings of a pair in ``documents`` documents, ``gain`` their mean log10
        gain, among ``occurrences`` of the spun phrase in those documents (default: ``count``)."""
        entry = self.observations.setdefault((spun.lower(), original.lower()), [0, 0, 0.0, 0])
        entry[0] += documents
        entry[1] += count
        entry[2] += gain * count
        entry[3] += max(count, occurrences or 0)

    def observe(self, results: Sequence[ScoreResult]) -> int:
        """Learn from the confidently spun documents among ``results``; returns how many taught."""
        from detector.detection.features import replacement_gains

        if self.scorer is None:
            raise ValueError("observe needs a scorer (its model's tables judge each context)")
        taught = 0
        for result in results:
            if result.verdict not in ("spun", "clean") or result.score < self.learn_from:
                continue  # too short, not English, or not surely spun
            words = _WORD.findall(result.text.lower().replace("\u2019", "'"))
            self.words.update(words)
            self.total_words += len(words)
            sites = [(start, end, after) for span in result.spans for start, end, after, confidence in span.changes
                     if confidence >= self.min_confidence and result.text[start:end].lower() != after.lower()]
            if not sites:
                continue
            gains = replacement_gains(result.text, self.scorer.model.tables, sites)
            seen: dict[tuple[str, str], list[float]] = {}
            for (start, end, after), gain in zip(sites, gains.tolist()):
                pair = (" ".join(result.text[start:end].lower().split()), " ".join(after.lower().split()))
                if gain > 0 and self._is_plausible(pair):
                    seen.setdefault(pair, []).append(float(gain))
            for (spun, original), found in seen.items():
                occurrences = len(re.findall(r"\b" + re.escape(spun).replace(r"\ ", r"\s+") + r"\b",
                                             result.text.replace("\u2019", "'"), re.IGNORECASE))
                self.add_observation(spun, original, 1, len(found), float(np.mean(found)), occurrences)
            taught += 1
        self.teaching_documents += taught
        return taught

    def _is_plausible(self, pair: tuple[str, str]) -> bool:
        from detector.repair.repair import plausible_pair

        if pair not in self._plausible:
            self._plausible[pair] = bool(plausible_pair(SimpleNamespace(learned=pair)))
        return self._plausible[pair]

    def merge(self, other: BatchLearner | dict) -> None:
        """Add another learner's observations (or their :meth:`state`): documents are disjoint."""
        state = other.state() if isinstance(other, BatchLearner) else other
        for entry in state["observations"]:
            spun, original, documents, count, gain_sum, occurrences = entry
            row = self.observations.setdefault((spun, original), [0, 0, 0.0, 0])
            row[0] += documents
            row[1] += count
            row[2] += gain_sum
            row[3] += occurrences
        self.teaching_documents += int(state.get("teaching_documents", 0))
        self.words.update(state.get("words", {}))
        self.total_words += int(state.get("total_words", 0))

    def state(self) -> dict:
        """The observations as JSON-ready data (for workers to hand to the main process)."""
        return {"observations": [[s, o, int(d), int(c), float(g), int(n)]
                                 for (s, o), (d, c, g, n) in self.observations.items()],
                "teaching_documents": self.teaching_documents, "words": dict(self.words),
                "total_words": self.total_words}

    def swaps(self) -> list[LearnedSwap]:
        """The learned pairs, most documents first: seen in ``min_documents`` documents or more, at
        ``MIN_SHARE`` or more of the spun phrase's occurrences in them (a word the spinner put in is
        flagged nearly wherever it stands; a common word the model sometimes doubts is not), with the
        original likelier on average, and a word of the spun side the spinner added (one not in the
        original) standing ``MIN_LIFT`` times more often in the teaching documents than in ordinary
        English (:meth:`lift`: a fixed dictionary overuses its words; "however" for "but" is the
        model's own habit, not the spinner's)."""
        out = [LearnedSwap(s, o, int(d), int(c), g / c) for (s, o), (d, c, g, n) in self.observations.items()
               if d >= self.min_documents and c > 0 and g > 0 and c >= MIN_SHARE * n
               and self.lift(s, o) >= MIN_LIFT]
        return sorted(out, key=lambda x: (-x.documents, -x.count, -x.gain, x.spun, x.original))


    def lift(self, spun: str, original: str) -> float:
        """The most any word of ``spun`` that is not in ``original`` is overused in the teaching
        documents: its count there over its expected count (wordfreq's frequency x their words)."""
        from detector.lexicon.lexicon import get_lexicon

        lex = get_lexicon()
        kept = set(original.split())
        added = [w for w in spun.split() if w not in kept] or spun.split()
        best = 0.0
        for word in added:
            expected = self.total_words * 10 ** (lex.zipf(word) - 9)
            best = max(best, self.words.get(word, 0) / expected if expected > 0 else float("inf"))
        return best


def swaps_to_dictionary(swaps: Sequence[LearnedSwap]):
    """The learned pairs as a :class:`~detector.repair.repair.Dictionary` (count = sightings), the
    format of ``--save-dictionary`` and ``--dictionary``."""
    from collections import Counter

    from detector.repair.repair import Dictionary

    return Dictionary(Counter({(s.spun, s.original): s.count for s in swaps}))


def swaps_from_dictionary(dictionary) -> list[LearnedSwap]:
    """Pairs of a given :class:`~detector.repair.repair.Dictionary` as learned swaps (its count stands
    for both sightings and documents: a saved dictionary is evidence already weighed)."""
    return [LearnedSwap(s, o, int(n), int(n), 0.0) for (s, o), n in dictionary.pairs.items() if n > 0]


def combine(*groups: Sequence[LearnedSwap]) -> list[LearnedSwap]:
    """Pairs of several sources, one entry per pair (counts and documents added)."""
    merged: dict[tuple[str, str], LearnedSwap] = {}
    for group in groups:
        for s in group:
            old = merged.get((s.spun, s.original))
            merged[(s.spun, s.original)] = s if old is None else LearnedSwap(
                s.spun, s.original, old.documents + s.documents, old.count + s.count, max(old.gain, s.gain))
    return sorted(merged.values(), key=lambda x: (-x.documents, -x.count, x.spun, x.original))


class SwapIndex:
    """The learned swaps by spun phrase (the best original of each: most documents), and a quick test
    of whether a text holds any of them."""

    def __init__(self, swaps: Sequence[LearnedSwap]):
        self.best: dict[tuple[str, ...], LearnedSwap] = {}
        for s in swaps:
            key = tuple(s.spun.split())
            if key and (key not in self.best or (s.documents, s.count) > (self.best[key].documents,
                                                                          self.best[key].count)):
                self.best[key] = s
        self.first_words: dict[str, list[tuple[str, ...]]] = {}
        for key in sorted(self.best, key=len, reverse=True):  # longest phrase first
            self.first_words.setdefault(key[0], []).append(key)
        words = sorted({w for key in self.best for w in key}, key=len, reverse=True)
        self._pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE) \
            if words else None

    def __bool__(self) -> bool:
        return bool(self.best)

    def may_hold(self, text: str) -> bool:
        return self._pattern is not None and self._pattern.search(text) is not None

    def sites(self, text: str, starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int, LearnedSwap]]:
        """(first word row, last word row + 1, swap) of every place the text holds a spun phrase: words
        in a row separated by spaces only, longest match first, not overlapping."""
        words = [text[a:b].lower().replace("\u2019", "'") for a, b in zip(starts.tolist(), ends.tolist())]
        out = []
        k = 0
        while k < len(words):
            match = None
            for key in self.first_words.get(words[k], ()):
                end = k + len(key)
                if end <= len(words) and tuple(words[k:end]) == key and all(
                        text[ends[j] : starts[j + 1]] == " " for j in range(k, end - 1)):
                    match = (k, end, self.best[key])
                    break
            if match:
                out.append(match)
                k = match[1]
            else:
                k += 1
        return out


def raised_probability(documents: int, gain: float) -> float:
    """The spun probability a learned swap gives a word where its original is ``gain`` (log10) likelier.

    >>> round(raised_probability(2, 1.0), 3), round(raised_probability(5, 2.0), 3)
    (0.667, 0.98)
    """
    odds = documents * 10 ** (gain - 1)
    return min(MAX_PROB, odds / (1 + odds))


def apply_swaps(scorer: Scorer, results: Sequence[ScoreResult], swaps: Sequence[LearnedSwap],
                min_gain: float = MIN_SITE_GAIN) -> tuple[list[ScoreResult], dict]:
    """The second pass: ``results`` with learned swaps as evidence (see the module docstring).

    Documents already ``spun`` or ``not-english`` are returned as they are; the others that hold a
    learned spun phrase are rescored with their token probabilities when the results lack them
    (``Scorer.score_many(keep_tokens=True)``). Returns the new results (same order) and counts:
    ``documents`` changed, ``now_spun`` (verdict turned spun), ``words`` raised."""
    from detector.detection.features import replacement_gains

    out = list(results)
    stats = {"documents": 0, "now_spun": 0, "words": 0}
    index = SwapIndex(swaps)
    if not index:
        return out, stats
    todo = [i for i, r in enumerate(out) if r.verdict in ("clean", "too-short") and index.may_hold(r.text)]
    missing = [i for i in todo if out[i].tokens is None or out[i].tokens.features is None]
    if missing:  # rescore only the texts where some learned swap's original reads far likelier
        worth = {i for i in missing if has_evidence(out[i].text, index, scorer.model.tables, min_gain)}
        todo = [i for i in todo if i not in missing or i in worth]
        missing = [i for i in missing if i in worth]
    for first in range(0, len(missing), BATCH):
        part = missing[first : first + BATCH]
        for i, fresh in zip(part, scorer.score_many([out[i].text for i in part], [out[i].id for i in part],
                                                    keep_tokens=True)):
            out[i] = replace(fresh, extra=out[i].extra)
    model = scorer.model
    words = model.tables.vocab.words
    for i in todo:
        result = out[i]
        tokens = result.tokens
        if tokens is None or not len(tokens.probs):
            continue
        sites = index.sites(result.text, tokens.starts, tokens.ends)
        if not sites:
            continue
        text = result.text
        gains = replacement_gains(text, model.tables, [(int(tokens.starts[a]), int(tokens.ends[b - 1]),
                                                        swap.original) for a, b, swap in sites])
        probs = tokens.probs
        floor = np.zeros(len(probs))
        raised: list[tuple[int, int, LearnedSwap, float, float]] = []  # (start, end, swap, q, gain)
        for (a, b, swap), gain in zip(sites, gains.tolist()):
            if not gain >= min_gain:
                continue
            q = raised_probability(swap.documents, gain)
            kept = set(swap.original.split())
            rows = [j for j in range(a, b) if text[tokens.starts[j] : tokens.ends[j]].lower() not in kept] or \
                list(range(a, b))
            if max(probs[j] for j in rows) >= q:
                continue
            for j in rows:
                floor[j] = max(floor[j], q)
            raised.append((int(tokens.starts[a]), int(tokens.ends[b - 1]), swap, q, gain))
        if not raised:
            continue
        # the learned evidence is word evidence: it raises the first stage, and the second stage weighs
        # every word again in the light of the document (:meth:`Model.token_probs`)
        first_stage = np.maximum(model.word_probs(tokens.features), floor)
        probs = np.maximum(model.token_probs(tokens.features, first=first_stage), floor)
        features = model.doc_features(probs, tokens.ids)
        score = float(model.doc_model.predict_proba(features[None, :])[0]) if result.words else 0.0
        score = max(score, result.score)  # new evidence never lowers a score
        verdict = result.verdict
        if verdict == "clean" and score >= scorer.threshold:
            verdict = "spun"
            stats["now_spun"] += 1
        spans = _with_learned(result, raised, words)
        stats["documents"] += 1
        stats["words"] += len(raised)
        out[i] = replace(result, score=score, verdict=verdict, spans=spans,
                         tokens=replace(tokens, probs=probs))
    return out, stats


def has_evidence(text: str, index: SwapIndex, tables, min_gain: float) -> bool:
    """Whether a learned spun phrase stands somewhere in ``text`` where its original reads at least
    ``min_gain`` (log10) likelier: cheap (tokens and a few n-gram lookups), so that only such texts
    are scored again."""
    from detector.detection.features import replacement_gains
    from detector.text.tokenize import token_spans

    spans = token_spans(text)
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    sites = index.sites(text, starts, ends)
    if not sites:
        return False
    gains = replacement_gains(text, tables, [(int(starts[a]), int(ends[b - 1]), swap.original) for a, b, swap in sites])
    return bool((np.nan_to_num(gains, nan=-1.0) >= min_gain).any())


def learned_reason(swap: LearnedSwap) -> str:
    times = "once" if swap.count == 1 else f"{swap.count} times"
    return f"'{swap.spun}' for '{swap.original}' is a swap this batch's spinner made {times}"


def _with_learned(result: ScoreResult, raised, words) -> tuple[Span, ...]:
    """The result's spans with each raised site joined to the span it overlaps (its reason first, its
    score raised, the learned original suggested where the span is that very phrase and had none) or
    made a span of its own. Learned sites add no ``Span.changes``: a repair undoes them as source
    ``learned`` (:func:`detector.repair.repair.repair`'s ``learned``), with their count."""
    from detector.spinner.spinner import carry_case

    spans = list(result.spans)
    for start, end, swap, q, gain in raised:
        before = result.text[start:end]
        after = carry_case(before, swap.original)
        likelier = float(1 - 10 ** -gain)
        reason = learned_reason(swap)
        host = next((k for k, s in enumerate(spans) if s.start < end and start < s.end), None)
        if host is None:
            spans.append(Span(start, end, before, q, (reason, f"'{swap.original}' fits this context far better"),
                              after, likelier))
            continue
        span = spans[host]
        reasons = (reason, *[r for r in span.reasons if r != reason])[:3]
        suggestion, confidence = span.suggestion, span.suggestion_confidence
        if suggestion is None and span.start == start and span.end == end:  # its own word: the original
            suggestion, confidence = after, likelier
        spans[host] = replace(span, score=max(span.score, q), reasons=reasons, suggestion=suggestion,
                              suggestion_confidence=confidence)
    return tuple(sorted(spans, key=lambda s: (s.start, s.end)))


def learn_and_apply(scorer: Scorer, results: Sequence[ScoreResult], min_documents: int = MIN_DOCUMENTS,
                    given: Sequence[LearnedSwap] = ()) -> tuple[list[ScoreResult], list[LearnedSwap], dict]:
    """Both passes over one batch held in memory (``detector score`` over many documents): learn from
    ``results``, add ``given`` pairs (a loaded dictionary), and apply. Returns the new results, the
    swaps used and the second pass's counts (plus ``teaching_documents``)."""
    learner = BatchLearner(scorer, min_documents=min_documents)
    learner.observe(results)
    swaps = combine(learner.swaps(), given)
    new, stats = apply_swaps(scorer, results, swaps)
    stats["teaching_documents"] = learner.teaching_documents
    return new, swaps, stats
