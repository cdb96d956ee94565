"""The command line: contracts of `detector spin` and one-line errors for every bad input."""

import json
import subprocess
import sys

import pytest

from detector.cli import main
from tests.conftest import seed_path

ENGLISH = "Users of the app said the phone number was popular among people in the city.\n"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, expected, status=1):
    assert code == status
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("detector: error: ") and expected in lines[0]
    assert "Traceback" not in err


def test_spin_text_is_deterministic(capsys):
    path = str(seed_path("001"))
    first = run(capsys, "spin", path, "--seed", "1")
    second = run(capsys, "spin", path, "--seed", "1")
    assert first[0] == 0 and first[1] == second[1] and first[1] != seed_path("001").read_text(encoding="utf-8")


def test_spin_json_contract(capsys, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    code, out, _ = run(capsys, "spin", str(source), "--rate", "0.5", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"text", "substitutions"} and data["substitutions"]
    for sub in data["substitutions"]:
        assert set(sub) >= {"start", "end", "replacement", "original"}
        assert data["text"][sub["start"] : sub["end"]] == sub["replacement"]
        assert ENGLISH[sub["original_start"] : sub["original_end"]] == sub["original"]


def test_spin_show_marks_substitutions_without_colour(capsys, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    code, out, err = run(capsys, "spin", str(source), "--rate", "0.5", "--show", "--no-color")
    assert code == 0 and "[" in out and "\x1b[" not in out and "substitutions over" in err
    code, out, _ = run(capsys, "spin", str(source), "--rate", "0.5", "--show", "--color")
    assert "\x1b[" in out


def test_spin_spintax(capsys, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    code, out, _ = run(capsys, "spin", str(source), "--rate", "0.5", "--format", "spintax")
    assert code == 0 and out.count("{") >= 3 and out.count("{") == out.count("}")


def test_stdin(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "detector", "spin", "-", "--rate", "0.5"],
                          input=ENGLISH.encode(), capture_output=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout and proc.stdout.decode() != ENGLISH


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "is empty"),
        (b"   \n\t\n", "is empty"),
        (b"\x00\x01\x02binary\x00" * 50, "binary"),
        ("Caf\xe9 au lait, the usual.".encode("latin-1"), "not UTF-8"),
        ("上海,1 月 15 日(路透社)—— 中國社交媒體應用程式「小紅書」的用戶週三以自拍照和訊息".encode(), "English"),
        ("Le gouvernement a annoncé une nouvelle loi sur la sécurité des données personnelles des "
         "citoyens qui utilisent les réseaux sociaux chaque jour.".encode(), "does not look like English"),
    ],
    ids=["empty", "blank", "binary", "latin-1", "chinese", "french"],
)
def test_bad_input_gives_one_line_and_non_zero_exit(capsys, tmp_path, content, expected):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "spin", str(path))
    assert_one_line_error(code, err, expected)
    assert out == ""


def test_folder_missing_file_and_huge_file(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "spin", str(tmp_path))[::2], "is a folder")
    assert_one_line_error(*run(capsys, "spin", str(tmp_path / "nope.txt"))[::2], "no such file")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.write(ENGLISH.encode() * (50_000_000 // len(ENGLISH) + 1))
    assert_one_line_error(*run(capsys, "spin", str(huge))[::2], "over the 10.0 MB limit")


def test_bad_thesaurus_is_one_line(capsys, tmp_path):
    path = tmp_path / "in.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    code, _, err = run(capsys, "spin", str(path), "--thesaurus", "nonsense")
    assert_one_line_error(code, err, "unknown thesaurus", status=3)


def test_usage_errors_exit_2(capsys):
    code, _, err = run(capsys, "spin", "--rate", "7")
    assert code == 2 and "rate" in err and "Traceback" not in err


def test_lexicon_command_reports_sources(capsys):
    code, out, _ = run(capsys, "lexicon")
    assert code == 0 and "wordnet" in out and "bigrams" in out and "loaded in" in out


# --- detector score -------------------------------------------------------------------------------

def test_score_text_output(capsys):
    code, out, _ = run(capsys, "score", str(seed_path("000")), "--no-color")
    assert code == 0 and "SPUN" in out and "->" in out


def test_score_json_offsets_index_the_input(capsys):
    path = seed_path("000")
    text = path.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "score", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "spun"
    for span in data["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]


def test_score_fail_on_spun(capsys):
    assert run(capsys, "score", str(seed_path("000")), "--fail-on-spun")[0] == 4
    assert run(capsys, "score", str(seed_path("002")), "--fail-on-spun")[0] == 0
    assert run(capsys, "score", str(seed_path("000")), "--threshold", "1.0", "--fail-on-spun")[0] == 0


def test_score_jsonl_bad_records_are_reported_and_do_not_stop_the_run(capsys, tmp_path):
    path = tmp_path / "docs.jsonl"
    good = seed_path("002").read_text(encoding="utf-8")
    path.write_bytes(
        json.dumps({"id": "a", "text": good}).encode() + b"\n"
        + b"{not json\n"
        + json.dumps({"id": "c", "body": "no text field"}).encode() + b"\n"
        + b'{"id": "d", "text": "caf\xe9"}\n'
        + json.dumps({"id": "e", "text": ""}).encode() + b"\n"
        + json.dumps({"id": "f", "text": good}).encode() + b"\n"
    )
    code, out, _ = run(capsys, "score", str(path), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 6
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", "e", "f"]
    errors = {r["line"]: r["error"] for r in rows if "error" in r}
    assert set(errors) == {2, 3, 4, 5}
    assert "JSON" in errors[2] and "text" in errors[3] and "UTF-8" in errors[4] and "empty" in errors[5]
    assert rows[0]["verdict"] == rows[5]["verdict"] == "clean"


def test_score_text_field_option(capsys, tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": 1, "body": seed_path("002").read_text(encoding="utf-8")}) + "\n")
    code, out, _ = run(capsys, "score", str(path), "--format", "jsonl", "--text-field", "body")
    assert code == 0 and json.loads(out)["verdict"] == "clean"


@pytest.mark.parametrize("content,expected", [(b"", "is empty"), (b"\x00\x01" * 100, "binary"),
                                              (b"\xff\xfe\xfa bad", "not UTF-8")])
def test_score_bad_files(capsys, tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert_one_line_error(*run(capsys, "score", str(path))[::2], expected)
    assert_one_line_error(*run(capsys, "score", str(tmp_path))[::2], expected)  # a folder: its files are read
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(*run(capsys, "score", str(empty))[::2], "holds no .pdf, .txt or .jsonl file")


def test_score_missing_model_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(seed_path("002")), "--model", str(tmp_path))
    assert_one_line_error(code, err, "no model", status=3)
