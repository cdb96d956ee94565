"""Where batch input is found and read, and where batch output is written atomically.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "a.jsonl").write_text('{"id": 1, "text": "One."}\\nnot json\\n', encoding="utf-8")
>>> [shard.name for shard in discover([str(root / "a.jsonl")], out=root / "out")]
['a.jsonl']
>>> [(r.line, r.error) for r in read_units(discover([str(root / "a.jsonl")], root / "out")[0], 0, 10, "text", "id")]
[(1, None), (2, 'not valid JSON (Expecting value)')]

Inputs are files or folders (searched recursively): ``.txt`` (one document a file), ``.jsonl`` and
``.jsonl.gz`` (one JSON object a line), and ``.parquet`` (needs ``pyarrow``: ``pip install
'detector[parquet]'``). Each input file is a *shard*; its output keeps its name, relative to the
folder it was found in (a file given by itself keeps its base name). A unit of work is a range of
records of one shard, so large shards are shared among workers.

Every bad record becomes a :class:`~detector.present.report.Record` with ``error`` set and its line, never
an exception: malformed JSON, a missing or empty text field, non-UTF-8 bytes, and a ``.gz`` cut
short (the records before the cut are read; the cut is one error).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from detector.errors import InputError
from detector.present.report import Record, parse_line
from detector.text.inputs import decode_text

KINDS = {".txt": "text", ".jsonl": "jsonl", ".jsonl.gz": "jsonl.gz", ".parquet": "parquet"}
TEXT_FILES_PER_SHARD = 256  # a folder's .txt files are read in shards of this many


@dataclass(frozen=True)
class Shard:
    """One input file (or, for .txt input, a run of files) and the name its output gets."""

    name: str  # output name, relative to the output folder
    kind: str  # text, jsonl, jsonl.gz, parquet
    paths: tuple[str, ...]  # one file, or several .txt files
    size: int  # bytes on disk

    @property
    def key(self) -> str:
        """A file-name-safe, unique key for the shard's state files."""
        if self.kind == "text":  # a run of file names: too long for a file name of its own
            return "txt-" + hashlib.sha1(self.name.encode("utf-8")).hexdigest()[:16]
        return self.name.replace(os.sep, "__")


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(KINDS, key=len, reverse=True):
        if name.endswith(suffix):
            return KINDS[suffix]
    return None


def discover(inputs: list[str], out: Path) -> list[Shard]:
    """The shards of ``inputs`` in a stable order, skipping anything inside ``out`` or inside the
    output folder of an earlier run (a folder holding ``.detector/``)."""
    out = out.resolve()
    shards: list[Shard] = []
    for given in inputs:
        path = Path(given)
        if not path.exists():
            raise InputError(f"no such file or folder: {given}")
        if path.is_file():
            kind = kind_of(path)
            if kind is None:
                raise InputError(f"{given}: unknown input type (give .txt, .jsonl, .jsonl.gz or .parquet files)")
            shards.append(Shard(path.name, kind, (str(path),), path.stat().st_size))
            continue
        outputs = [d.parent.resolve() for d in path.rglob(".detector") if d.is_dir()]  # earlier runs' output
        files = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p) and not _inside(p, out)
                       and not any(_inside(p, folder) for folder in outputs))
        if not files:
            raise InputError(f"{given}: no .txt, .jsonl, .jsonl.gz or .parquet files in this folder")
        texts = [p for p in files if kind_of(p) == "text"]
        for p in files:
            if kind_of(p) != "text":
                shards.append(Shard(str(p.relative_to(path)), kind_of(p), (str(p),), p.stat().st_size))
        for start in range(0, len(texts), TEXT_FILES_PER_SHARD):
            group = texts[start : start + TEXT_FILES_PER_SHARD]
            names = "|".join(str(p.relative_to(path)) for p in group)
            shards.append(Shard(names, "text", tuple(str(p) for p in group), sum(p.stat().st_size for p in group)))
    seen: dict[str, str] = {}
    for shard in shards:
        for name in text_names(shard) if shard.kind == "text" else [shard.name]:
            if name in seen:
                raise InputError(f"two inputs would both write {name!r} ({seen[name]} and {shard.paths[0]}); "
                                 "give their folders instead, or run them separately")
            seen[name] = shard.paths[0]
    return shards


