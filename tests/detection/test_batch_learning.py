"""Batch learning: swaps learned from surely spun documents are evidence on the others, within one batch."""

from __future__ import annotations

import pytest

from detector.detection.batch_learning import (
    BatchLearner,
    apply_swaps,
    learn_and_apply,
    raised_probability,
    swaps_from_dictionary,
    swaps_to_dictionary,
)
from detector.detection.scoring import Scorer
from tests.detection.batch_texts import LIGHT, OTHER_CLEAN, spun_teachers


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@pytest.fixture(scope="module")
def teachers(tmp_path_factory):
    return spun_teachers(tmp_path_factory.mktemp("spinner"))


def _learned_span(result, word: str):
    return next((s for s in result.spans if s.text.lower() == word and any("this batch's spinner" in r
                                                                           for r in s.reasons)), None)


def test_a_swap_learned_from_spun_documents_is_found_in_another(scorer, teachers):
    texts = [*teachers, LIGHT, OTHER_CLEAN]
    first = scorer.score_many(texts, keep_tokens=True)
    assert sum(r.verdict == "spun" for r in first[:4]) >= 2  # enough surely spun documents to learn from
    assert first[4].verdict == "clean" and _learned_span(first[4], "citizenry") is None
    new, swaps, stats = learn_and_apply(scorer, first)
    pairs = {(s.spun, s.original): s for s in swaps}
    assert ("citizenry", "people") in pairs and pairs[("citizenry", "people")].documents >= 2
    span = _learned_span(new[4], "citizenry")
    assert span is not None and span.suggestion == "people" and span.score >= raised_probability(2, 1.0)
    assert f"made {pairs[('citizenry', 'people')].count} times" in span.reasons[0]
    assert new[4].score > first[4].score and stats["documents"] >= 1 and stats["words"] >= 1
    assert new[5].score == first[5].score and new[5].spans == first[5].spans  # nothing to learn from there
    assert all(a.score == b.score for a, b in zip(new, first) if b.verdict == "spun")  # spun ones untouched


def test_nothing_learned_in_one_batch_reaches_another(scorer, teachers):
    learn_and_apply(scorer, scorer.score_many([*teachers, LIGHT], keep_tokens=True))
    alone = scorer.score_many([LIGHT, OTHER_CLEAN], keep_tokens=True)
    new, swaps, stats = learn_and_apply(scorer, alone)
    assert swaps == [] and stats["documents"] == 0
    full = scorer.score_many([LIGHT, OTHER_CLEAN], exhaustive=True)  # learning scores with the full model
    assert [(r.score, r.spans) for r in new] == [(r.score, r.spans) for r in full]


def test_pairs_need_the_minimum_of_documents(scorer, teachers):
    results = scorer.score_many(teachers)
    strict = BatchLearner(scorer, min_documents=len(teachers) + 1)
    strict.observe(results)
    assert strict.swaps() == []
    loose = BatchLearner(scorer, min_documents=2)
    loose.observe(results)
    assert loose.swaps() and all(s.documents >= 2 and s.gain > 0 for s in loose.swaps())


def test_learners_merge_by_addition(scorer, teachers):
    results = scorer.score_many(teachers)
    whole = BatchLearner(scorer)
    whole.observe(results)
    parts = BatchLearner()
    for half in (results[:2], results[2:]):
        part = BatchLearner(scorer)
        part.observe(half)
        parts.merge(part.state())
    assert [s.to_dict() for s in parts.swaps()] == [s.to_dict() for s in whole.swaps()]


def test_a_saved_dictionary_gives_the_same_evidence(scorer, teachers, tmp_path):
    from detector.repair.repair import Dictionary

    _, swaps, _ = learn_and_apply(scorer, scorer.score_many([*teachers, LIGHT], keep_tokens=True))
    path = tmp_path / "learned.json"
    import json

    path.write_text(json.dumps(swaps_to_dictionary(swaps).to_json()), encoding="utf-8")
    loaded = swaps_from_dictionary(Dictionary.load(path))
    assert {(s.spun, s.original, s.count) for s in loaded} == {(s.spun, s.original, s.count) for s in swaps}
    new, stats = apply_swaps(scorer, scorer.score_many([LIGHT]), loaded)
    assert _learned_span(new[0], "citizenry") is not None and stats["documents"] == 1
