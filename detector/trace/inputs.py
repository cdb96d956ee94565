"""The documents ``detector trace`` is given: files, folders of ``.txt`` files, ``.jsonl`` records.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("An article.", encoding="utf-8")
>>> _ = (folder / "b.jsonl").write_text('{"id": "x", "text": "A record."}\\nnot json\\n', encoding="utf-8")
>>> docs, errors = read_documents([str(folder)])
>>> [(d.id, d.text) for d in docs], [e.split(": ", 1)[1] for e in errors]
([('a.txt', 'An article.'), ('x', 'A record.')], ['not valid JSON (Expecting value)'])

A file that cannot be read (missing, binary, not UTF-8, empty, over the size limit) and a bad
JSONL line each give one line in ``errors`` and are left out; the others are traced. Ids are the
file names (their paths relative to the folder given when names repeat) and the records' ids
(``file:line`` when a record has none); a repeated id gets ``#2``, ``#3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from detector.errors import InputError
from detector.text.inputs import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class TracedDocument:
    id: str
    text: str
    path: str


def _files(path: str) -> list[tuple[Path, str]]:
    """(file, name) pairs: a folder's .txt and .jsonl files (sorted), or the file itself."""
    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in (".txt", ".jsonl"))
        if not found:
            raise InputError(f"folder {path} has no .txt or .jsonl files")
        return [(f, str(f.relative_to(p))) for f in found]
    return [(p, p.name)]


def read_documents(paths, text_field: str = "text", id_field: str = "id", max_bytes: int = DEFAULT_MAX_BYTES,
                   max_documents: int = 5000) -> tuple[list[TracedDocument], list[str]]:
    """Documents and one-line errors (see the module docstring)."""
    from detector.present.report import read_records

    docs: list[TracedDocument] = []
    errors: list[str] = []
    seen: dict[str, int] = {}

    def add(doc_id: str, text: str, path: str) -> None:
        if len(docs) >= max_documents:
            raise InputError(f"more than {max_documents} documents; trace a crawl with `detector clean "
                             "--group-copies`, or raise --max-documents")
        seen[doc_id] = seen.get(doc_id, 0) + 1
        if seen[doc_id] > 1:
            doc_id = f"{doc_id}#{seen[doc_id]}"
        docs.append(TracedDocument(doc_id, text, path))

    for path in paths:
        try:
            files = _files(path)
        except InputError as err:
            errors.append(str(err))
            continue
        names = [n for _, n in files]
        for file, name in files:
            shown = name if names.count(name) == 1 else str(file)
            try:
                for batch in read_records(str(file), text_field, id_field, max_bytes):
                    for record in batch:
                        if record.error is not None:
                            errors.append(f"{file}:{record.line}: {record.error}")
                        elif record.line is None:
                            add(shown, record.text, str(file))
                        else:
                            rid = record.id if record.id is not None else f"{shown}:{record.line}"
                            add(str(rid), record.text, f"{file}:{record.line}")
            except InputError as err:
                if str(err).startswith("more than"):
                    raise
                errors.append(str(err))
    return docs, errors
