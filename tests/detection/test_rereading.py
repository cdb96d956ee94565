"""Suggestions chosen by re-reading the sentence: the pieces, their truth, the choice and the stored stage."""

from __future__ import annotations

import numpy as np
import pytest

from detector.detection.rereading import (
    PIECE_FEATURES,
    ChoiceWeights,
    Piece,
    PieceCalibrator,
    Rereader,
    piece_truth,
    sentence_bounds,
    span_choice,
)
from detector.detection.rereading_fit import _repair_threshold, choice_accuracy, fit_weights
from detector.spinner.spinner import SpinResult, Substitution


def test_sentence_bounds_hold_the_span_and_stop_at_sentence_ends():
    text = "First one here. The council said rates could ascend. Third!\nA new line"
    a, b = sentence_bounds(text, text.index("ascend"), text.index("ascend") + 6)
    assert text[a:b] == "The council said rates could ascend."
    a, b = sentence_bounds(text, text.index("new"), text.index("new") + 3)
    assert text[a:b] == "A new line"


def test_piece_truth_maps_each_spun_word_to_its_original():
    spun = SpinResult("the Chinese language customers liked it", "the Chinese users liked it",
                      (Substitution(4, 30, "Chinese language customers", "Chinese users", 4, 17),))
    assert piece_truth(spun, 4, 11) == "Chinese"
    assert piece_truth(spun, 4, 30) == "Chinese users"
    assert piece_truth(spun, 31, 36) is None  # untouched
    swap = SpinResult("prices could ascend", "prices could rise", (Substitution(13, 19, "ascend", "rise", 13, 17),))
    assert piece_truth(swap, 13, 19) == "rise"


def _piece(own, start, end, candidates, gains, probability, word_prob=0.9):
    p = Piece(0, 0, start, end, own, word_prob, candidates=candidates, thesaurus=[True] * len(candidates),
              neural=[False] * len(candidates), degree=[0.0] * len(candidates), left=[0.0] * len(candidates))
    p.gains = dict(enumerate(gains))
    p.choice = int(np.argmax(gains))
    p.probability = probability
    return p


def test_span_choice_keeps_words_whose_choice_reads_worse():
    text = "Prices could ascend next annum."
    span = type("S", (), {"start": text.index("ascend"), "end": len(text) - 1})()
    up = _piece("ascend", 13, 19, ["rise"], [4.0], 0.9)
    keep = _piece("next", 20, 24, ["following"], [-1.0], 0.5)
    year = _piece("annum", 25, 30, ["year"], [3.0], 0.8)
    candidate, confidence, changes, reasons = span_choice(text, span, [up, keep, year])
    assert candidate == "rise next year"
    assert confidence == pytest.approx(0.72)
    assert [c[2] for c in changes] == ["rise", "year"] and len(reasons) == 2
    assert span_choice(text, span, [keep])[0] is None


def test_choice_weights_prefer_a_thesaurus_candidate_unless_the_sentence_prefers_another_far_more():
    w = ChoiceWeights(thesaurus=2.0, degree=0.0, cosine=0.0, neural_only=0.0)
    key = w.key(np.array([1.0, 2.5]), [True, False], [0.0, 0.0], [0.0, 0.0], [False, True])
    assert int(np.argmax(key)) == 0
    key = w.key(np.array([1.0, 4.0]), [True, False], [0.0, 0.0], [0.0, 0.0], [False, True])
    assert int(np.argmax(key)) == 1


def test_fit_weights_pick_the_grid_point_that_picks_originals():
    records = [{"half": 0, "gains": [3.0, 1.0], "thesaurus": [False, True], "degree": [0.0, 0.0],
                "cosine": [0.0, 0.0], "neural": [True, False], "right": 1} for _ in range(3)]
    weights, accuracy = fit_weights(records)
    assert accuracy == 1.0 and choice_accuracy(records, weights) == 1.0
    assert choice_accuracy(records, ChoiceWeights(0.0, 0.0, 0.0, 0.0)) == 0.0


def test_repair_threshold_keeps_clean_text_under_the_limit():
    changes = ([{"confidence": 0.5, "clean": True, "right": False}] * 3
               + [{"confidence": 0.8, "clean": False, "right": True}] * 20)
    assert _repair_threshold(changes, clean_words=1000, target=0.9, clean_limit=0.001) == 0.51


def test_rereader_round_trips_through_json(tmp_path):
    cal = PieceCalibrator(np.zeros(len(PIECE_FEATURES)), np.ones(len(PIECE_FEATURES)),
                          np.r_[1.0, np.zeros(len(PIECE_FEATURES) - 1)], -0.5)
    stage = Rereader(cal, ChoiceWeights(1.0, 0.5, 2.0, -1.0), 0.7, 0.8, {"documents": 3})
    stage.save(tmp_path / "rereading.json")
    back = Rereader.load(tmp_path / "rereading.json")
    assert back.to_dict() == stage.to_dict()
    assert Rereader.load(tmp_path / "missing.json") is None
    row = np.zeros((1, len(PIECE_FEATURES)))
    assert back.calibrator.probability(row)[0] == pytest.approx(1 / (1 + np.exp(0.5)))
