"""How two documents are related: the measurements (``compare``) and the decision (``classify``).

>>> from detector.trace.facts import profile
>>> source = profile("s", "The U.S. said on Monday that it would buy 500,000 tonnes of wheat from Egypt. "
...                  "Officials in Cairo said the first cargo would leave the port of Alexandria in May. "
...                  "Traders in Chicago said prices rose after the news.")
>>> spun = profile("d", "The U.S. stated on Monday that it might purchase 500,000 tonnes of wheat from Egypt. "
...                "Officers in Cairo stated the primary cargo would leave the port of Alexandria in May. "
...                "Traders in Chicago stated costs rose after the information.")
>>> relation = classify(compare(source, spun))
>>> relation.kind, relation.source, relation.derived
('spun-copy', 's', 'd')

Every pair is measured the same way (:class:`Comparison`): how many words line up (difflib over
folded words), what kind of words differ (content words for a spinner; function words and word
order too for a machine translation), how many sentences of each side find a counterpart with the
same content words (a rewrite keeps them, sentence by sentence and in order), which names,
numbers and quotations they share (an independent report of the same event shares those and
little else), and which side reads more like ordinary English where they differ (the broad
trigram model: a spinner's rare synonyms and a round trip's word salad read worse than their
source). :func:`classify` decides with rules whether the pair is related at all (thresholds: the
named constants below, set on families built from the training genres, ``python
benchmarks/trace.py --split train``, never on the held-out ones); how one was made from the other
and which is the source come from the trace model (:mod:`detector.trace.model`), or from the
rules when it is missing.
"""

from __future__ import annotations

import difflib
import functools
import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from detector.trace.facts import _FUNCTION, Profile

# -- thresholds (see the module docstring) ---------------------------------------------------------
DUPLICATE_COVERAGE = 0.97  # both sides' words matched: the same text up to formatting
DUPLICATE_MAX_CHANGED = 0.02  # ... with at most this share of words changed
ALIGNED_COVERAGE = 0.5  # words of the shorter side matched word for word: a spun copy, a translation ...
SUMMARY_LENGTH = 0.75  # a summary is at most this long relative to its source ...
SUMMARY_SOURCE_COVER = 0.7  # ... and leaves out more than this share of the source's sentences
# A machine translation, unlike a spinner, adds and drops words (articles, pronouns), changes function
# words on their own and moves words about. Log-odds of "translation" over "spun copy" from four
# shares of the changed places (insertions or deletions, function words only, function words among
# the changed words, changed words found moved): a logistic fit on 12 Reuters TRAIN articles, their
# Apertium round trips against their WordNet, WordNet-broad and phrase-table spins at 0.05-0.3. Used
# only by the rules, when there is no trace model (the model decides kinds otherwise).
TRANSLATION_WEIGHTS = (7.04, 4.46, 5.51, 4.71)
TRANSLATION_BIAS = -5.04
SENTENCE_MATCH = 0.3  # weighted overlap of two sentences' content words for them to correspond
REWRITE_SENTENCES = 0.4  # share of the derived side's sentences with a counterpart ...
REWRITE_ORDER = 0.5  # ... this share of them in the same order ...
REWRITE_FACTS = 0.45  # ... and this share of its names and numbers found in the source
FEW_FACTS = 3  # with fewer facts than this on the derived side, the sentences must carry it alone ...
REWRITE_SENTENCES_ALONE = 0.6  # ... this share of them
SAME_STORY_FACTS = 3  # shared rare names and numbers of an independent report of the same event
SAME_STORY_TOPIC = 0.2  # weighted similarity of the two documents' content words
MIN_NUMBERS = 3  # distinct numbers on a side before copies must share them ...
NUMBER_SHARE = 0.5  # ... at least this share of the smaller side's (spinners turn "million" into "trillion")
MAX_PLACE = 8  # tokens on either side of a local change; longer differences are edits
MIN_BLOCK = 2  # words in a run of matched words for it to count as aligned
MAX_ALIGN_WORDS = 6000  # words of each side aligned word by word (difflib is quadratic at worst)


