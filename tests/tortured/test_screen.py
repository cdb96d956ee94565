"""The tortured-phrase report: known and new findings told apart, the verdict by its rule, clean texts untouched."""

from pathlib import Path

import pytest

from detector.tortured.screen import TorturedScreen, verdict

CLEAN = [line for line in (Path(__file__).parent / "test-cases" / "clean.txt").read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def screen():
    return TorturedScreen.load()


def test_known_and_new_are_told_apart(screen):
    text = ("Our counterfeit consciousness pipeline feeds a profound neural organization. "
            "Results are reported below.")
    report = screen.screen(text)
    kinds = {f["text"]: f["kind"] for f in report["findings"]}
    assert kinds.get("counterfeit consciousness") == "known"
    known = next(f for f in report["findings"] if f["kind"] == "known")
    assert known["reason"].startswith("listed by the Problematic Paper Screener (found in ")
    assert known["papers"] > 0 and "counterfeit consciousness" in known["context"]
    for f in report["findings"]:
        if f["kind"] == "new":
            assert f["reason"].startswith("not in the PPS list")
            assert f["papers"] is None


@pytest.mark.parametrize("text", CLEAN, ids=[t[:30] for t in CLEAN])
def test_clean_sentences_have_no_finding(screen, text):
    assert screen.screen(text)["findings"] == []


def test_verdict_rule():
    assert [verdict(k, n) for k, n in [(5, 0), (4, 0), (2, 3), (1, 4), (0, 5), (0, 1)]] == \
        ["tortured", "suspicious", "tortured", "suspicious", "suspicious", "clean"]


def test_a_paper_full_of_known_phrases_is_tortured(screen):
    text = ("We compare irregular woodland, profound learning and counterfeit consciousness methods. "
            "The bogus positive rate fell, and the flag to commotion proportion rose with big information. "
            "Big data helps.")
    report = screen.screen(text)
    assert report["known"] >= 5 and report["verdict"] == "tortured"


def test_findings_carry_page_and_section_when_located(screen):
    report = screen.screen("A counterfeit consciousness model.", locate=lambda at: {"page": 2, "section": "Methods"})
    assert report["findings"][0]["page"] == 2 and report["findings"][0]["section"] == "Methods"
