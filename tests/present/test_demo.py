"""detector demo (terminal walk-through) and detector score --format html."""

from __future__ import annotations

from detector.cli import main
from tests.conftest import seed_path

TEXT = ("The company said on Monday that users of its app can now find the phone number of a shop online. "
        "Many users welcomed the change, and the firm said it would add more features for people in the United "
        "States and other countries in the coming months, according to a statement on its website.")


def test_demo_walks_through_four_steps_in_plain_text(capsys):
    assert main(["demo", "--no-pause"]) == 0
    out = capsys.readouterr().out
    titles = ["1. The clean text", "2. The spun text", "3. The detector's view", "4. The repair"]
    assert all(t in out for t in titles) and [out.index(t) for t in titles] == sorted(out.index(t) for t in titles)
    assert "\x1b[" not in out  # not a terminal: no colour codes
    assert "[Customers](Users)" in out  # seed 000's first substitution with its original
    assert "SPUN" in out and "document score" in out
    assert "[-stated-]{+said+}" in out  # the repair as a diff


def test_demo_of_a_file_spins_it_here_and_can_show_spintax(capsys, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["demo", str(path), "--no-pause", "--spintax", "--rate", "0.4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "spun here at rate 0.4, seed 3" in out
    assert "As spintax" in out and "{" in out.split("As spintax", 1)[1]
    assert "the detector's suggestions alone" in out


def test_demo_refuses_bad_input_in_one_line(capsys, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("   ", encoding="utf-8")
    assert main(["demo", str(path), "--no-pause"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_score_html_escapes_the_text(capsys, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text('<script>alert(1)</script> <b onmouseover="x()">' + TEXT, encoding="utf-8")
    assert main(["score", str(path), str(seed_path("000")), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!doctype html>") and out.count("<h2>") == 2
    assert "<script>" not in out and "&lt;script&gt;" in out and 'onmouseover="x()"' not in out
    assert '<mark class="span"' in out and "SPUN" in out


def test_serve_on_a_busy_port_is_one_line(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("detector: error: cannot listen on 127.0.0.1")
