"""Known tortured phrases: the Problematic Paper Screener's list as evidence, guards honoured.

>>> known = KnownPhrases.load()
>>> text = "We propose a counterfeit consciousness model and compare it with irregular woodlands."
>>> [(f.text, f.expected, f.papers > 0) for f in known.find(text)]
[('counterfeit consciousness', 'artificial intelligence', True), ('irregular woodlands', 'random forests', True)]

The list ships in ``detector/data/tortured/`` (``phrases.jsonl``, one entry a line, read as JSON:
nothing in it runs; ``manifest.json`` with its version and checksum; ``DATA_CARD.md``), built from
PPS's fingerprints by ``scripts/build_tortured_list.py``. Data © the Problematic Paper Screener
(Guillaume Cabanac, Cyril Labbé, Alexander Magazinov), CC BY 4.0.

An occurrence of a listed phrase (any case, inflection or hyphenation, across line breaks:
:mod:`detector.tortured.match`) is a finding when

* its PPS query holds there (``"profound learning" AND "deep learning"``: the real term is in the
  same document; :mod:`detector.tortured.guards`), and
* the entry is not *ordinary prose*: seen ``ORDINARY_MIN`` times or more in 27 million words of
  clean scientific abstracts ("malignant growth", "facial expression processing"). Such an entry
  counts only with context: its expected phrase elsewhere in the same document (PPS's own kind of
  guard), or at least ``CORROBORATION`` other known tortured phrases in it.

The suggestion is the entry's expected phrase, carried to the case and number of the text
("Irregular woodlands" -> "Random forests").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from detector.errors import ModelError
from detector.tortured.guards import Query, Term, parse
from detector.tortured.match import Document, PhraseMatcher, words_of

DATA = Path(__file__).resolve().parents[1] / "data" / "tortured"
FORMAT = 1
ORDINARY_MIN = 3  # seen this often in ~27M words of clean science abstracts: ordinary prose somewhere
CORROBORATION = 2  # other known phrases that let an ordinary-prose entry count without its expected phrase
HOLD_OUT_SALT = "tortured-held-out-v1"


def held_out(phrase: str) -> bool:
    """Whether a phrase is in the fifth held out for measuring how new phrases are found (by a hash
    of its folded words, so that its plural and hyphenated forms fall on the same side).

    >>> held_out("irregular woodland") == held_out("Irregular-Woodlands")
    True
    """
    key = " ".join(words_of(phrase))
    return int(hashlib.sha256(f"{HOLD_OUT_SALT}:{key}".encode()).hexdigest()[:8], 16) % 5 == 0


@dataclass(frozen=True)
class Entry:
    tortured: str
    expected: str | None
    alternatives: tuple[str, ...]
    papers: int
    queries: tuple[Query, ...]
    query_text: tuple[str, ...]
    ordinary: bool
    clean_count: int
    held_out: bool

    @property
    def guarded(self) -> bool:
        """Whether a PPS query adds context beyond the phrase itself."""
        return any(not _plain(q, self.tortured) for q in self.queries)


def _plain(query: Query, tortured: str) -> bool:
    return isinstance(query, Term) and query.words == words_of(tortured) and not query.slop


@dataclass(frozen=True)
class Finding:
    """A known tortured phrase at ``text[start:end]``."""

    start: int
    end: int
    text: str
    tortured: str  # the listed form
    expected: str | None  # the suggestion, in the text's case and number
    papers: int
    ordinary: bool
    why: str  # "" or how an ordinary-prose entry was corroborated / which guard held

    @property
    def reason(self) -> str:
        return f"listed by the Problematic Paper Screener (found in {self.papers:,} papers)"


class KnownPhrases:
    """The list as a searchable set (:meth:`load` the shipped one, or build one from entries)."""

    def __init__(self, entries: list[Entry], version: str = "?"):
        self.entries = entries
        self.version = version
        self.matcher = PhraseMatcher([e.tortured for e in entries])

    @classmethod
    def load(cls, folder: Path | None = None, exclude_held_out: bool = False) -> KnownPhrases:
        """The shipped list (or the one in ``folder``); ``exclude_held_out`` leaves out the fifth
        the benchmark measures new-phrase finding on."""
        return _load(folder or DATA, exclude_held_out)

    def find(self, text: str | Document) -> list[Finding]:
        """Every known tortured phrase of ``text`` that counts there (see the module docstring)."""
        doc = text if isinstance(text, Document) else Document(text)
        candidates = []
        for m in self.matcher.find(doc):
            e = self.entries[m.key]
            at = (m.first, m.last)
            phrase = words_of(e.tortured)
            if e.queries and not any(q.holds(doc, at, phrase) for q in e.queries):
                continue
            candidates.append((m, e))
        strong = {e.tortured for _, e in candidates if not e.ordinary}
        out = []
        for m, e in candidates:
            why = ""
            if e.ordinary:
                if e.expected and doc.contains(words_of(e.expected)):
                    why = f"ordinary prose in some fields; counted because '{e.expected}' is also in the text"
                elif len(strong - {e.tortured}) >= CORROBORATION:
                    why = (f"ordinary prose in some fields; counted beside {len(strong - {e.tortured})} other "
                           "known tortured phrases")
                else:
                    continue
            span = doc.text[m.start : m.end]
            out.append(Finding(m.start, m.end, span, e.tortured, _as_in(e.expected, span, e.tortured), e.papers,
                               e.ordinary, why))
        return out


@lru_cache(maxsize=4)
def _load(folder: Path, exclude_held_out: bool) -> KnownPhrases:
    path = folder / "phrases.jsonl"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        raw = path.read_bytes()
        if manifest.get("format") != FORMAT:
            raise ModelError(f"{path}: format {manifest.get('format')}, this detector reads {FORMAT}")
        if hashlib.sha256(raw).hexdigest() != manifest.get("sha256"):
            raise ModelError(f"{path} does not match its manifest's checksum; reinstall detector")
        entries = []
        for line in raw.decode("utf-8").splitlines():
            r = json.loads(line)
            if exclude_held_out and r["held_out"]:
                continue
            entries.append(Entry(r["tortured"], r["expected"], tuple(r["alternatives"]), int(r["papers"]),
                                 tuple(parse(q) for q in r["queries"]), tuple(r["queries"]), bool(r["ordinary"]),
                                 int(r["clean_count"]), bool(r["held_out"])))
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(f"the tortured-phrase list in {folder} is missing or damaged ({err}); reinstall detector") \
            from err
    return KnownPhrases(entries, str(manifest.get("version", "?")))


def _as_in(expected: str | None, written: str, listed: str) -> str | None:
    """``expected`` in the case and number the text wrote the listed phrase in.

    >>> _as_in("random forest", "Irregular Woodlands", "irregular woodland")
    'Random Forests'
    >>> _as_in("Prandtl number", "prandtl quantity", "prandtl quantity")
    'Prandtl number'
    >>> _as_in("deep learning", "PROFOUND LEARNING", "profound learning")
    'DEEP LEARNING'
    """
    if expected is None:
        return None
    out = expected
    last_written = written.split()[-1] if written.split() else written
    last_listed = listed.split()[-1] if listed.split() else listed
    plural = last_written.lower().endswith("s") and not last_listed.lower().endswith("s")
    singular = last_listed.lower().endswith("s") and not last_written.lower().endswith("s")
    if plural:
        out = _pluralise(out)
    elif singular and out.endswith("s") and not out.endswith("ss"):
        out = out[:-1]
    letters = [c for c in written if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return out.upper()
    words = written.split()
    if words and all(w[:1].isupper() for w in words if w[:1].isalpha()) and len(words) > 1:
        return " ".join(w[:1].upper() + w[1:] for w in out.split(" "))
    if written[:1].isupper() and out[:1].islower():
        return out[:1].upper() + out[1:]
    return out


def _pluralise(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    if last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es" if not last.endswith("s") else ""
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last
