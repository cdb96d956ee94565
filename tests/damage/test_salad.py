"""Word salad with the neural model's token evidence: where a sentence stops being English, which
words break it, and fluent sentences left alone (skipped, saying why, when the model is not installed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detector.damage.gather import damage
from detector.damage.salad import COMBINED, SaladModel, breaks, get_salad_model, read_sentences
from detector.errors import ModelError

CASES = json.loads((Path(__file__).parent / "test-cases" / "mt-sentences.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lm():
    from detector.neural import NeuralUnavailable
    from detector.neural.reading import language_model

    try:
        return language_model(1)
    except NeuralUnavailable as err:
        pytest.skip(f"the neural model is not installed ({err})")


def test_breaks_names_the_first_word_over_the_line_and_the_worst():
    spans = np.array([[0, 3], [4, 8], [9, 12], [13, 18]])
    assert breaks(spans, np.array([0.0, 6.0, 1.0, 9.0])) == (1, [3, 1])
    assert breaks(spans, np.zeros(4)) == (None, [])


def test_the_model_loads_and_another_format_is_refused(tmp_path):
    model = get_salad_model()
    assert len(model.coef) == len(COMBINED) and 0 < model.threshold < 1
    (tmp_path / "model.json").write_text(json.dumps({"format": 1, "features": ["x"]}), encoding="utf-8")
    with pytest.raises(ModelError, match="train-salad"):
        SaladModel.load(tmp_path)


def test_word_salad_reads_as_less_english_than_its_fluent_version(lm):
    fluent, salad = zip(*CASES["pairs"])
    read = read_sentences(list(fluent) + list(salad), lm)
    excess = np.array([r.features[2] for r in read])  # mean surprisal beyond what the model expected
    assert (excess[len(fluent) :] > excess[: len(fluent)]).all()


def test_the_report_says_where_a_salad_sentence_breaks_and_leaves_fluent_text_alone(lm):
    found = damage(CASES["damaged_document"], lm=lm)["mt_roundtrip"]
    read = [s for s in found["spans"] if "neural" in s]
    assert read, found["spans"]
    for span in read:
        stop = span["neural"]["stops_at"]
        if stop is not None:
            assert CASES["damaged_document"][stop["start"] : stop["end"]] == stop["text"]
            assert any(r.startswith(f"stops reading as English at '{stop['text']}'") for r in span["reasons"])
    for text in CASES["clean"].values():
        clean = damage(text, lm=lm)["mt_roundtrip"]
        assert clean["spans"] == [] and clean["verdict"] == "fluent", clean


def test_without_the_neural_model_the_report_is_the_ngram_one():
    found = damage(CASES["damaged_document"])["mt_roundtrip"]
    assert found["spans"] and all("neural" not in s for s in found["spans"])
