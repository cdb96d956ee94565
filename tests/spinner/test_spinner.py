import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.spinner.spinner import SpinConfig, Spinner, carry_case, expand_spintax, spin
from detector.text.tokenize import tokenize
from tests.conftest import seed_path

UNTOUCHED = json.loads((Path(__file__).parent / "test-cases" / "spin-untouched.json").read_text())["cases"]
WORDS = ["users", "phone", "number", "such", "as", "the", "city", "said", "popular", "food", "Chinese", "of",
         "new", "company", "reported", "a", "market", "prices", "rose", "in", "week", "government", "plans"]
SEPARATORS = [" ", " ", " ", ", ", ".\n", " “", "” ", " - ", "  "]


@pytest.fixture(scope="module")
def spinner(lex):
    return Spinner(SpinConfig(rate=0.3, seed=7), lexicon=lex)


def test_same_seed_same_output_other_seed_other_output(lex):
    text = seed_path("001").read_text(encoding="utf-8")
    a = Spinner(SpinConfig(seed=1), lexicon=lex).spin(text)
    b = Spinner(SpinConfig(seed=1), lexicon=lex).spin(text)
    c = Spinner(SpinConfig(seed=2), lexicon=lex).spin(text)
    assert a.text == b.text and a.substitutions == b.substitutions
    assert a.text != c.text


def test_ground_truth_points_into_both_texts(spinner):
    text = seed_path("001").read_text(encoding="utf-8")
    result = spinner.spin(text)
    assert len(result.substitutions) > 50
    for sub in result.substitutions:
        assert result.text[sub.start : sub.end] == sub.replacement
        assert text[sub.original_start : sub.original_end] == sub.original
        assert sub.replacement.lower() != sub.original.lower()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=60),
       st.floats(0.0, 1.0), st.integers(0, 2**31))
def test_property_every_substitution_matches_the_output(spinner, parts, rate, seed):
    text = "".join(w + s for w, s in parts)
    result = Spinner(SpinConfig(rate=rate, seed=seed), lexicon=spinner.lex, thesaurus=spinner.thesaurus).spin(text)
    rebuilt, pos = [], 0
    for sub in result.substitutions:
        assert result.text[sub.start : sub.end] == sub.replacement
        assert text[sub.original_start : sub.original_end] == sub.original
        rebuilt += [text[pos : sub.original_start], sub.replacement]
        pos = sub.original_end
    assert "".join(rebuilt) + text[pos:] == result.text
    words = sum(1 for t in tokenize(text) if t.kind == "word")
    replaced = sum(len(tokenize(s.original)) for s in result.substitutions)
    assert replaced <= round(rate * words) + 2


def test_rate_controls_how_much_changes(lex):
    text = seed_path("001").read_text(encoding="utf-8")
    counts = [len(Spinner(SpinConfig(rate=r, seed=3), lexicon=lex).spin(text).substitutions)
              for r in (0, 0.05, 0.2, 0.4)]
    assert counts[0] == 0 and counts[1] < counts[2] < counts[3]


def test_spintax_expands_back_to_both_texts(spinner):
    text = 'Users {curly} | "such as" the phone number.\nThe city said prices rose.'
    result = spinner.spin(text, seed=5)
    assert result.substitutions
    spintax = result.to_spintax()
    assert expand_spintax(spintax, choose=0) == text
    assert expand_spintax(spintax, choose=1) == result.text
    with pytest.raises(ValueError):
        expand_spintax("{open")


def test_case_and_inflection_carry_over(lex):
    r = spin("Users like it. CUSTOMERS like it.", rate=1.0, seed=0, thesaurus="phrases")
    first, second = r.substitutions[0], r.substitutions[1]
    assert first.replacement[0].isupper() and first.replacement.endswith("s")
    assert second.replacement.isupper()
    naive = spin("Users like it.", rate=1.0, seed=0, thesaurus="phrases", match_case=False, inflect=False)
    assert naive.substitutions[0].replacement in ("customer", "consumer", "person")
    assert carry_case("Great Firewall", "nice firewall") == "Nice Firewall"


@pytest.mark.parametrize("case", UNTOUCHED, ids=lambda c: c["text"][:30])
@pytest.mark.parametrize("thesaurus", ["wordnet", "wordnet-broad", "phrases"])
def test_numbers_urls_acronyms_and_other_scripts_survive(lex, case, thesaurus):
    result = spin(case["text"], rate=1.0, seed=1, thesaurus=thesaurus)
    for keep in case["keep"]:
        assert keep in result.text


def test_config_is_validated_and_immutable():
    with pytest.raises(ValueError):
        SpinConfig(rate=1.5)
    with pytest.raises(AttributeError):
        SpinConfig().rate = 0.5  # type: ignore[misc]
