"""detector.score: the JSON contract, offsets, thresholds, verdicts, and the model loader's refusals."""

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.analysis import score
from detector.detection.model import default_model_dir, load_model
from detector.detection.scoring import Scorer
from detector.errors import ModelError
from detector.spinner.spinner import spin
from tests.conftest import seed_path

CLEAN = (
    "The company said on Tuesday that its net profit rose to 12 million dollars in the first quarter, "
    "helped by strong demand for its products in Europe and Asia. Analysts had expected a smaller gain. "
    "The chief executive told reporters that the firm would open two new factories next year and hire "
    "about 500 workers. Shares of the company closed higher in New York after the announcement, and "
    "the board approved a dividend of ten cents a share."
)


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def test_json_contract_and_offsets(scorer):
    spun = spin(CLEAN, rate=0.3, seed=4).text
    result = scorer.score(spun, id="doc-1")
    data = result.to_dict()
    assert set(data) >= {"id", "score", "verdict", "spans", "model"}
    assert data["id"] == "doc-1" and 0.0 <= data["score"] <= 1.0
    assert data["verdict"] in ("spun", "clean", "not-english", "too-short")
    assert data["model"] == load_model().label and "@" in data["model"]
    assert data["spans"], "a text spun at 30% should have suspicious spans"
    for span in data["spans"]:
        assert set(span) == {"start", "end", "text", "score", "reasons", "suggestion", "suggestion_confidence"}
        assert spun[span["start"] : span["end"]] == span["text"]
        assert span["reasons"] and all(isinstance(r, str) for r in span["reasons"])
        assert span["suggestion"] is None or isinstance(span["suggestion"], str)
    json.dumps(data)


def test_spun_text_scores_higher_than_its_original(scorer):
    clean = scorer.score(CLEAN)
    spun = scorer.score(spin(CLEAN, rate=0.3, seed=4).text)
    assert spun.score > clean.score
    assert clean.verdict == "clean"


def test_seeds_verdicts(scorer, seed_texts):
    assert scorer.score(seed_texts["000"]).verdict == "spun"
    for name in ("001", "002", "004"):
        assert scorer.score(seed_texts[name]).verdict != "spun", name


def test_mixed_language_lines_are_never_flagged(scorer, seed_texts):
    text = seed_texts["001"]
    for span in scorer.score(text).spans:
        assert not any("\u4e00" <= c <= "\u9fff" for c in span.text)


def test_threshold_moves_the_verdict_not_the_score():
    strict, loose = Scorer(threshold=1.0), Scorer(threshold=0.0)
    a, b = strict.score(CLEAN), loose.score(CLEAN)
    assert a.score == b.score
    assert a.verdict == "clean" and b.verdict == "spun"


def test_not_english_and_too_short(scorer):
    chinese = seed_path("001").read_text(encoding="utf-8").splitlines()[2] * 5
    assert scorer.score(chinese).verdict == "not-english"
    french = ("Le gouvernement a annoncé une nouvelle loi sur la sécurité des données personnelles des "
              "citoyens qui utilisent les réseaux sociaux chaque jour, selon le ministre.")
    assert scorer.score(french).verdict == "not-english"
    assert scorer.score("Customers stated it.").verdict == "too-short"


def test_batch_equals_one_at_a_time(scorer):
    texts = [CLEAN, spin(CLEAN, rate=0.2, seed=1).text, "Short text.", seed_path("000").read_text(encoding="utf-8")]
    batch = scorer.score_many(texts, exhaustive=True, reread=False)
    for text, result in zip(texts, batch):
        single = scorer.score(text, reread=False)
        assert single.score == pytest.approx(result.score) and single.spans == result.spans
    if scorer.rereader is not None:  # sentences re-read in one pack or alone: the same choices
        for text, result in zip(texts[1:2], scorer.score_many(texts, exhaustive=True)[1:2]):
            single = scorer.score(text)
            assert [s.suggestion for s in single.spans] == [s.suggestion for s in result.spans]
            assert [s.suggestion_confidence for s in single.spans] == pytest.approx(
                [s.suggestion_confidence for s in result.spans], abs=1e-3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(CLEAN.split() + ["\r\n", "“quoted”", "naïve", "😀", "中文", "\t", "U.S.-China"]),
                min_size=1, max_size=80), st.integers(0, 1000))
def test_spans_always_point_into_the_text(scorer, words, seed):
    text = " ".join(words)
    for span in scorer.score(text).spans:
        assert text[span.start : span.end] == span.text


def test_module_level_score(seed_texts):
    assert score(seed_texts["000"]).verdict == "spun"


# --- the model loader ----------------------------------------------------------------------------

@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    return target


def test_wrong_format_is_refused(model_copy):
    path = model_copy / "model.json"
    data = json.loads(path.read_text())
    data["format"] = 999
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="format 999"):
        load_model(model_copy)


def test_damaged_token_model_is_refused(model_copy):
    path = model_copy / "token_model.txt"
    path.write_text(path.read_text()[:-100] + "tampered")
    with pytest.raises(ModelError, match="damaged"):
        load_model(model_copy)


def test_missing_or_garbled_files_are_refused(model_copy, tmp_path):
    with pytest.raises(ModelError, match="no model"):
        load_model(tmp_path / "nowhere")
    (model_copy / "tables.npz").write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match="damaged"):
        load_model(model_copy)
    (model_copy / "model.json").write_text("{broken")
    with pytest.raises(ModelError, match="damaged"):
        load_model(model_copy)


def test_other_features_are_refused(model_copy):
    path = model_copy / "model.json"
    data = json.loads(path.read_text())
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="other features"):
        load_model(model_copy)


def test_model_json_holds_no_code(model_copy):
    """The model folder is data: JSON, LightGBM text and an npz that loads with allow_pickle=False."""
    import numpy as np

    with np.load(model_copy / "tables.npz", allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)
    assert json.loads((model_copy / "model.json").read_text())["format"] >= 1
