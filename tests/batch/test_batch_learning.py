"""detector clean and detector score with batch learning: summary.json, the saved dictionary, repair,
resume, and nothing learned in one run reaching another."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from detector.cli import main
from tests.detection.batch_texts import LIGHT, OTHER_CLEAN, spun_teachers


def _write(path: Path, texts: list[str], ids: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, texts)), encoding="utf-8")
    return path


def _records(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())}


def _learned_spans(record: dict) -> list[dict]:
    return [s for s in record["detector"]["spans"] if any("this batch's spinner" in r for r in s["reasons"])]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Two shards (so two units): the spun teachers in one, the light and a clean document in the other."""
    root = tmp_path_factory.mktemp("batch")
    teachers = spun_teachers(root)
    folder = root / "in"
    folder.mkdir()
    _write(folder / "a.jsonl", teachers, [f"t{i}" for i in range(len(teachers))])
    _write(folder / "b.jsonl", [LIGHT, OTHER_CLEAN], ["light", "other"])
    return folder


def _clean(*args: str) -> int:
    return main(["clean", *args, "--quiet", "--workers", "1"])


def test_clean_learns_across_shards_reports_and_saves(batch, tmp_path):
    from detector.repair.repair import Dictionary

    out, saved = tmp_path / "out", tmp_path / "learned.json"
    assert _clean(str(batch), "--out", str(out), "--save-dictionary", str(saved)) == 0
    summary = json.loads((out / "summary.json").read_text())
    learned = summary["batch_learning"]
    assert learned["enabled"] and learned["min_documents"] == 2 and learned["teaching_documents"] >= 2
    pairs = {(p["spun"], p["original"]): p for p in learned["top_pairs"]}
    assert ("citizenry", "people") in pairs and pairs[("citizenry", "people")]["documents"] >= 2
    assert learned["pairs_learned"] >= len(pairs) and learned["documents_changed"] >= 1
    assert learned["words_raised"] >= 1
    light = _records(out / "b.jsonl")["light"]
    [span] = [s for s in _learned_spans(light) if s["text"] == "citizenry"]
    assert span["suggestion"] == "people" and LIGHT[span["start"] : span["end"]] == "citizenry"
    assert _learned_spans(_records(out / "b.jsonl")["other"]) == []
    dictionary = Dictionary.load(saved)  # the format of --dictionary
    assert dictionary.best("citizenry") == "people"
    assert dictionary.count("citizenry") == pairs[("citizenry", "people")]["count"]
    again = tmp_path / "again.json"  # a finished run still gives its pairs
    assert _clean(str(batch), "--out", str(out), "--save-dictionary", str(again)) == 0
    assert again.read_text() == saved.read_text()
    # the saved dictionary brings the evidence to `detector score` of the light document alone
    (tmp_path / "light.txt").write_text(LIGHT, encoding="utf-8")
    scored = tmp_path / "scored.json"
    import contextlib
    import io

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        assert main(["score", str(tmp_path / "light.txt"), "--format", "json", "--no-damage", "--dictionary",
                     str(saved)]) == 0
    scored.write_text(sink.getvalue())
    result = json.loads(scored.read_text())
    assert any(s["text"] == "citizenry" and "this batch's spinner" in s["reasons"][0] for s in result["spans"])


def test_nothing_leaks_into_the_next_run(batch, tmp_path):
    assert _clean(str(batch), "--out", str(tmp_path / "first")) == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(batch / "b.jsonl", alone / "b.jsonl")
    assert _clean(str(alone), "--out", str(tmp_path / "second")) == 0
    summary = json.loads((tmp_path / "second" / "summary.json").read_text())
    assert summary["batch_learning"]["pairs_learned"] == 0 and summary["batch_learning"]["documents_changed"] == 0
    assert _learned_spans(_records(tmp_path / "second" / "b.jsonl")["light"]) == []
    assert _clean(str(batch), "--out", str(tmp_path / "off"), "--no-batch-learning") == 0
    off = json.loads((tmp_path / "off" / "summary.json").read_text())
    assert off["batch_learning"] == {"enabled": False}
    assert _learned_spans(_records(tmp_path / "off" / "b.jsonl")["light"]) == []


