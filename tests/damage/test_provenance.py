"""MT provenance over many sentences: a score (never a verdict), from the same evidence as the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detector.damage.gather import damage
from detector.damage.provenance import (
    DOCUMENT_FEATURES,
    MIN_SENTENCES,
    ProvenanceModel,
    document_features,
    get_provenance_model,
    moving_ttr,
    provenance_of_sentences,
)
from detector.damage.train_provenance import balanced, windows
from detector.errors import ModelError

CASES = json.loads((Path(__file__).parent / "test-cases" / "mt-sentences.json").read_text(encoding="utf-8"))


def test_the_model_loads_and_has_a_threshold_for_every_length():
    model = get_provenance_model()
    assert len(model.coef) == len(DOCUMENT_FEATURES) and model.threshold(MIN_SENTENCES - 1) is None
    assert model.threshold(12) <= model.threshold(MIN_SENTENCES) and 0 < model.threshold(40) < 1


def test_word_salad_over_many_sentences_scores_higher_than_its_original():
    originals = [a for a, _ in CASES["pairs"]]
    salad = [b for _, b in CASES["pairs"]]
    clean, damaged = provenance_of_sentences(originals), provenance_of_sentences(salad)
    assert damaged["score"] > clean["score"]
    assert "verdict" not in damaged and damaged["note"]


def test_short_texts_get_no_score_and_the_report_carries_provenance(seed_texts):
    assert provenance_of_sentences(CASES["clean"]["news"].split(". ")[:3])["score"] is None
    found = damage(seed_texts["001"])["mt_provenance"]
    assert found["sentences"] >= MIN_SENTENCES and 0 <= found["score"] <= 1 and found["spans"] == []


def test_document_features_and_lexical_variety():
    assert moving_ttr(["a"] * 60) == pytest.approx(1 / 50)
    rows = np.ones((4, (len(DOCUMENT_FEATURES) - 3) // 2))
    features = document_features(rows, [["One", "two"], ["three"], ["four", "five"], ["six"]])
    assert features.shape == (len(DOCUMENT_FEATURES),) and features[-3] == 1.0  # six words, all distinct


def test_training_windows_and_weights():
    assert windows(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5]]
    keys = [("a", "s", "g", "u")] * 3 + [("b", "s", "g", "u")]
    w = balanced(keys, np.array([1, 1, 0, 1]))
    assert w[0] == w[1] and w[0] * 2 == pytest.approx(w[2]) and w.mean() == pytest.approx(1.0)


def test_a_model_of_another_format_is_refused_in_one_line(tmp_path):
    (tmp_path / "model.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ModelError, match="train-provenance"):
        ProvenanceModel.load(tmp_path)
