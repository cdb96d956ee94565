"""detector clean / detector filter: outputs, bad records, resume after SIGKILL, copies, formats."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detector.cli import main
from detector.spinner.spinner import SpinConfig, Spinner
from tests.conftest import SEEDS


def _documents() -> list[str]:
    """Short English documents cut from the clean seeds 001 and 002 (paragraph runs of 60+ words, no
    CJK lines)."""
    docs = []
    for path in sorted(SEEDS.glob("00[12]_*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n")
                      if p.strip() and not any("\u4e00" <= c <= "\u9fff" for c in p)]
        current: list[str] = []
        for paragraph in paragraphs:
            current.append(paragraph)
            if sum(len(p.split()) for p in current) >= 60:
                docs.append("\n".join(current))
                current = []
    return docs


DOCS = _documents()


def _spun(text: str, seed: int = 1, rate: float = 0.35) -> str:
    return Spinner(SpinConfig(rate=rate, seed=seed)).spin(text).text


def _write_jsonl(path: Path, records: list[dict], extra_lines: dict[int, bytes] | None = None) -> None:
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    for at, raw in sorted((extra_lines or {}).items()):
        lines.insert(at, raw)
    data = b"\n".join(lines) + b"\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)


def _read_jsonl(path: Path) -> list[dict]:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return [json.loads(line) for line in data.decode("utf-8").split("\n") if line.strip()]


def _run(*args: str) -> int:
    return main(["clean", *args, "--quiet", "--workers", "1"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Two shards: a .jsonl with three bad lines among good ones, and a .jsonl.gz with a spun copy."""
    root = tmp_path_factory.mktemp("corpus")
    assert len(DOCS) >= 12, "the seeds should give at least a dozen documents"
    records = [{"id": f"doc{i}", "text": text, "keep": i} for i, text in enumerate(DOCS[:10])]
    _write_jsonl(root / "part-0.jsonl", records[:6], {
        2: b'{"id": "broken", "text": ',  # malformed JSON
        4: b'{"id": "no-text", "body": "elsewhere"}',  # missing text field
        6: b'{"id": "latin1", "text": "caf\xe9"}',  # not UTF-8
    })
    spun = {"id": "copy-of-doc0", "text": _spun(DOCS[0]), "keep": 99}
    _write_jsonl(root / "part-1.jsonl.gz", records[6:] + [spun])
    return root


