"""Reading records for ``detector score`` and printing results for people.

>>> [r.text for r in next(read_records_from_lines(['{"text": "hello"}', 'oops'], "x.jsonl", "text", "id"))]
['hello', None]

Inputs: a text file (one document), a PDF (``.pdf``, or PDF bytes on ``-``: one paper, its body
read by :mod:`detector.papers`), ``-`` (standard input, one document), a ``.jsonl`` file (one
document a line, text in ``text_field``) or a folder (its ``.pdf``, ``.txt`` and ``.jsonl`` files,
recursively, in name order). A bad file raises :class:`InputError`; a bad line in a JSONL file, and
a PDF or a file in a folder that cannot be read, becomes a record with ``error`` set, so the run
goes on.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from detector.detection.scoring import ScoreResult
from detector.errors import InputError
from detector.present.render import highlight
from detector.text.inputs import decode_text, open_input, read_bytes, read_text

BATCH = 256


@dataclass
class Record:
    id: object
    text: str | None
    source: str
    line: int | None = None
    error: str | None = None
    data: dict | None = None  # the whole JSON object, for writing it back with annotations
    raw: str | None = None  # a bad line as read (undecodable bytes as \x escapes)
    paper: object = None  # a :class:`~detector.papers.paper.Paper` when the text came from a PDF


READABLE = (".pdf", ".txt", ".jsonl")


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Paths with each folder replaced by the readable files in it (recursively, in name order)."""
    out = []
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in READABLE)
            if not found:
                raise InputError(f"{path} holds no .pdf, .txt or .jsonl file")
            out += found
        else:
            out.append(path)
    return out


def read_paper_record(data: bytes, name: str) -> Record:
    """A PDF as one record: its body as the text, or an error record saying why it cannot be read."""
    from detector.papers.paper import read_paper

    try:
        paper = read_paper(data, name)
    except InputError as err:
        return Record(id=name, text=None, source=name, error=str(err).removeprefix(f"{name}: "))
    if not paper.text.strip():
        return Record(id=name, text=None, source=name, error=f"{name} has no body text to score")
    return Record(id=name, text=paper.text, source=name, paper=paper)


def read_records(path: str, text_field: str, id_field: str, max_bytes: int) -> Iterator[list[Record]]:
    """Batches of records from a path (see the module docstring)."""
    if path.endswith(".jsonl"):
        try:
            with open_input(path) as handle:  # streamed: each line is checked on its own
                yield from read_records_from_lines(handle, path, text_field, id_field, max_bytes)
        except OSError as err:
            raise InputError(f"cannot read {path}: {err.strerror or err}") from err
        return
    name = "standard input" if path == "-" else path
    if path.lower().endswith(".pdf") or path == "-":
        data = read_bytes(path, max_bytes)
        from detector.papers.pdf import is_pdf

        if path != "-" or is_pdf(data):
            yield [read_paper_record(data, name)]
            return
        yield [Record(id=name, text=decode_text(data, name), source=name)]
        return
    text = read_text(path, max_bytes)
    yield [Record(id=name, text=text, source=name)]


def read_records_from_lines(lines: Iterable[bytes | str], source: str, text_field: str, id_field: str,
                            max_bytes: int = 10_000_000) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if not raw.strip():
            continue
        batch.append(parse_line(raw, source, number, text_field, id_field, max_bytes))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_line(raw: bytes, source: str, number: int, text_field: str, id_field: str,
               max_bytes: int = 10_000_000) -> Record:
    """One JSONL line as a :class:`Record`: its object in ``data``, or ``error`` saying what is wrong
    (the raw line is kept in ``raw`` so that nothing is lost)."""
    record = Record(id=None, text=None, source=source, line=number)
    try:
        obj = json.loads(decode_text(raw, f"line {number}", convert_hint=False))
        if not isinstance(obj, dict):
            raise InputError("not a JSON object")
        record.id = obj.get(id_field, number)
        text = obj.get(text_field)
        if not isinstance(text, str):
            raise InputError(f"no text field {text_field!r}" if text is None else f"{text_field!r} is not a string")
        if not text.strip():
            raise InputError("text is empty")
        if len(text.encode("utf-8")) > max_bytes:
            raise InputError(f"text is over the {max_bytes:,}-byte limit")
        record.text = text
        record.data = obj
    except InputError as err:
        record.error = str(err)
        if record.id is None:  # undecodable bytes: still try to say which record it was
            with contextlib.suppress(ValueError, AttributeError):
                record.id = json.loads(raw.decode("utf-8", "replace")).get(id_field)
    except ValueError as err:
        record.error = f"not valid JSON ({getattr(err, 'msg', err)})"
    if record.error is not None:
        record.raw = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
    return record


