"""Known tortured phrases: the shipped PPS list found in its written forms, guards honoured (cases in test-cases/)."""

import json
from pathlib import Path

import pytest

from detector.tortured.guards import parse, satisfying_context
from detector.tortured.match import Document, PhraseMatcher, fold, words_of
from detector.tortured.phrases import KnownPhrases, held_out

CASES = json.loads((Path(__file__).parent / "test-cases" / "known.json").read_text(encoding="utf-8"))
CLEAN = [line for line in (Path(__file__).parent / "test-cases" / "clean.txt").read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def known():
    return KnownPhrases.load()


@pytest.mark.parametrize("case", CASES, ids=[c["why"][:40] for c in CASES])
def test_known_cases(known, case):
    found = [[f.text, f.expected] for f in known.find(case["text"])]
    assert found == case["found"], case["why"]


@pytest.mark.parametrize("text", CLEAN, ids=[t[:30] for t in CLEAN])
def test_clean_sentences_have_no_known_phrase(known, text):
    assert known.find(text) == []


def test_every_listed_phrase_is_found_in_its_own_words(known):
    """Each entry that needs no context is found when written alone in a sentence (any that is not,
    the matcher cannot see: the list would be broken)."""
    missed = []
    for e in known.entries:
        if e.ordinary or e.guarded:
            continue
        text = f"In this paper we study {e.tortured} and report the results."
        if not any(f.tortured == e.tortured or words_of(f.tortured) == words_of(e.tortured) for f in known.find(text)):
            missed.append(e.tortured)
    assert len(missed) <= 0.005 * len(known.entries), missed[:20]


def test_guarded_entries_count_with_their_context(known):
    """A guarded entry is found once the phrases its guard asks for are in the text, and not before."""
    checked = 0
    for e in known.entries:
        if not e.guarded or e.ordinary or not e.queries:
            continue
        context = satisfying_context(e.queries[0], words_of(e.tortured))
        if not context:
            continue
        alone = f"In this paper we study {e.tortured} and report the results."
        with_context = alone + " We also discuss " + " and ".join(context) + "."
        assert any(words_of(f.tortured) == words_of(e.tortured) for f in known.find(with_context)), e.tortured
        checked += 1
    assert checked > 300


def test_fold_and_hold_out_are_stable():
    assert fold("Strolls") == fold("stroll") and fold("ﬁgures") == fold("figure")
    assert held_out("Irregular-Woodlands") == held_out("irregular woodland")
    share = sum(held_out(f"phrase {i}") for i in range(2000)) / 2000
    assert 0.15 < share < 0.25


def test_matcher_prefers_the_longest_phrase():
    matcher = PhraseMatcher(["profound learning", "profound learning model"])
    found = matcher.find(Document("A profound learning model."))
    assert [(m.key, m.first, m.last) for m in found] == [(1, 1, 3)]


def test_query_parser_reads_every_shape():
    assert parse('"a b" AND ("c" OR d) NOT "e f"~3').describe() == '"a b" AND ("c" OR "d") NOT "e f"~3'
    doc = Document("a b c x y e z f")
    assert parse('"a b" AND "e f"~1').holds(doc, (0, 1), ("a", "b"))
    assert not parse('"a b" AND "e f"').holds(doc, (0, 1), ("a", "b"))
