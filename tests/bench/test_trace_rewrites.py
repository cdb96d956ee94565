"""The trace benchmark's derivations: deterministic, and they keep the facts (names, numbers)."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

rw = pytest.importorskip("trace_rewrites", reason="benchmarks/trace_rewrites.py not importable")
pytest.importorskip("pysbd", reason="the sentence splitter pysbd is not installed")

TEXT = (
    "The Northwind Trading Co said it acquired the harbour warehouse for 12 mln dlrs because demand grew strongly.\n"
    "In 1986, the firm sold 4,500 tonnes of coffee to Halvorsen Ltd, and the shipments rose sharply in March. "
    "Prices will rise again next year, company officials said. "
    "\"We will expand the Oslo depot,\" Maria Lind said. "
    "The depot employs 240 people. It opened in 1979.\n"
    "Halvorsen Ltd approved the new contract. The contract, which runs until 1990, covers 3 ports."
)


def _facts(text: str) -> tuple[Counter, set]:
    numbers, names = rw.facts(text)
    return Counter(numbers), set(names)


@pytest.mark.parametrize("seed", range(6))
def test_rewrite_is_deterministic_and_keeps_facts(seed):
    first, ops = rw.rewrite_sentences(TEXT, random.Random(seed))
    again, _ = rw.rewrite_sentences(TEXT, random.Random(seed))
    assert first == again
    assert first != TEXT and ops
    numbers, _ = _facts(first)
    orig_numbers, orig_names = _facts(TEXT)
    assert numbers == orig_numbers
    words = {w.strip('.,;"“”') for w in first.split()}
    assert orig_names <= words  # every name is still there, with its capital


def test_single_operations():
    assert rw.split_sentence("The firm sold its mill to a rival group, and the workers kept their jobs.") == [
        "The firm sold its mill to a rival group.", "The workers kept their jobs."]
    assert rw.passive("Halvorsen Ltd approved the new contract.") == "The new contract was approved by Halvorsen Ltd."
    assert rw.clause_first("In 1986, the firm sold 4,500 tonnes.") == "The firm sold 4,500 tonnes in 1986."
    assert rw.drop_clause("The contract, which runs until the end, covers 3 ports.") == "The contract covers 3 ports."
    assert rw.drop_clause("The contract, which runs until 1990, covers 3 ports.").count("1990") == 1


@pytest.mark.parametrize("seed", range(4))
def test_summary_keeps_order_and_is_shorter(seed):
    summary, how = rw.summarise(TEXT, random.Random(seed))
    assert summary == rw.summarise(TEXT, random.Random(seed))[0]
    sents = [s for p in rw.paragraphs(TEXT) for s in p]
    kept = [s for p in rw.paragraphs(summary) for s in p]
    assert 2 <= len(kept) < len(sents)
    positions = [sents.index(s) for s in kept if s in sents]
    assert positions == sorted(positions) and positions[0] == 0
    assert "of 8 sentences" in how


@pytest.mark.parametrize("seed", range(6))
def test_reformat_keeps_every_word(seed):
    out, how = rw.reformat(TEXT, random.Random(seed))
    assert out != TEXT and how
    norm = rw.straight_quotes
    assert " ".join(norm(TEXT).split()) in " ".join(norm(out).split())