@dataclass
class Comparison:
    """Measurements of a pair ``a``, ``b`` (symmetric where it can be; ``_a`` is about ``a``)."""

    a: Profile
    b: Profile
    matched_words: int
    cover_a: float  # share of a's words matched in b, word for word
    cover_b: float
    changed_function_share: float  # function words among the changed words
    indel_share: float  # changed places that only add or only drop words
    function_only_share: float  # changed places where only function words differ
    moved_share: float  # changed words of a found elsewhere in b (reordered)
    sentences_a: float  # share of a's sentences with a counterpart in b
    sentences_b: float
    order: float  # share of a's counterparts in the same order
    order_b: float  # share of b's counterparts in the same order
    shared_names: tuple[str, ...]
    shared_numbers: tuple[str, ...]
    shared_quotes: int
    fact_order: float  # shared names and numbers in the same order
    facts_a: float  # share of a's names and numbers found in b
    facts_b: float
    topic: float  # weighted cosine of content stems
    fluency: float  # mean log10 p per changed word: a minus b (positive: a reads better)
    places: list = field(default_factory=list, repr=False)  # the local changes among the opcodes
    edited: float = 0.0  # share of both sides' words in larger edits

    @property
    def length_ratio(self) -> float:
        return min(self.a.length, self.b.length) / max(self.a.length, self.b.length, 1)


@dataclass(frozen=True)
class Relation:
    """``derived`` was made from ``source`` (or, for ``same-story``, both tell one event)."""

    source: str
    derived: str
    kind: str
    score: float
    evidence: dict

    def to_dict(self) -> dict:
        return {"source": self.source, "derived": self.derived, "kind": self.kind, "score": round(self.score, 3),
                "evidence": self.evidence}


KINDS = ("duplicate", "spun-copy", "rewrite", "summary", "translation", "same-story")
DERIVED_KINDS = KINDS[:5]


# -- measuring -------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _weights() -> tuple:
    from detector.lexicon.lexicon import get_lexicon

    return (get_lexicon(),)


@functools.lru_cache(maxsize=500_000)
def rarity(term: str) -> float:
    """Weight of a stem, name or number: rare words carry the evidence ("xiaohongshu" > "said")."""
    if term.startswith("#"):
        return 2.5 if len(term) > 2 else 1.0
    lex = _weights()[0]
    return max(0.5, 7.0 - lex.zipf(term))


def _lis(seq: list[int]) -> int:
    """Length of the longest strictly increasing subsequence."""
    tails: list[int] = []
    for x in seq:
        i = bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def _sentence_index(p: Profile) -> tuple[dict[str, list[int]], list[float], list[list[tuple[str, float]]]]:
    """Per document, once: stem -> its sentences, each sentence's weight, each sentence's weighted stems."""
    cached = _SENTENCES.get(id(p))
    if cached is not None and cached[0] is p:
        return cached[1]
    index: dict[str, list[int]] = {}
    for j, s in enumerate(p.sentences):
        for t in s.stems:
            index.setdefault(t, []).append(j)
    terms = [[(t, rarity(t)) for t in sorted(s.stems)] for s in p.sentences]
    weights = [math.fsum(w for _, w in ts) for ts in terms]  # exact: the same in every process
    if len(_SENTENCES) > 4096:
        _SENTENCES.clear()
    _SENTENCES[id(p)] = (p, (index, weights, terms))
    return index, weights, terms


_SENTENCES: dict[int, tuple] = {}


def sentence_matches(a: Profile, b: Profile) -> list[int]:
    """For each sentence of ``a``, the index of its counterpart in ``b`` (-1 when none)."""
    if not a.sentences or not b.sentences:
        return [-1] * len(a.sentences)
    index, b_weight, _ = _sentence_index(b)
    _, a_weight, a_terms = _sentence_index(a)
    out = []
    for terms, wa in zip(a_terms, a_weight):
        shared: dict[int, float] = {}
        for t, w in terms:
            for j in index.get(t, ()):
                shared[j] = shared.get(j, 0.0) + w
        best, best_sim = -1, SENTENCE_MATCH
        for j, w in shared.items():
            sim = 2 * w / (wa + b_weight[j]) if wa + b_weight[j] else 0.0
            if sim >= best_sim:
                best, best_sim = j, sim
        out.append(best)
    return out


