"""Suggestions a reader can trust: shown only when confident, reasons that name no third word."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from detector import spin
from detector.detection.model import default_model_dir, load_model
from detector.detection.scoring import Scorer
from detector.detection.suggestions import DEFAULT_THRESHOLD, SuggestionCalibrator, choose_threshold, judge
from detector.present.html import spans_html
from detector.spinner.spinner import SpinResult, Substitution

ROOT = Path(__file__).resolve().parents[2]
CLEAN = ("Users of the Chinese social media app welcomed the refugees from the United States with selfies and "
         "messages on Wednesday, as Beijing said it encouraged stronger cultural ties with other nations in "
         "response to the sudden influx. Known in China as Xiaohongshu and as a platform to find lifestyle tips "
         "on areas from beauty to food, the app has in recent days been transformed into an unexpected channel "
         "for exchanges, with users swapping photos and questions about pets, favourite meals and their lives. "
         "Many users posted messages saying welcome, and responded eagerly to questions on topics such as "
         "popular dishes, city tourist sights and even birth policies.")
FIXED_REASON = "the article before it does not agree ('a' before a vowel, or 'an' before a consonant)"


def spun_texts() -> list[str]:
    texts = [spin(CLEAN, rate=rate, seed=seed, thesaurus=thesaurus).text
             for rate in (0.1, 0.3) for seed in (1, 2) for thesaurus in ("wordnet", "phrases", "wordnet,phrases")]
    return texts + [next(ROOT.glob("seeds/000_*.txt")).read_text(encoding="utf-8")]


@pytest.fixture(scope="module")
def scorer():
    return Scorer(reread=False)  # the n-gram gate (the re-read one: tests/repair/test_rereading_repair.py)


def with_threshold(threshold: float) -> Scorer:
    return Scorer(dataclasses.replace(load_model(), suggestion_threshold=threshold), reread=False)


def test_a_span_without_a_confident_original_shows_none():
    text = spun_texts()[-1]
    never, always = with_threshold(1.01).score(text), with_threshold(0.0).score(text)
    assert never.spans and all(s.suggestion is None for s in never.spans)
    assert any(s.candidate is not None for s in never.spans), "the candidate is still known, only not shown"
    assert all(s.suggestion == s.candidate for s in always.spans)
    data = never.to_dict()
    assert all(span["suggestion"] is None and 0 <= span["suggestion_confidence"] <= 1 for span in data["spans"])
    page = spans_html(text, data["spans"])
    assert "no confident original" in page and "before:" not in page


def test_the_shipped_threshold_hides_some_candidates_and_shows_others(scorer):
    spans = [s for text in spun_texts() for s in scorer.score(text).shown_spans]
    threshold = scorer.model.suggestion_threshold
    shown = [s for s in spans if s.suggestion is not None]
    hidden = [s for s in spans if s.suggestion is None and s.candidate is not None]
    assert shown and hidden
    assert all(s.suggestion_confidence >= threshold for s in shown)
    assert all(s.suggestion_confidence < threshold for s in hidden)


def quoted(reason: str) -> list[str]:
    return re.findall(r"'([^']+)'", reason)


def test_reasons_never_name_a_word_other_than_the_suggestion(scorer):
    checked = 0
    for text in spun_texts():
        for span in scorer.score(text).spans:
            allowed = set(re.findall(r"[\w-]+", (span.text + " " + (span.suggestion or "")).lower()))
            for reason in span.reasons:
                if reason == FIXED_REASON:
                    continue
                for name in quoted(reason):
                    words = set(re.findall(r"[\w-]+", name.lower()))
                    assert words <= allowed, (span.text, span.suggestion, reason)
                    checked += 1
    assert checked > 50


def test_the_terminal_says_when_no_original_is_known(tmp_path):
    from click.testing import CliRunner

    from detector.cli import cli

    path = tmp_path / "spun.txt"
    path.write_text(spun_texts()[-1], encoding="utf-8")
    out = CliRunner().invoke(cli, ["score", str(path), "--no-color"]).output
    assert "(no confident original)" in out and " -> '" in out


def test_the_threshold_and_calibrator_are_stored_in_the_model(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(default_model_dir(), folder)
    data = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    stripped = {k: v for k, v in data.items() if k not in ("suggestion_threshold", "suggestion_calibrator")}
    (folder / "model.json").write_text(json.dumps(stripped), encoding="utf-8")
    old = load_model(folder)
    assert old.suggestion_threshold == DEFAULT_THRESHOLD and old.suggestion_calibrator is None
    calibrator = SuggestionCalibrator.from_dict(data["suggestion_calibrator"]) if data.get(
        "suggestion_calibrator") else None
    model = dataclasses.replace(old, suggestion_threshold=0.77, suggestion_calibrator=calibrator)
    model.save(folder, "card")
    again = load_model(folder)
    assert again.suggestion_threshold == 0.77
    assert (again.suggestion_calibrator is None) == (calibrator is None)


def test_judging_a_suggestion_against_the_original():
    subs = (Substitution(4, 13, "telephone", "phone", 4, 9), Substitution(14, 22, "quantity", "number", 10, 16))
    spun = SpinResult("the telephone quantity is here", "the phone number is here", subs)
    assert judge(4, 22, "Phone number", spun) == (True, True)
    assert judge(14, 22, "number", spun) == (True, True)  # right for what the span covers
    assert judge(4, 22, "telephone number", spun) == (True, False)  # a spun word left in the span
    assert judge(14, 22, "amount", spun) == (True, False)
    assert judge(0, 3, "a", spun) == (False, False)
    outcomes = [{"shown": True, "candidate": True, "probability": p / 100, "true": True, "correct": p >= 50}
                for p in range(100)]
    cut = choose_threshold(outcomes, target=0.9)
    assert 0.4 < cut < 0.5  # about 55 shown from there, 50 of them right
    assert choose_threshold(outcomes, target=1.01) == 0.99


def test_a_capitalised_word_mid_sentence_gets_no_suggestion_unless_a_listed_phrase():
    scorer = with_threshold(0.0)  # every candidate shown: only the rule for names can hide one
    lower = ("Customers of the app welcomed refugees on Wednesday, as Beijing stated it inspired stronger ties with "
             "different nations.")
    upper = lower.replace("stated", "Stated")
    assert any(s.candidate and "stated" in s.text for s in scorer.score(lower).spans)
    assert all(s.candidate is None for s in scorer.score(upper).spans if "Stated" in s.text)
    named = scorer.score("China has for years tightly managed its Nice Firewall, as the state media said.")
    assert any(s.suggestion == "Great Firewall" for s in named.spans)  # a known spun name, whole
