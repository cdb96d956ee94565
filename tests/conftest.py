"""Shared fixtures. The lexicon cache is built once per machine (about 30 s) and then reused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Reading with the neural model costs seconds a text: most tests check the n-gram path and the
# plumbing, so it is off unless a test asks for it (``neural=True``, ``--neural``, or the
# ``neural_default`` fixture); tests/neural/ and tests/detection/test_neural_stage.py read with it.
os.environ.setdefault("DETECTOR_NEURAL", "off")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578" / "articles.jsonl"


@pytest.fixture(scope="session")
def lex():
    from detector.lexicon.lexicon import get_lexicon

    return get_lexicon()


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def neural_default(monkeypatch):
    """The neural stage on by default, as for a user who installed it."""
    monkeypatch.delenv("DETECTOR_NEURAL", raising=False)
