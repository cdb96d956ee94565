"""What a person sees: spans over the display threshold in the terminal, every span over the span
threshold (with its score) in JSON, and almost nothing on clean modern text of any genre."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.cli import main
from detector.detection.model import load_model
from detector.detection.scoring import Scorer
from detector.spinner.spinner import spin

CASES = json.loads((Path(__file__).parent / "test-cases" / "clean-modern.json").read_text(encoding="utf-8"))["cases"]
TEXT = ("The company released a new version of its smartphone app on Monday. Users can now share photos and "
        "videos with friends, and the update fixes a bug that drained the battery. The app is free to download, "
        "and the firm said it had more than ten million users in the country. Analysts said the launch could "
        "help the company win back customers from its larger rivals, which have added similar features.")


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def test_display_threshold_is_at_least_the_span_threshold():
    model = load_model()
    assert model.span_threshold <= model.display_threshold < 1


@pytest.mark.parametrize("case", CASES, ids=[c["genre"] for c in CASES])
def test_clean_modern_text_is_not_called_spun(scorer, case):
    result = scorer.score(case["text"])
    assert result.verdict in ("clean", "too-short"), (case["genre"], result.score)


def test_clean_modern_text_shows_almost_nothing(scorer):
    words = sum(len(c["text"].split()) for c in CASES)
    shown = [(c["genre"], s.text, round(s.score, 2)) for c in CASES for s in scorer.score(c["text"]).shown_spans]
    assert len(shown) <= words / 100, shown


def test_json_keeps_every_span_with_its_score_and_shown_is_a_subset(scorer):
    spun = spin(TEXT, rate=0.3, seed=2).text
    result = scorer.score(spun)
    data = result.to_dict()
    assert data["display_threshold"] == load_model().display_threshold_for(result.words)
    scores = [s["score"] for s in data["spans"]]
    assert all(score >= load_model().span_threshold - 1e-4 for score in scores)
    shown = result.shown_spans
    assert set(shown) <= set(result.spans)
    assert all(s.score >= result.display_threshold for s in shown)
    assert all(s.score < result.display_threshold for s in set(result.spans) - set(shown))


def test_short_texts_show_spans_from_their_own_threshold(scorer):
    model = load_model()
    short = scorer.score(spin(TEXT, rate=0.3, seed=2).text)
    long = scorer.score(" ".join([TEXT] * 8))
    assert short.words < model.short_words <= long.words
    assert short.display_threshold == max(model.display_threshold, model.display_threshold_short or 0.0)
    assert long.display_threshold == model.display_threshold


def test_terminal_shows_only_spans_over_the_display_threshold(scorer, tmp_path, capsys):
    spun = spin(TEXT, rate=0.3, seed=2).text
    path = tmp_path / "spun.txt"
    path.write_text(spun, encoding="utf-8")
    result = scorer.score(spun)
    assert main(["score", str(path), "--no-damage", "--no-color"]) == 0
    out = capsys.readouterr().out
    listed = [line for line in out.splitlines() if line.startswith("  0.") or line.startswith("  1.")]
    assert len(listed) == min(len(result.shown_spans), 25)
    weaker = len(result.spans) - len(result.shown_spans)
    assert (f"{weaker} weaker span" in out) == (weaker > 0)