def test_annotate_keeps_every_good_record_in_order_and_accounts_for_bad_ones(corpus, tmp_path):
    out = tmp_path / "out"
    assert _run(str(corpus), "--out", str(out)) == 0
    first, second = _read_jsonl(out / "part-0.jsonl"), _read_jsonl(out / "part-1.jsonl.gz")
    assert [r["id"] for r in first] == [f"doc{i}" for i in range(6)]
    assert [r["id"] for r in second] == ["doc6", "doc7", "doc8", "doc9", "copy-of-doc0"]
    for record in first + second:
        assert set(record["detector"]) >= {"score", "verdict", "spans", "model"}
        assert record["keep"] is not None  # other fields are kept as they were
        for span in record["detector"]["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
    errors = _read_jsonl(out / "errors.jsonl")
    assert [(Path(e["source"]).name, e["line"]) for e in errors] == [("part-0.jsonl", 3), ("part-0.jsonl", 5),
                                                                      ("part-0.jsonl", 7)]
    assert "not valid JSON" in errors[0]["error"] and "no text field" in errors[1]["error"]
    assert "not UTF-8" in errors[2]["error"] and "\\xe9" in errors[2]["raw"]  # the bad bytes are kept
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == {"in": 14, "kept": 11, "rejected": 0, "errors": 3}
    assert summary["versions"]["model"] and summary["versions"]["lexicon"]
    report = (out / "report.html").read_text()
    assert "<svg" in report and "Document scores" in report
    assert not (out / ".detector" / "units").exists()


def test_drop_then_filter_rethresholds_without_scoring(corpus, tmp_path):
    out = tmp_path / "out"
    assert _run(str(corpus), "--out", str(out), "--drop", "--threshold", "0.5") == 0
    kept = _read_jsonl(out / "part-1.jsonl.gz")
    rejected = _read_jsonl(out / "rejected" / "part-1.jsonl.gz")
    assert "copy-of-doc0" in [r["id"] for r in rejected]
    assert all(r["detector"]["rejected"]["reason"] == "spun" for r in rejected)
    assert all(r["detector"]["score"] < 0.5 for r in kept)
    refiltered = tmp_path / "refiltered"
    code = main(["filter", str(out / "part-0.jsonl"), str(out / "part-1.jsonl.gz"), str(out / "rejected"),
                 "--out", str(refiltered), "--threshold", "1.0", "--quiet"])
    assert code == 1  # two inputs named part-1.jsonl.gz: refused before writing anything
    code = main(["filter", str(out / "part-1.jsonl.gz"), "--out", str(refiltered), "--threshold", "1.0", "--quiet"])
    assert code == 0
    again = _read_jsonl(refiltered / "part-1.jsonl.gz")
    assert [r["id"] for r in again] == [r["id"] for r in kept]
    assert all(r["detector"]["verdict"] != "spun" for r in again)
    summary = json.loads((refiltered / "summary.json").read_text())
    assert summary["kept"] == len(kept)


def test_repair_replaces_text_and_keeps_the_input(tmp_path):
    spun = _spun(DOCS[1] + "\n" + DOCS[2], seed=4, rate=0.3)
    _write_jsonl(tmp_path / "in.jsonl", [{"id": "s", "text": spun}, {"id": "c", "text": DOCS[3]}])
    out = tmp_path / "out"
    assert _run(str(tmp_path / "in.jsonl"), "--out", str(out), "--repair") == 0
    first, second = _read_jsonl(out / "in.jsonl")
    assert first["detector"]["verdict"] == "spun"
    assert first["detector"]["repair"]["original_text"] == spun
    assert first["text"] != spun and first["detector"]["repair"]["changes"]
    from detector.repair.repair import apply_changes

    class C:  # changes as dicts -> the replay function's objects
        def __init__(self, d):
            self.__dict__.update(d)

    assert apply_changes(spun, [C(c) for c in first["detector"]["repair"]["changes"]]) == first["text"]
    assert second["text"] == DOCS[3] and second["detector"]["repair"]["original_text"] is None


def test_group_copies_marks_the_least_spun_record_canonical(tmp_path):
    records = [{"id": "spun-a", "text": _spun(DOCS[4], seed=2, rate=0.3)}, {"id": "a", "text": DOCS[4]},
               {"id": "other", "text": DOCS[7]}, {"id": "spun-a-2", "text": _spun(DOCS[4], seed=3, rate=0.2)}]
    _write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out"
    assert _run(str(tmp_path / "in.jsonl"), "--out", str(out), "--group-copies") == 0
    by_id = {r["id"]: r["detector"].get("copies") for r in _read_jsonl(out / "in.jsonl")}
    assert by_id["other"] is None
    assert by_id["a"]["canonical"] is True and by_id["a"]["size"] == 3
    for copy in ("spun-a", "spun-a-2"):
        assert by_id[copy]["canonical"] is False and by_id[copy]["canonical_id"] == "a"
        assert by_id[copy]["group"] == by_id["a"]["group"]
        assert by_id[copy]["kind"] == "spun-copy" and by_id[copy]["source_id"] == "a"
    assert by_id["a"]["kind"] is None


def test_group_copies_says_what_kind_of_copy(tmp_path):
    from tests.trace.test_trace import ORIGINAL, REWRITE, SAME_STORY

    duplicate = ORIGINAL.replace("\n", "\n\n") + "\n\nShare this article"
    records = [{"id": "orig", "text": ORIGINAL}, {"id": "rewrite", "text": REWRITE},
               {"id": "dup", "text": duplicate}, {"id": "report", "text": SAME_STORY},
               {"id": "other", "text": DOCS[7]}]
    _write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out"
    assert _run(str(tmp_path / "in.jsonl"), "--out", str(out), "--group-copies", "--drop") == 0
    kept = {r["id"]: r["detector"].get("copies") for r in _read_jsonl(out / "in.jsonl")}
    rejected = {r["id"]: r["detector"] for r in _read_jsonl(out / "rejected" / "in.jsonl")}
    marks = {**kept, **{k: v.get("copies") for k, v in rejected.items()}}
    assert marks["rewrite"]["kind"] == "rewrite" and marks["rewrite"]["source_id"] in ("orig", "dup")
    assert {marks["orig"]["kind"], marks["dup"]["kind"]} == {None, "duplicate"}
    assert marks["report"] is None and marks["other"] is None  # the same story told independently is no copy
    canonical = next(k for k, m in marks.items() if m and m["canonical"])
    assert canonical in kept and all(k in rejected for k, m in marks.items() if m and not m["canonical"])
    for copy in (k for k, m in marks.items() if m and not m["canonical"]):
        reason = rejected[copy]["rejected"]
        assert reason["reason"] == "copy" and (marks[copy]["kind"] or "copy") in reason["detail"]


def test_text_folder_is_mirrored_with_annotations(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(DOCS[5], encoding="utf-8")
    (src / "sub" / "b.txt").write_text(_spun(DOCS[6]), encoding="utf-8")
    (src / "sub" / "empty.txt").write_text("  \n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(str(src), "--out", str(out), "--drop") == 0
    assert (out / "a.txt").read_text(encoding="utf-8") == DOCS[5]
    assert json.loads((out / "a.txt.detector.json").read_text())["verdict"] == "clean"
    assert (out / "rejected" / "sub" / "b.txt").exists()
    errors = _read_jsonl(out / "errors.jsonl")
    assert len(errors) == 1 and "empty" in errors[0]["error"]


def test_truncated_gzip_keeps_the_records_before_the_cut(tmp_path):
    records = [{"id": i, "text": DOCS[i]} for i in range(8)]
    data = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records), mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "out"
    assert _run(str(tmp_path / "cut.jsonl.gz"), "--out", str(out)) == 0
    kept = _read_jsonl(out / "cut.jsonl.gz")
    assert 0 < len(kept) < 8 and [r["id"] for r in kept] == list(range(len(kept)))
    errors = _read_jsonl(out / "errors.jsonl")
    assert len(errors) >= 1 and "cut short" in errors[-1]["error"]


def test_changed_options_on_resume_are_refused(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(str(corpus), "--out", str(out), "--chunk", "3") == 0
    assert _run(str(corpus), "--out", str(out), "--chunk", "3") == 0  # same options: nothing to do
    assert "already complete" not in capsys.readouterr().err  # --quiet
    capsys.readouterr()
    assert _run(str(corpus), "--out", str(out), "--chunk", "3", "--drop") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other options" in err and "mode" in err


def test_unknown_input_and_missing_folder_are_one_line(tmp_path, capsys):
    (tmp_path / "x.csv").write_text("a,b\n")
    assert _run(str(tmp_path / "x.csv"), "--out", str(tmp_path / "o")) == 1
    assert _run(str(tmp_path / "nope"), "--out", str(tmp_path / "o")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("detector: error:") for line in err)


def _clean_command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "detector", "clean", str(src), "--out", str(out), "--chunk", "2",
            "--workers", "1", "--quiet", "--group-copies"]


def test_sigkill_half_way_then_resume_gives_identical_output(tmp_path):
    records = [{"id": f"r{i}", "text": DOCS[i % len(DOCS)] if i % 5 else _spun(DOCS[i % len(DOCS)], seed=i)}
               for i in range(60)]
    src = tmp_path / "src"
    src.mkdir()
    _write_jsonl(src / "one.jsonl", records[:40], {7: b"{broken"})
    _write_jsonl(src / "two.jsonl.gz", records[40:])
    whole = tmp_path / "whole"
    subprocess.run(_clean_command(src, whole), check=True, timeout=300)

    killed = tmp_path / "killed"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(_clean_command(src, killed), env=env)
    units = killed / ".detector" / "units"
    deadline = time.time() + 240
    while time.time() < deadline and len(list(units.glob("*.done.json"))) < 5:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (killed / ".detector" / "complete.json").exists(), "the run finished before it could be killed"
    assert 5 <= len(list(units.glob("*.done.json"))) < 31
    assert not (killed / "one.jsonl").exists() or not (killed / "two.jsonl.gz").exists()

    subprocess.run(_clean_command(src, killed), check=True, timeout=300)
    for name in ("one.jsonl", "two.jsonl.gz", "errors.jsonl"):
        assert (killed / name).read_bytes() == (whole / name).read_bytes(), name
    ids = [r["id"] for r in _read_jsonl(killed / "one.jsonl") + _read_jsonl(killed / "two.jsonl.gz")]
    assert ids == [r["id"] for r in records]  # none lost, none twice, in input order
    summary = json.loads((killed / "summary.json").read_text())
    assert summary["throughput"]["runs"][-1]["units"] < 31  # the resumed run skipped the finished units
    assert not [p for p in killed.rglob(".*") if "tmp" in p.name]  # no temporary file left behind


def test_two_workers_give_the_same_bytes_as_one(corpus, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["clean", str(corpus), "--out", str(one), "--quiet", "--workers", "1", "--chunk", "2"]) == 0
    assert main(["clean", str(corpus), "--out", str(two), "--quiet", "--workers", "2", "--chunk", "2"]) == 0
    for name in ("part-0.jsonl", "part-1.jsonl.gz", "errors.jsonl"):
        assert (one / name).read_bytes() == (two / name).read_bytes()


def test_parquet_round_trip(tmp_path):
    pa = pytest.importorskip("pyarrow", reason="Parquet needs the optional extra: pip install 'detector[parquet]'")
    import pyarrow.parquet as pq

    table = pa.table({"id": ["p0", "p1", "p2"], "text": [DOCS[0], "", DOCS[2]], "n": [1, 2, 3]})
    pq.write_table(table, tmp_path / "in.parquet")
    out = tmp_path / "out"
    assert _run(str(tmp_path / "in.parquet"), "--out", str(out)) == 0
    rows = pq.read_table(out / "in.parquet").to_pylist()
    assert [r["id"] for r in rows] == ["p0", "p2"] and [r["n"] for r in rows] == [1, 3]
    assert json.loads(rows[0]["detector"])["verdict"] in ("clean", "spun")
    assert len(_read_jsonl(out / "errors.jsonl")) == 1


def test_datatrove_two_task_pipeline(tmp_path):
    pytest.importorskip("datatrove", reason="the datatrove extra is not installed: pip install 'detector[datatrove]'")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from detector.batch.datatrove import SpinFilter, SpinRepairFormatter

    src = tmp_path / "src"
    src.mkdir()
    spun = [_spun(DOCS[8], seed=5, rate=0.35), _spun(DOCS[9], seed=6, rate=0.35)]
    _write_jsonl(src / "a.jsonl", [{"id": "a0", "text": DOCS[10]}, {"id": "a1", "text": spun[0]}])
    _write_jsonl(src / "b.jsonl", [{"id": "b0", "text": DOCS[11]}, {"id": "b1", "text": spun[1]}])
    LocalPipelineExecutor(pipeline=[
        JsonlReader(str(src)),
        SpinFilter(exclusion_writer=JsonlWriter(str(tmp_path / "rejected"))),
        SpinRepairFormatter(),
        JsonlWriter(str(tmp_path / "kept")),
    ], tasks=2, workers=1, logging_dir=str(tmp_path / "logs")).run()
    kept = [r for p in sorted((tmp_path / "kept").glob("*.jsonl.gz")) for r in _read_jsonl(p)]
    rejected = [r for p in sorted((tmp_path / "rejected").glob("*.jsonl.gz")) for r in _read_jsonl(p)]
    assert sorted(r["id"] for r in kept) == ["a0", "b0"]
    assert sorted(r["id"] for r in rejected) == ["a1", "b1"]
    assert all(r["metadata"]["filter_reason"] == "spun" for r in rejected)
    assert all(r["metadata"]["detector"]["verdict"] == "clean" for r in kept)
    assert {r["text"] for r in kept} == {DOCS[10], DOCS[11]}  # clean text stays clean
    assert len(list((tmp_path / "logs" / "completions").iterdir())) == 2


def test_missing_or_damaged_model_is_one_line(corpus, tmp_path, capsys):
    assert main(["clean", str(corpus), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "none"),
                 "--quiet"]) == 3
    capsys.readouterr()
    from detector.detection.model import default_model_dir

    broken = tmp_path / "broken"
    broken.mkdir()
    for path in default_model_dir().iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    token = broken / "token_model.txt"
    token.write_text(token.read_text(encoding="utf-8").replace("tree", "tree ", 1), encoding="utf-8")
    # through a subprocess, so that the workers' standard error is seen too
    run = subprocess.run([sys.executable, "-m", "detector", "clean", str(corpus), "--out", str(tmp_path / "o2"),
                          "--model", str(broken), "--quiet", "--workers", "2", "--chunk", "4"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr
    assert run.stderr.count("\n") == 1 and "damaged" in run.stderr and "Traceback" not in run.stderr


def test_output_inside_the_input_folder_is_never_read_back(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _write_jsonl(src / "a.jsonl", [{"id": "a", "text": DOCS[0]}])
    out = src / "cleaned"
    assert _run(str(src), "--out", str(out)) == 0
    assert [r["id"] for r in _read_jsonl(out / "a.jsonl")] == ["a"]
    assert _run(str(src), "--out", str(src / "again")) == 0  # the first run's output is not an input
    written = sorted(str(p.relative_to(src / "again")) for p in (src / "again").rglob("*.jsonl"))
    assert written == ["a.jsonl", "errors.jsonl"]


def test_progress_line_shows_rates_and_eta(capsys):
    from detector.batch.clean import Progress

    bar = Progress(records=100, size=10_000, enabled=True)
    bar.skip(20)
    bar.update(30, 3_000)
    bar.close()
    err = capsys.readouterr().err
    assert "50/100 records" in err and "docs/s" in err and "MB/s" in err and "ETA" in err
    quiet = Progress(records=100, size=10_000, enabled=False)
    quiet.update(30, 3_000)
    assert capsys.readouterr().err == ""


def test_odd_bytes_in_bad_lines_do_not_break_the_run(tmp_path):
    lines = [json.dumps({"id": "ok", "text": DOCS[1]}).encode(), b'{"id": "sep", "text": "a\xe2\x80\xa8b',
             b"\x0b\x0c\xfb\x00", b'{"id": "nel", "text": "\xc2\x85"']
    (tmp_path / "odd.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out"
    assert _run(str(tmp_path / "odd.jsonl"), "--out", str(out)) == 0
    errors = _read_jsonl(out / "errors.jsonl")
    assert [e["line"] for e in errors] == [2, 3, 4]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == {"in": 4, "kept": 1, "rejected": 0, "errors": 3}
    assert set(summary["errors"]) <= {"not valid JSON", "is not UTF-8 text", "looks like binary data, not text"}


def test_screened_records_say_so_and_exhaustive_scores_every_record(corpus, tmp_path):
    from detector.detection.model import load_model
    from detector.detection.scoring import Scorer

    if Scorer(load_model()).screen is None:
        pytest.skip("no screen calibrated for the shipped model: run scripts/calibrate_screen.py")
    screened_out, full_out = tmp_path / "screened", tmp_path / "full"
    # the n-gram stage alone: the neural stage's budget is shared by the records the screen leaves
    assert _run(str(corpus), "--out", str(screened_out), "--no-neural") == 0
    assert _run(str(corpus), "--out", str(full_out), "--exhaustive", "--no-neural") == 0
    for name in ("part-0.jsonl", "part-1.jsonl.gz"):
        for a, b in zip(_read_jsonl(screened_out / name), _read_jsonl(full_out / name)):
            assert "screened" not in b["detector"]
            if a["detector"].get("screened"):
                assert a["detector"]["screened"] is True and a["detector"]["verdict"] == "clean"
                assert a["detector"]["spans"] == [] and b["detector"]["verdict"] != "spun"
            else:
                assert a["detector"] == b["detector"]


def test_group_copies_in_worker_processes_gives_the_same_groups(monkeypatch):
    from detector.batch import copies

    texts = [DOCS[4], _spun(DOCS[4], seed=2, rate=0.3), DOCS[7], _spun(DOCS[7], seed=5, rate=0.1), DOCS[9]]
    scores = [0.1, 0.9, 0.2, 0.8, 0.1]
    alone = copies.find_copies(texts, scores)
    monkeypatch.setattr(copies, "PARALLEL_PAIRS", 1)
    keys = [copies.keys_of(t) for t in texts]
    together = copies.group_copies([k[0] for k in keys], [k[1] for k in keys], scores,
                                   lambda wanted: {i: texts[i] for i in wanted}, workers=2)
    assert together == alone
    assert alone[1].kind == "spun-copy" and alone[1].source_index == 0