def text_names(shard: Shard) -> list[str]:
    """Output names of the .txt files of a text shard."""
    return shard.name.split("|")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def count_records(shard: Shard) -> int:
    """How many records (lines, rows, files) a shard holds; a cut-short .gz counts its cut as one."""
    if shard.kind == "text":
        return len(shard.paths)
    if shard.kind == "parquet":
        return _parquet(shard.paths[0]).metadata.num_rows
    number = 0
    try:
        with _open(shard) as handle:
            for _ in handle:
                number += 1
    except (EOFError, OSError, zlib.error):
        return number + 1  # the reader reports the cut as one more (error) record
    return number


def _open(shard: Shard):
    path = shard.paths[0]
    try:
        return gzip.open(path, "rb") if shard.kind == "jsonl.gz" else open(path, "rb")
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err


def _parquet(path: str):
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install 'detector[parquet]'") from err
    try:
        return pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises its own error types for damaged files
        raise InputError(f"cannot read Parquet file {path}: {err}") from err


def read_units(shard: Shard, start: int, stop: int, text_field: str, id_field: str,
               max_bytes: int = 10_000_000) -> Iterator[Record]:
    """Records ``start <= i < stop`` of a shard (0-based), each with ``line`` = i + 1 (its line,
    row or file number). Records keep their full JSON object in ``data`` for writing back."""
    if shard.kind == "text":
        for i in range(start, min(stop, len(shard.paths))):
            yield _text_record(shard, i, max_bytes)
        return
    if shard.kind == "parquet":
        yield from _parquet_records(shard, start, stop, text_field, id_field, max_bytes)
        return
    source = shard.paths[0]
    number = 0
    handle = _open(shard)
    try:
        with handle:
            for number, raw in enumerate(handle, 1):
                if number <= start:
                    continue
                if number > stop:
                    return
                if not raw.strip():
                    continue
                yield parse_line(raw, source, number, text_field, id_field, max_bytes)
    except (EOFError, OSError, zlib.error) as err:
        if start <= number < stop:
            yield Record(id=None, text=None, source=source, line=number + 1,
                         error=f"compressed file cut short or damaged after line {number} ({err})")


def _text_record(shard: Shard, i: int, max_bytes: int) -> Record:
    path = shard.paths[i]
    name = text_names(shard)[i]
    record = Record(id=name, text=None, source=path, line=None)
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(f"text is over the {max_bytes:,}-byte limit")
        with open(path, "rb") as handle:
            record.text = decode_text(handle.read(), path)
        record.data = {"id": name, "text": record.text}
    except InputError as err:
        record.error = str(err)
    except OSError as err:
        record.error = f"cannot read: {err.strerror or err}"
    return record


def _parquet_records(shard: Shard, start: int, stop: int, text_field: str, id_field: str,
                     max_bytes: int) -> Iterator[Record]:
    table = _parquet(shard.paths[0])
    row = 0
    for batch in table.iter_batches(batch_size=1024):
        if row + batch.num_rows <= start:
            row += batch.num_rows
            continue
        for obj in batch.to_pylist():
            row += 1
            if row <= start:
                continue
            if row > stop:
                return
            line = json.dumps(obj, ensure_ascii=False, default=str)
            yield parse_line(line.encode("utf-8"), shard.paths[0], row, text_field, id_field, max_bytes)


# -- writing ------------------------------------------------------------------------------------
class ShardWriter:
    """Stream JSON lines into an output shard of ``kind``, visible only once complete.

    Lines go to a temporary file beside ``path``; :meth:`commit` (called when the ``with`` block
    ends without an error) flushes, syncs and renames it into place. A ``.gz`` shard is written
    without a timestamp, so the same records always give the same bytes.
    """

    def __init__(self, path: Path, kind: str):
        self.path, self.kind = path, kind
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self._raw = open(self.tmp, "wb")  # noqa: SIM115 (closed by commit or discard)
        self._rows: list[dict] = []
        self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=6, mtime=0) \
            if kind == "jsonl.gz" else self._raw

    def write(self, line: str) -> None:
        self.count += 1
        if self.kind == "parquet":
            self._rows.append(json.loads(line))
        else:
            self._out.write(line.encode("utf-8") + b"\n")

    def commit(self) -> None:
        if self.kind == "parquet":
            self._raw.write(_parquet_bytes(self._rows))
        if self._out is not self._raw:
            self._out.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self._raw.close()
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def _parquet_bytes(rows: list[dict]) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    for row in rows:  # nested objects as JSON text: a stable schema whatever the spans hold
        for key, value in row.items():
            if isinstance(value, (dict, list)):
                row[key] = json.dumps(value, ensure_ascii=False)
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()
