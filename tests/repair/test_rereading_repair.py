"""Suggestions and repair with the sentence re-read by the neural model (skipped, with the reason,
when the model is not installed or no rereading stage is stored beside the detector's model)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from detector.detection.rereading import Rereader, default_path, read_pieces
from detector.detection.scoring import Scorer, Span
from detector.repair.repair import apply_changes, repair


@pytest.fixture(scope="module")
def scorer():
    from detector.neural.weights import NeuralUnavailable

    if Rereader.load(default_path()) is None:
        pytest.skip("no rereading stage stored beside the model (scripts/calibrate_rereading.py)")
    try:
        found = Scorer(reread=True)
    except NeuralUnavailable as err:
        pytest.skip(f"the neural model is not installed ({err})")
    return found


def test_a_held_out_spinner_swap_is_restored_by_the_models_own_prediction(scorer):
    # "rain" -> "metabolism" is a distributional neighbour no thesaurus lists: only the sentence can undo it
    text = "Heavy metabolism flooded the streets of the old town overnight."
    start = text.index("metabolism")
    tables = scorer.model.tables
    listed = {tables.vocab.words[i] for i in tables.candidates(tables.vocab.index["metabolism"]).tolist()}
    assert "rain" not in listed
    span = Span(start, start + len("metabolism"), "metabolism", 0.95, (), None)
    result = SimpleNamespace(text=text, spans=(span,), display_threshold=0.5, tokens=None)
    (piece,) = read_pieces(tables, scorer.reread_lm, scorer.rereader, [result])
    assert piece.after == "rain" and piece.neural[piece.choice] and not piece.thesaurus[piece.choice]
    assert piece.gains[piece.choice] > 5  # nats: the whole sentence reads far likelier with it


def test_a_clean_sentence_is_left_alone(scorer):
    text = "The council said that the new bridge would open to traffic in the spring."
    result = repair(text, scorer=scorer)
    assert result.text == text and not result.changes


def test_a_spun_phrase_is_repaired_and_each_change_says_why(scorer):
    text = "Users can find the telephone quantity on the website."
    result = repair(text, scorer=scorer)
    assert result.text == "Users can find the phone number on the website."
    assert apply_changes(text, result.changes) == result.text
    assert all(c.source == "model" and c.why for c in result.changes)
    assert "left" in result.to_dict()


def test_shown_suggestions_come_from_the_reread_sentence(scorer):
    text = "In this paper we study counterfeit consciousness and report the results of our experiments."
    spans = [s for s in scorer.score(text).spans if s.suggestion]
    assert [s.suggestion for s in spans] == ["artificial intelligence"]
    assert spans[0].suggestion_confidence >= scorer.rereader.suggestion_threshold
    assert any("fits this sentence" in r for r in spans[0].reasons)