def test_clean_repair_undoes_learned_swaps(batch, tmp_path):
    out = tmp_path / "out"
    assert _clean(str(batch), "--out", str(out), "--repair") == 0
    light = _records(out / "b.jsonl")["light"]
    learned = [c for c in light["detector"]["repair"]["changes"] if c["source"] == "learned"]
    assert [(c["before"], c["after"]) for c in learned] == [("citizenry", "people")] and learned[0]["count"] >= 2
    assert "asked the people for ideas" in light["text"] and light["detector"]["repair"]["original_text"] == LIGHT
    other = _records(out / "b.jsonl")["other"]
    assert other["text"] == OTHER_CLEAN  # clean text stays as it is
    repairs = json.loads((out / "summary.json").read_text())["batch_learning"]["repairs"]
    assert repairs["learned_changes"] >= 1 and repairs["documents"] >= 1


def test_a_second_pass_cut_short_resumes_with_the_same_pairs(batch, tmp_path, monkeypatch):
    import detector.batch.clean as clean_module
    from detector.batch.clean import CleanConfig, clean

    reference = tmp_path / "reference"
    clean([str(batch)], reference, CleanConfig(), workers=1, quiet=True)
    real, calls = clean_module.relearn_unit, []

    def dies_on_the_second_unit(key, state, worker):
        calls.append(key)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(key, state, worker)

    monkeypatch.setattr(clean_module, "relearn_unit", dies_on_the_second_unit)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        clean([str(batch)], out, CleanConfig(), workers=1, quiet=True)
    assert (out / ".detector" / "learned.json").exists() and not (out / "summary.json").exists()
    monkeypatch.setattr(clean_module, "relearn_unit", real)
    summary = clean([str(batch)], out, CleanConfig(), workers=1, quiet=True)
    for name in ("a.jsonl", "b.jsonl"):
        assert (out / name).read_text() == (reference / name).read_text()
    expected = json.loads((reference / "summary.json").read_text())["batch_learning"]
    assert summary["batch_learning"] == expected
    with pytest.raises(Exception, match="other options"):  # a finished run with batch learning off is refused
        clean([str(batch)], out, CleanConfig(batch_learning=False), workers=1, quiet=True)


def _score(*args: str) -> list[dict]:
    import contextlib
    import io

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        assert main(["score", *args, "--format", "jsonl", "--no-damage"]) == 0
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def test_score_over_many_records_learns_unless_told_not_to(batch, tmp_path):
    records = {r["id"]: r for r in _score(str(batch / "a.jsonl"), str(batch / "b.jsonl"))}
    assert any(s["text"] == "citizenry" and "this batch's spinner" in s["reasons"][0]
               for s in records["light"]["spans"])
    plain = {r["id"]: r for r in _score(str(batch / "a.jsonl"), str(batch / "b.jsonl"), "--no-batch-learning")}
    assert not any("this batch's spinner" in r for s in plain["light"]["spans"] for r in s["reasons"])
    assert plain["light"]["score"] <= records["light"]["score"]
    alone = _score(str(batch / "b.jsonl"))  # the light document without the spinner's other work
    assert not any("this batch's spinner" in r for s in alone[0]["spans"] for r in s["reasons"])


def test_the_minimum_of_documents_is_an_option(batch, tmp_path):
    assert _clean(str(batch), "--out", str(tmp_path / "strict"), "--min-documents", "5") == 0  # four teachers only
    learned = json.loads((tmp_path / "strict" / "summary.json").read_text())["batch_learning"]
    assert learned["min_documents"] == 5 and learned["pairs_learned"] == 0 and learned["teaching_documents"] >= 2
    assert _learned_spans(_records(tmp_path / "strict" / "b.jsonl")["light"]) == []