def _fluency(p: Profile) -> np.ndarray:
    """log10 p of each word of ``p`` under the broad trigram model (unknown words: -6)."""
    cached = _FLUENCY.get(id(p))
    if cached is not None and cached[0] is p:
        return cached[1]
    from detector.detection.model import load_model

    tables = load_model().tables
    ids = np.array(tables.vocab.ids(list(p.words)), dtype=np.int64)
    ids = np.where(ids > 1, ids, -1)  # numbers and unknown words: no history across them
    a = np.r_[-1, -1, ids[:-2]] if len(ids) >= 2 else np.full(len(ids), -1)
    b = np.r_[-1, ids[:-1]] if len(ids) >= 1 else np.full(len(ids), -1)
    lp = tables.lm.logprob(a[: len(ids)], b[: len(ids)], ids)
    lp = np.where(np.isnan(lp), -6.0, lp).astype(np.float32)
    if len(_FLUENCY) > 4096:
        _FLUENCY.clear()
    _FLUENCY[id(p)] = (p, lp)
    return lp


_FLUENCY: dict[int, tuple[Profile, np.ndarray]] = {}


def compare(a: Profile, b: Profile) -> Comparison:
    """Measure the pair (see the module docstring)."""
    wa, wb = list(a.words[:MAX_ALIGN_WORDS]), list(b.words[:MAX_ALIGN_WORDS])
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    ops = matcher.get_opcodes()
    # a lone common word matched between two changes ("the") is chance more often than copying
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal" and (i2 - i1 >= MIN_BLOCK or i1 == 0))
    # local changes (what a spinner or a translation does word by word) apart from edits (a paragraph
    # added or rewritten, captions, a correction note): only local changes say how the copy was made
    every = [op for op in ops if op[0] != "equal"]
    places = [op for op in every if op[2] - op[1] <= MAX_PLACE and op[4] - op[3] <= MAX_PLACE] or every
    edited = sum((op[2] - op[1]) + (op[4] - op[3]) for op in every if op not in places)
    changed_a = [w for _, i1, i2, _, _ in places for w in wa[i1:i2]]
    changed_b = [w for _, _, _, j1, j2 in places for w in wb[j1:j2]]
    changed = changed_a + changed_b
    function_share = sum(w in _FUNCTION for w in changed) / len(changed) if changed else 0.0
    moved = 0
    if changed_a and changed_b:
        bag = set(changed_b)
        moved = sum(w in bag and w not in _FUNCTION for w in changed_a)
    moved_share = moved / max(len(changed_a), 1)
    indel = sum(op[0] in ("insert", "delete") for op in places) / max(len(places), 1)
    function_only = sum(all(w in _FUNCTION for w in wa[i1:i2] + wb[j1:j2])
                        for _, i1, i2, j1, j2 in places) / max(len(places), 1)
    fluency = 0.0
    if changed:
        fa, fb = _fluency(a), _fluency(b)
        # each change counts with the word after it: "quantity" reads badly after "telephone"
        la = [float(fa[i1:min(i2 + 1, len(fa))].sum()) for _, i1, i2, _, _ in places]
        lb = [float(fb[j1:min(j2 + 1, len(fb))].sum()) for _, _, _, j1, j2 in places]
        fluency = (sum(la) - sum(lb)) / len(places)
    m_ab = sentence_matches(a, b)
    m_ba = sentence_matches(b, a)
    found = [j for j in m_ab if j >= 0]
    order = _lis(found) / len(found) if found else 0.0
    found_b = [j for j in m_ba if j >= 0]
    order_b = _lis(found_b) / len(found_b) if found_b else 0.0
    names = tuple(sorted(a.names & b.names, key=lambda t: (-rarity(t), t)))
    numbers = tuple(n for n in dict.fromkeys(a.numbers) if n in set(b.numbers))
    shared_facts = [f for f in a.fact_order if f in set(b.fact_order)]
    b_pos = {f: i for i, f in enumerate(b.fact_order)}
    fact_order = _lis([b_pos[f] for f in shared_facts]) / len(shared_facts) if shared_facts else 0.0
    facts_a = len(shared_facts) / len(a.fact_order) if a.fact_order else 0.0
    facts_b = len(shared_facts) / len(b.fact_order) if b.fact_order else 0.0
    return Comparison(
        a, b, matched, matched / max(len(wa), 1), matched / max(len(wb), 1), function_share, indel, function_only,
        moved_share,
        sum(j >= 0 for j in m_ab) / max(len(m_ab), 1), sum(j >= 0 for j in m_ba) / max(len(m_ba), 1), order, order_b,
        names, numbers, len(set(a.quotes) & set(b.quotes)), fact_order, facts_a, facts_b, topic_similarity(a, b),
        fluency, places, edited / max(len(wa) + len(wb), 1))


