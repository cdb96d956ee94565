import json
from pathlib import Path

import pytest

from detector.lexicon.morphology import analyze, inflect

CASES = json.loads((Path(__file__).parent / "test-cases" / "inflection.json").read_text())["cases"]


@pytest.mark.parametrize("lemma,pos,tag,form", CASES)
def test_inflect(lex, lemma, pos, tag, form):
    assert inflect(lemma, pos, tag, lex) == form


@pytest.mark.parametrize("lemma,pos,tag,form", [c for c in CASES if not c[3].startswith("more ")])
def test_analyze_finds_the_reading(lex, lemma, pos, tag, form):
    assert (lemma, pos, tag) in analyze(form, lex)


def test_unknown_words_have_no_reading(lex):
    assert analyze("xqzzyv", lex) == []
