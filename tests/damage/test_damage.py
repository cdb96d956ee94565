"""Machine-translation and line damage: seeds, the JSON contract, stripping translations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.cli import main
from detector.damage.gather import damage
from detector.damage.lines import split_lines, strip_translations
from detector.damage.mt_model import MTDamageModel, get_mt_model
from detector.damage.roundtrip import FLUENT_NOTE, roundtrip_damage, sentence_scores, sentences
from tests.conftest import seed_path

CASES = json.loads((Path(__file__).parent / "test-cases" / "mt-sentences.json").read_text(encoding="utf-8"))


def test_seed_004_is_flagged_as_a_round_trip_and_the_clean_seeds_are_not(seed_texts):
    assert damage(seed_texts["004"])["mt_roundtrip"]["verdict"] == "damaged"
    for key in ("001", "002"):
        found = damage(seed_texts[key])["mt_roundtrip"]
        assert found["verdict"] == "fluent", (key, found["spans"])
        assert found["note"] == "reads as fluent English; translation errors are not visible without the source"


def test_seed_001_chinese_lines_are_interleaved_translation_and_repeats(seed_texts):
    found = damage(seed_texts["001"])
    lines = [line for line in split_lines(seed_texts["001"]) if line.language == "chinese"]
    spans = found["interleaved_translation"]["spans"]
    assert found["interleaved_translation"]["score"] >= 0.5 and found["interleaved_translation"]["languages"] == [
        "chinese"]
    assert {(s["start"], s["end"]) for s in spans} == {(line.start, line.end) for line in lines}
    for span in spans:
        assert seed_texts["001"][span["start"] : span["end"]] == span["text"]
    assert len(found["repeated_lines"]["spans"]) == len(lines) // 2  # each Chinese line is there twice
    for key in ("000", "002", "003", "004"):
        assert damage(seed_texts[key])["interleaved_translation"]["spans"] == []


def test_score_json_has_a_damage_object_beside_the_spinning_score(capsys):
    assert main(["score", str(seed_path("004")), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["damage"]) == {"mt_roundtrip", "mt_provenance", "interleaved_translation", "repeated_lines",
                                  "translation_mismatch"}
    roundtrip = out["damage"]["mt_roundtrip"]
    assert 0 <= roundtrip["score"] <= 1 and roundtrip["spans"]
    text = seed_path("004").read_text(encoding="utf-8")
    for span in roundtrip["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["reasons"] and 0.5 <= span["score"] <= 1
    capsys.readouterr()
    assert main(["score", str(seed_path("004")), "--format", "json", "--no-damage"]) == 0
    assert "damage" not in json.loads(capsys.readouterr().out)


def test_damage_does_not_change_the_spinning_score(seed_texts):
    from detector.analysis import Analyzer
    from detector.detection.scoring import Scorer

    plain, with_damage = Scorer(), Analyzer(damage=True)
    for key in ("000", "004"):
        assert plain.score(seed_texts[key]).score == with_damage.score(seed_texts[key]).score


def test_strip_translations_keeps_english_and_loses_nothing(seed_texts):
    text = seed_texts["001"]
    stripped = strip_translations(text)
    assert stripped.removed and all(r["language"] == "chinese" for r in stripped.removed)
    assert not any("\u4e00" <= c <= "\u9fff" for c in stripped.text)
    kept = [line for line in text.splitlines() if line in stripped.text.splitlines()]
    assert len(kept) + len(stripped.removed) == len(text.splitlines())
    for removed in stripped.removed:
        assert text[removed["start"] : removed["end"]] == removed["text"]
    assert strip_translations(seed_texts["002"]).removed == ()


def test_clean_strip_translations_reports_what_it_removed(tmp_path, seed_texts):
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "001", "text": seed_texts["001"]}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "in.jsonl"), "--out", str(out), "--strip-translations", "--damage",
                 "--quiet", "--workers", "1"]) == 0
    record = json.loads((out / "in.jsonl").read_text(encoding="utf-8"))
    assert record["detector"]["stripped"]["lines"] == 22 and record["detector"]["stripped"]["languages"] == ["chinese"]
    assert not any("\u4e00" <= c <= "\u9fff" for c in record["text"])
    assert record["detector"]["damage"]["interleaved_translation"]["spans"] == []  # scored after stripping
    for span in record["detector"]["spans"]:
        assert record["text"][span["start"] : span["end"]] == span["text"]


def test_sentences_do_not_end_at_abbreviations_or_soft_wraps():
    text = "The U.S. Senate met\nin Washington. Mr. Smith said it would vote. Then it did."
    assert [text[s:e] for s, e in sentences(text)] == ["The U.S. Senate met\nin Washington.",
                                                       "Mr. Smith said it would vote.", "Then it did."]


def test_clean_news_sentences_are_not_spans():
    text = ("The company said on Tuesday that profits rose 12 pct in the first quarter. "
            '"We are pleased with the results," chief executive John Smith told reporters in New York. '
            "Analysts had expected a smaller rise, citing weak demand in Europe and Asia.")
    assert roundtrip_damage(text)["spans"] == []


@pytest.mark.parametrize("pair", CASES["pairs"], ids=lambda pair: pair[0][:30])
def test_a_literal_rendering_scores_above_its_original(pair):
    original, rendering = sentence_scores(pair)
    assert rendering > original


@pytest.mark.parametrize("genre", sorted(CASES["clean"]))
def test_clean_text_of_every_genre_is_not_damaged(genre):
    found = roundtrip_damage(CASES["clean"][genre])
    assert found["verdict"] == "fluent" and found["spans"] == [], found


def test_a_round_tripped_paragraph_is_damaged_and_its_spans_name_words():
    text = CASES["damaged_document"]
    found = roundtrip_damage(text)
    assert found["verdict"] == "damaged" and found["model_score"] > get_mt_model().document_threshold
    assert found["spans"]
    for span in found["spans"]:
        assert text[span["start"] : span["end"]] == span["text"] and span["reasons"]
        for word in span["words"]:
            assert span["start"] <= word["start"] < word["end"] <= span["end"]
            assert text[word["start"] : word["end"]] == word["text"] and word["reason"]
    assert any(span["words"] for span in found["spans"])


def test_the_clean_paragraph_scores_below_its_round_trip():
    clean, damaged = (roundtrip_damage(t)["model_score"] for t in (CASES["clean"]["news"], CASES["damaged_document"]))
    assert damaged > clean


def test_short_text_gets_its_sentence_score_and_the_verdict_too_short():
    damaged, clean = roundtrip_damage(CASES["pairs"][1][1]), roundtrip_damage(CASES["pairs"][1][0])
    assert damaged["sentences"] == 1 and damaged["verdict"] == "too-short" and damaged["model_score"] is not None
    assert damaged["score"] > 0.0 and damaged["score"] > clean["score"]
    # the score is the sentence's own: a span's score when a span is found
    assert [s["score"] for s in damaged["spans"]] in ([], [damaged["score"]])
    assert clean["verdict"] == "too-short" and not clean["spans"]


def test_two_sentences_score_as_their_stronger_one():
    one = roundtrip_damage(CASES["pairs"][1][1])
    two = roundtrip_damage(CASES["pairs"][3][0] + " " + CASES["pairs"][1][1])
    assert two["sentences"] == 2 and two["verdict"] == "too-short" and two["score"] == pytest.approx(one["score"])


def test_empty_text_has_no_damage():
    assert roundtrip_damage("") == {"score": 0.0, "verdict": "fluent", "sentences": 0, "model_score": None,
                                    "signs_score": 0.0, "spans": [], "note": FLUENT_NOTE}


def test_damaged_round_trip_model_is_refused(tmp_path):
    from detector.errors import ModelError

    (tmp_path / "model.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ModelError, match="another format"):
        MTDamageModel.load(tmp_path)
    with pytest.raises(ModelError, match="cannot load"):
        MTDamageModel.load(tmp_path / "missing")


@pytest.mark.xfail(strict=True, reason="literal renderings of names and tenses ('Jia Qinglin saw', 'Starting from "
                                       "2023, China will implement') need knowledge of the source; not detected yet")
def test_known_miss_literal_renderings():
    text = ("Jia Qinglin saw an American fisherman asking if there were any fishermen in China. Starting from 2023, "
            "China will implement a visa-free policy for tourists from all over the world.")
    assert roundtrip_damage(text)["spans"]


def test_damage_in_a_batch_equals_damage_alone(seed_texts):
    from detector.analysis import Analyzer
    from detector.detection.scoring import Scorer

    texts = [seed_texts[key] for key in sorted(seed_texts)] + [*CASES["clean"].values(), CASES["damaged_document"]]
    analyzer = Analyzer(damage=True)
    batch = analyzer.score_many(texts)
    for text, result in zip(texts, batch):
        assert result.extra["damage"] == damage(text, lm=analyzer.damage_lm)
        assert result.score == pytest.approx(Scorer().score(text).score, abs=1e-9)  # spinning: alike alone or batched


def test_a_spinning_feature_appended_to_feature_names_does_not_change_mt_outputs(monkeypatch):
    """The spinning detector appends features to FEATURE_NAMES; the MT models take theirs by name."""
    import numpy as np

    from detector.damage import mt_features
    from detector.detection import features as spin

    texts = [CASES["damaged_document"], CASES["clean"]["news"], CASES["pairs"][1][1]]
    model = get_mt_model()
    before = model.assess([p for pair in CASES["pairs"] for p in pair])
    reports = [roundtrip_damage(t) for t in texts]
    original = spin.token_features

    def grown(doc, tables, *args, **kwargs):
        rows = original(doc, tables, *args, **kwargs)
        return np.hstack([rows, np.full((len(rows), 1), 123.0)])

    monkeypatch.setattr(spin, "FEATURE_NAMES", [*spin.FEATURE_NAMES, "a_new_collocation_feature"])
    monkeypatch.setattr(spin, "token_features", grown)
    monkeypatch.setattr(mt_features, "token_features", grown)
    after = model.assess([p for pair in CASES["pairs"] for p in pair])
    assert after.evidence.words.shape == before.evidence.words.shape
    assert np.array_equal(after.sentences, before.sentences) and np.array_equal(after.words, before.words)
    assert [roundtrip_damage(t) for t in texts] == reports


def test_a_fluent_document_says_what_cannot_be_seen_and_gives_no_provenance_verdict(tmp_path, capsys):
    path = tmp_path / "news.txt"
    path.write_text(" ".join(CASES["clean"].values()), encoding="utf-8")
    assert main(["score", str(path), "--no-color", "--no-neural"]) == 0
    out = capsys.readouterr().out
    assert f"machine-translation word salad: none; {FLUENT_NOTE}" in out
    assert "provenance" not in out  # a score without a verdict stays in the JSON
    assert main(["score", str(path), "--format", "json", "--no-neural"]) == 0
    found = json.loads(capsys.readouterr().out)["damage"]
    assert found["mt_roundtrip"]["verdict"] == "fluent" and found["mt_roundtrip"]["note"] == FLUENT_NOTE
    assert "verdict" not in found["mt_provenance"] and 0 <= found["mt_provenance"]["score"] <= 1


def test_the_word_salad_stage_follows_neural_off(monkeypatch):
    from detector.analysis import Analyzer
    from detector.damage.salad import default_language_model

    monkeypatch.setenv("DETECTOR_NEURAL", "off")
    assert default_language_model() is None and Analyzer(tortured=False).damage_lm is None
    assert Analyzer(neural=False, tortured=False).damage_lm is None