def print_result(result: ScoreResult, source: str, color: bool) -> None:
    """Human-readable: a headline, the text with spans highlighted, then each span explained."""
    verdict = result.verdict.upper()
    style = {"spun": "red", "clean": "green"}.get(result.verdict, "yellow")
    shown = result.shown_spans
    headline = (f"{source}: {verdict}  score {result.score:.3f}  ({result.words} words, {len(shown)} suspicious "
                f"span{'' if len(shown) == 1 else 's'})")
    click.echo(click.style(headline, fg=style, bold=True) if color else headline, color=color)
    if result.verdict == "not-english":
        click.echo("  mostly not English: not scored", color=color)
        return
    if shown:
        marks = [(s.start, s.end, s.suggestion) for s in shown]
        click.echo(highlight(result.text, marks, color=color).rstrip("\n"), color=color)
        click.echo("", color=color)
        for span in sorted(shown, key=lambda s: -s.score)[:25]:
            suggestion = f" -> {span.suggestion!r}" if span.suggestion else " (no confident original)"
            click.echo(f"  {span.score:.2f}  {span.text!r}{suggestion}: {'; '.join(span.reasons)}", color=color)
        if len(shown) > 25:
            click.echo(f"  ... and {len(shown) - 25} more spans", color=color)
    weaker = len(result.spans) - len(shown)
    if weaker:
        click.echo(f"  ({weaker} weaker span{'' if weaker == 1 else 's'} under the display threshold "
                   f"{result.display_threshold:.2f}: --format json lists them)", color=color)
    if "damage" in result.extra:
        print_damage(result.extra["damage"], color)
    if result.extra.get("tortured", {}).get("findings"):
        from detector.present.tortured_report import tortured_lines

        for line in tortured_lines(result.extra["tortured"]):
            click.echo(line, color=color)
    evidence = ("n-gram tables and the neural model of English" if result.evidence == "ngram+neural"
                else "n-gram tables only")
    click.echo(f"  model {result.model} ({evidence})", color=color)


def print_damage(damage: dict, color: bool) -> None:
    """Damage other than spinning, one line each, with the strongest spans."""
    from detector.damage.gather import LABELS as labels

    for kind, label in labels.items():
        found = damage.get(kind)
        quiet = found and (not found["score"] or found.get("verdict") in ("clean", "fluent", "too-short")
                           or kind == "mt_provenance")  # a score without a verdict: in the JSON only
        if found and not found["spans"] and quiet and kind == "mt_roundtrip" and found.get("note"):
            click.echo(f"  damage: {label}: none; {found['note']}", color=color)
            continue
        if not found or (not found["spans"] and quiet):
            continue  # nothing to show: no spans, and no damage verdict
        extra = f" ({', '.join(found['languages'])})" if found.get("languages") else ""
        verdict = f", {found['verdict']}" if "verdict" in found else ""
        line = f"  damage: {label}{extra}: score {found['score']:.2f}{verdict}, {len(found['spans'])} span(s)"
        strong = found.get("verdict") == "damaged" or (kind != "mt_roundtrip" and found["score"] >= 0.3)
        click.echo(click.style(line, fg="magenta") if color and strong else line, color=color)
        for span in found["spans"][:5]:
            text = span["text"] if len(span["text"]) <= 70 else span["text"][:67] + "..."
            click.echo(f"    {text!r}: {'; '.join(span['reasons'])}", color=color)
            if span.get("second_translation", {}).get("gain", 0) > 0:
                click.echo(f"      a second translation: {span['second_translation']['text']!r}", color=color)
            if span.get("words"):
                words = ", ".join(f"{w['text']!r} ({w['reason']})" for w in span["words"][:3])
                click.echo(f"      words the translation likely changed: {words}", color=color)
