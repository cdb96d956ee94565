"""The batch screen: screened records say so and keep the contract; the documents it passes get
exactly the full model's result; exhaustive batches equal one-at-a-time scoring."""

import json

import numpy as np
import pytest

from detector.detection.model import load_model
from detector.detection.scoring import Scorer
from detector.detection.screen import SCREEN_FEATURES, Screen, load_screen
from detector.spinner.spinner import spin
from tests.conftest import seed_path
from tests.detection.test_scoring import CLEAN

OTHER = ("Heavy rain fell across the north of the country on Sunday, closing roads and schools in several "
         "towns. Officials said the river had risen by two metres overnight and warned people living near "
         "its banks to move to higher ground. Emergency teams worked through the night to bring food and "
         "water to villages cut off by the flood, and the army sent helicopters to help.")


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def texts():
    return [CLEAN, OTHER, spin(CLEAN, rate=0.3, seed=4).text, spin(OTHER, rate=0.1, seed=2).text,
            "Short text.", seed_path("000").read_text(encoding="utf-8"),
            seed_path("001").read_text(encoding="utf-8")]


def same(a, b, tol: float = 1e-9) -> bool:
    """Equal results, up to float summation order (batches of other sizes add in another order)."""
    return (a.verdict == b.verdict and abs(a.score - b.score) <= tol and a.extra == b.extra and a.words == b.words
            and len(a.spans) == len(b.spans) and all(
                (x.start, x.end, x.text, x.reasons, x.suggestion) == (y.start, y.end, y.text, y.reasons, y.suggestion)
                and abs(x.score - y.score) <= tol for x, y in zip(a.spans, b.spans)))


def with_screen(model, cut: float) -> Scorer:
    scorer = Scorer(model, screen=False, reread=False)
    scorer.screen = Screen(weights=[0.0] * len(SCREEN_FEATURES), bias=0.0, cut=cut, model_sha256=model.token_sha256)
    return scorer


def test_a_screened_record_says_so_and_keeps_the_contract(model, texts):
    scorer = with_screen(model, cut=1.0)  # estimate 0 < 1 everywhere: every eligible document is screened
    results = scorer.score_many(texts, ids=list(range(len(texts))))
    screened = [r for r in results if r.extra.get("screened")]
    assert screened, "documents of 25 words or more should be screened with this cut"
    for r in screened:
        data = r.to_dict()
        assert data["screened"] is True and data["verdict"] == "clean" and data["spans"] == []
        assert set(data) >= {"id", "score", "verdict", "spans", "model", "words", "display_threshold"}
        assert 0.0 <= data["score"] < scorer.threshold
        json.dumps(data)
    short = results[texts.index("Short text.")]
    assert short.verdict == "too-short" and "screened" not in short.to_dict()


def test_documents_longer_than_the_calibrated_range_get_the_full_model(model, texts):
    scorer = with_screen(model, cut=1.0)
    scorer.screen = Screen(weights=scorer.screen.weights, bias=0.0, cut=1.0, model_sha256=model.token_sha256,
                           max_words=60)
    full = Scorer(model, screen=False, reread=False).score_many(texts)
    for a, b in zip(scorer.score_many(texts), full):
        if a.words > 60:
            assert "screened" not in a.extra and same(a, b)
        elif a.words >= model.min_words and a.verdict != "not-english":
            assert a.extra.get("screened") is True


def test_documents_the_screen_passes_get_the_full_models_result(model, texts):
    full = Scorer(model, screen=False, reread=False).score_many(texts)
    scorer = with_screen(model, cut=-1.0)  # nothing screened: everything equals the exhaustive run
    assert all(same(a, b) for a, b in zip(scorer.score_many(texts), full))
    shipped = Scorer(model, reread=False)
    if shipped.screen is None:
        pytest.skip("no screen calibrated for this model: run scripts/calibrate_screen.py")
    mixed = shipped.score_many(texts)
    for a, b in zip(mixed, full):
        if not a.extra.get("screened"):
            assert same(a, b)
    assert all(same(a, b) for a, b in zip(shipped.score_many(texts, exhaustive=True), full))


def test_seed_000_is_never_screened(model):
    scorer = Scorer(model, reread=False)
    if scorer.screen is None:
        pytest.skip("no screen calibrated for this model: run scripts/calibrate_screen.py")
    result = scorer.score_many([seed_path("000").read_text(encoding="utf-8"), CLEAN])[0]
    assert result.verdict == "spun" and "screened" not in result.extra


def test_exhaustive_batch_equals_single_documents(model, texts):
    scorer = Scorer(model, reread=False)
    batch = scorer.score_many(texts, exhaustive=True)
    for text, result in zip(texts, batch):
        single = scorer.score(text)
        assert "screened" not in single.extra
        assert same(single, result)


def test_a_screen_for_another_model_is_not_used(model, tmp_path):
    screen = Screen(weights=[0.1] * len(SCREEN_FEATURES), bias=-1.0, cut=0.5, model_sha256="0" * 64)
    screen.save(tmp_path)
    assert load_screen(tmp_path, model.token_sha256) is None
    assert load_screen(tmp_path, "0" * 64) == screen
    (tmp_path / "screen.json").write_text("{not json", encoding="utf-8")
    assert load_screen(tmp_path, "0" * 64) is None
    assert load_screen(tmp_path / "missing", "0" * 64) is None


def test_screen_features_are_per_document(model, texts):
    from detector.detection.features import concat, context, encode
    from detector.detection.screen import screen_features

    docs = [encode(t, model.tables) for t in texts]
    joined, _, rows = concat(docs)
    together = screen_features(joined, model.tables, context(joined, model.tables), rows)
    for i, doc in enumerate(docs):
        alone_joined, _, alone_rows = concat([doc])
        alone = screen_features(alone_joined, model.tables, context(alone_joined, model.tables), alone_rows)
        assert np.allclose(alone[0], together[i]), i


def test_bounded_passes_give_the_same_results(model, texts, monkeypatch):
    from detector.detection import scoring

    scorer = Scorer(model, reread=False)
    whole = scorer.score_many(texts) + scorer.score_many(texts, exhaustive=True)
    monkeypatch.setattr(scoring, "MAX_BATCH_WORDS", 50)  # about one text a pass
    parts = scorer.score_many(texts) + scorer.score_many(texts, exhaustive=True)
    assert all(same(a, b) for a, b in zip(whole, parts))