def topic_similarity(a: Profile, b: Profile) -> float:
    """Weighted cosine of the two documents' content stems and names (0..1)."""
    va = {t: rarity(t) * (1 + math.log(c)) for t, c in a.stems.items()}
    vb = {t: rarity(t) * (1 + math.log(c)) for t, c in b.stems.items()}
    for n in sorted(a.names):  # sorted: the same sum in every process, whatever the string hashing
        va[n] = va.get(n, 0.0) + rarity(n)
    for n in sorted(b.names):
        vb[n] = vb.get(n, 0.0) + rarity(n)
    dot = sum(v * vb.get(t, 0.0) for t, v in va.items())
    na, nb = math.sqrt(sum(v * v for v in va.values())), math.sqrt(sum(v * v for v in vb.values()))
    return dot / (na * nb) if na and nb else 0.0


# -- deciding --------------------------------------------------------------------------------------
def _squash(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def related(c: Comparison) -> bool:
    """Was one of the pair made from the other (by the rules: words aligned with the same numbers, or
    sentences restated in order with their facts)?"""
    shorter_cover = c.cover_a if c.a.length <= c.b.length else c.cover_b
    if shorter_cover >= ALIGNED_COVERAGE:
        # one template, other figures ("M-1 rose 217 mln dlrs" / "M-1 fell 291 mln dlrs") is no copy
        return numbers_agree(c.a, c.b)
    return _rewrite(c) is not None


NEURAL_MIN = 0.5  # nats per changed place from which the neural model's preference decides a spun copy's direction


def classify(c: Comparison, spun_scores: tuple[float | None, float | None] = (None, None),
             model: object = "default", damage_of: Callable[[Profile], float] | None = None,
             neural: float | None = None) -> Relation | None:
    """The relation of a measured pair, or ``None`` for unrelated documents. ``model``: the trace
    model deciding kind and direction (:mod:`detector.trace.model`; ``"default"`` the shipped one,
    ``None`` the rules alone). ``damage_of``: a document's round-trip damage score, asked for the
    two sides of a translation (evidence of which one is the machine's). ``neural``: the neural
    model's preference for ``c.a``'s wording where the two differ (nats per changed place,
    :func:`detector.trace.neural_direction.neural_fluency`): from ``NEURAL_MIN`` either way it
    decides a spun copy's direction (the side whose wording the model prefers is the source)."""
    a, b = c.a, c.b
    shorter_cover = c.cover_a if a.length <= b.length else c.cover_b
    facts = len(c.shared_names) + len(c.shared_numbers)
    common = {"word_overlap": round(shorter_cover, 3), "shared_names": list(c.shared_names[:8]),
              "shared_numbers": list(c.shared_numbers[:8])}
    if related(c):
        if model == "default":
            from detector.trace.model import default_trace_model

            model = default_trace_model()
        if model is not None and shorter_cover >= ALIGNED_COVERAGE:
            probs = model.kind_probabilities(c)
            kind = max(probs, key=probs.get)
            damage = (damage_of(a), damage_of(b)) if kind == "translation" and damage_of else (None, None)
            p_source = model.source_probability(c, kind, spun_scores, damage)
            if kind == "spun-copy" and neural is not None and abs(neural) >= NEURAL_MIN:
                p_source = 1 / (1 + math.exp(-neural))
            source, derived = (a, b) if p_source >= 0.5 else (b, a)
            score = probs[kind] * max(p_source, 1 - p_source)
            if kind == "rewrite":  # by rule: the synthetic rewrites the model learned from lengthen text
                source, derived = _rewrite(c, spun_scores) or _by_facts(c, spun_scores)
                matched, order = (c.sentences_a, c.order) if derived is a else (c.sentences_b, c.order_b)
                score = probs[kind] * _squash(6 * (matched - 0.35)) * _squash(6 * (order - 0.45))
        else:  # no model, or sentences restated without word alignment (the model saw only aligned pairs)
            kind, source, derived, score = _by_rules(c, spun_scores)
        return Relation(source.id, derived.id, kind, score, {**common, **_evidence(c, kind, source, derived)})
    if facts >= SAME_STORY_FACTS and c.topic >= SAME_STORY_TOPIC:
        score = _squash(2 * (facts - SAME_STORY_FACTS)) * _squash(8 * (c.topic - SAME_STORY_TOPIC))
        return Relation(a.id, b.id, "same-story", score, {
            **common, "topic_similarity": round(c.topic, 3),
            "summary": f"independent wording ({shorter_cover:.0%} of words and "
                       f"{max(c.sentences_a, c.sentences_b):.0%} of sentences in common) but {facts} shared "
                       f"names and numbers ({', '.join((list(c.shared_names) + list(c.shared_numbers))[:4])})"})
    return None


def _by_rules(c: Comparison, spun_scores) -> tuple[str, Profile, Profile, float]:
    """Kind, source, derived and score without the model (the thresholds above)."""
    a, b = c.a, c.b
    shorter_cover = c.cover_a if a.length <= b.length else c.cover_b
    changed = 1 - c.matched_words / max(a.length, b.length, 1)
    if min(c.cover_a, c.cover_b) >= DUPLICATE_COVERAGE and changed <= DUPLICATE_MAX_CHANGED:
        source, derived = _by_score(a, b, spun_scores)
        return "duplicate", source, derived, min(c.cover_a, c.cover_b)
    if shorter_cover >= ALIGNED_COVERAGE:
        if c.length_ratio <= SUMMARY_LENGTH and max(c.cover_a, c.cover_b) >= 0.6 \
                and min(c.sentences_a, c.sentences_b) <= SUMMARY_SOURCE_COVER:
            source, derived = (a, b) if a.length >= b.length else (b, a)
            return "summary", source, derived, _squash(6 * (SUMMARY_LENGTH + 0.05 - c.length_ratio))
        source, derived = _by_fluency(c, spun_scores)
        score = _squash(4 * (shorter_cover - 0.45)) * (0.5 + 0.5 * _squash(abs(c.fluency) - 0.5))
        return ("translation" if translation_log_odds(c) >= 0 else "spun-copy"), source, derived, score
    source, derived = _rewrite(c, spun_scores) or (a, b)
    if derived.length / max(source.length, 1) <= SUMMARY_LENGTH \
            and (c.sentences_a if source is a else c.sentences_b) <= SUMMARY_SOURCE_COVER:
        return "summary", source, derived, 0.5
    matched = c.sentences_a if derived is a else c.sentences_b
    order = c.order if derived is a else c.order_b
    return "rewrite", source, derived, _squash(6 * (matched - 0.35)) * _squash(6 * (order - 0.5))


def _evidence(c: Comparison, kind: str, source: Profile, derived: Profile) -> dict:
    """What a reader can check for a relation of this kind, with a one-line summary."""
    shorter_cover = c.cover_a if c.a.length <= c.b.length else c.cover_b
    margin = c.fluency if source is c.a else -c.fluency
    reads = (f"the source reads likelier where they differ ({margin:.2f} log10 per change)" if margin > 0
             else f"the derived text reads likelier where they differ ({-margin:.2f} log10 per change)")
    src_is_a = source is c.a
    matched = c.sentences_b if src_is_a else c.sentences_a
    order = c.order_b if src_is_a else c.order
    contained = c.facts_b if src_is_a else c.facts_a
    covered = c.sentences_a if src_is_a else c.sentences_b
    n = len(derived.sentences)
    if kind == "duplicate":
        return {"summary": f"the same text up to formatting: {c.matched_words} of "
                           f"{max(c.a.length, c.b.length)} words identical, in order; "
                           f"{source.length} words in the source, {derived.length} in the copy"}
    if kind == "spun-copy":
        swaps = _swaps(derived, source)
        return {"swaps": swaps[:40], "swap_count": len(swaps),
                "summary": f"aligned word for word ({shorter_cover:.0%} of words); {len(swaps)} swaps such as "
                           + ", ".join(f"'{s}' for '{o}'" for s, o in swaps[:3]) + f"; {reads}"}
    if kind == "translation":
        return {"function_words_changed": round(c.changed_function_share, 3), "reordered": round(c.moved_share, 3),
                "added_or_dropped": round(c.indel_share, 3),
                "summary": f"aligned word for word ({shorter_cover:.0%}) but function words changed "
                           f"({c.changed_function_share:.0%} of changed words) and words added or dropped "
                           f"({c.indel_share:.0%} of changes), as machine translation does; {reads}"}
    if kind == "summary":
        return {"length_ratio": round(derived.length / max(source.length, 1), 3),
                "source_sentences_kept": round(covered, 3),
                "summary": f"{derived.length / max(source.length, 1):.0%} of the source's length; "
                           f"{matched:.0%} of its sentences restate the source, which has {covered:.0%} "
                           f"of its sentences represented"}
    return {"sentences_matched": f"{round(matched * n)} of {n}", "in_order": round(order, 3),
            "facts_from_source": round(contained, 3),
            "summary": f"{round(matched * n)} of {n} sentences restate a sentence of the source in other "
                       f"words ({order:.0%} in the same order); {contained:.0%} of its names and numbers "
                       f"are the source's"}


def numbers_agree(a: Profile, b: Profile) -> bool:
    """Copies keep their source's numbers: with ``MIN_NUMBERS`` distinct numbers or more on a side, at
    least ``NUMBER_SHARE`` of the smaller side's set must be shared."""
    x, y = set(a.numbers), set(b.numbers)
    if max(len(x), len(y)) < MIN_NUMBERS or not (x and y):  # an extract may keep none of the figures
        return True
    return bool(x & y) and len(x & y) >= NUMBER_SHARE * min(len(x), len(y))


def translation_log_odds(c: Comparison) -> float:
    """Log-odds that an aligned pair is a machine translation rather than a spun copy."""
    x = (c.indel_share, c.function_only_share, c.changed_function_share, c.moved_share)
    return TRANSLATION_BIAS + sum(w * v for w, v in zip(TRANSLATION_WEIGHTS, x))


def _by_score(a: Profile, b: Profile, spun_scores) -> tuple[Profile, Profile]:
    sa, sb = spun_scores
    if sa is not None and sb is not None and sb < sa:
        return b, a
    return a, b


def _by_fluency(c: Comparison, spun_scores) -> tuple[Profile, Profile]:
    """Source first: the side that reads likelier where the two differ, the less spun on a tie."""
    vote = c.fluency
    sa, sb = spun_scores
    if sa is not None and sb is not None:
        vote += 2.0 * (sb - sa)
    return (c.a, c.b) if vote >= 0 else (c.b, c.a)


def _rewrite(c: Comparison, spun_scores=(None, None)) -> tuple[Profile, Profile] | None:
    """(source, derived) when one side restates the other sentence by sentence, else ``None``.

    The derived side is the one whose names and numbers are more often found in the other (a
    rewrite loses facts and detail more often than it adds them), then the shorter, then the more
    spun."""
    a, b = c.a, c.b
    passes = [derived for derived in (a, b) if _restates(c, derived)]
    if not passes:
        return None
    if len(passes) == 1:
        derived = passes[0]
        return (b if derived is a else a), derived
    return _by_facts(c, spun_scores)


def _by_facts(c: Comparison, spun_scores=(None, None)) -> tuple[Profile, Profile]:
    """(source, derived) by the rewrite vote: the derived side's facts are more often the other's,
    it is shorter, it is more spun."""
    a, b = c.a, c.b
    vote = math.tanh(3 * (c.facts_b - c.facts_a)) + math.tanh(math.log(max(a.length, 1) / max(b.length, 1)) * 2)
    sa, sb = spun_scores
    if sa is not None and sb is not None:
        vote += sb - sa
    return (a, b) if vote >= 0 else (b, a)


def _restates(c: Comparison, derived: Profile) -> bool:
    """Does ``derived`` restate the other side sentence by sentence, in order, with its facts?"""
    matched, contained, order = ((c.sentences_a, c.facts_a, c.order) if derived is c.a
                                 else (c.sentences_b, c.facts_b, c.order_b))
    if order < REWRITE_ORDER:
        return False
    if len(derived.fact_order) >= FEW_FACTS:
        return matched >= REWRITE_SENTENCES and contained >= REWRITE_FACTS
    return matched >= REWRITE_SENTENCES_ALONE


def _swaps(derived: Profile, source: Profile) -> list[list[str]]:
    """The spinner's dictionary: (spun, original) pairs, in the derived text's order, each once."""
    from detector.repair.align import align

    seen: dict[tuple[str, str], None] = {}
    for pair in align(derived.text, source.text).substitutions:
        spun, orig = (x.strip() for x in pair.learned)
        if spun.lower() != orig.lower():
            seen.setdefault((spun, orig), None)
    return [list(p) for p in seen]
