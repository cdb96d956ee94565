"""Cleaning the Problematic Paper Screener's list: one usable expected phrase per entry, artefacts out.

>>> clean_expected(["public key cryptography (PKC)", "public key cryptography (pkc)"], "open key cryptography")
('public key cryptography', [])
>>> clean_expected(["convolutional [neural] network"], "convolution community")
('convolutional network', [])
>>> clean_expected(["differential equation AND 1st order", "differential equation AND 2nd order"], "x y")
('differential equation', [])
>>> clean_expected(["decision tree", "decision forest"], "selection timber")
('decision tree', ['decision forest'])
>>> clean_expected(["???"], "mind cellular")
(None, [])

What the raw list holds (``../shared/corpus/tortured-phrases``) and what :func:`clean_entries`
does with it:

* expected phrases in two cases (``Bluetooth Low Energy`` / ``bluetooth low energy``): the first
  spelling is kept;
* notes around the expected phrase: parenthesised abbreviations and hints (``(PKC)``, ``(in
  SVM)``, ``(?)``), a trailing ``?``, ``, see https://...``, an abbreviation after a comma
  (``rectified linear unit, ReLU``), a guard written into it (``differential equation AND 1st
  order``): cut off;
* bracketed words (``convolutional [neural] network``, ``extracting [...] features``): dropped
  when that leaves as many words as the tortured phrase has, else kept without the brackets;
* ``???``: no expected phrase (the entry is still listed; it gets no suggestion);
* artefacts of splitting PPS queries into phrases (``support vectors`` -> ``support vectors (in
  SVM)``, ``neural network`` -> ``[neural network] layer outputs``): an entry whose words are the
  expected phrase's, or lie inside it, is left out;
* an entry that PPS only uses as another entry's guard (``1st request``, which PPS asks for beside
  ``differential condition``) gets that entry as its own guard, unless the guard excludes it
  (``paranoid android``, in ``"android versatile" NOT "paranoid android"``): then it is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detector.tortured.guards import Op, QueryError, Term, parse
from detector.tortured.match import words_of

_PAREN = re.compile(r"\s*\([^()]*\)")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_SEE = re.compile(r",?\s*see\s+https?://\S+.*$", re.I)


@dataclass
class Entry:
    """One cleaned list entry (the shipped record: see :mod:`detector.tortured.phrases`)."""

    tortured: str
    expected: str | None
    alternatives: list[str]
    papers: int
    queries: list[str]
    uncertain: bool
    sources: list[str]
    notes: list[str] = field(default_factory=list)


def _one(expected: str, tortured_words: int) -> str | None:
    text = expected.strip()
    text = _SEE.sub("", text)
    text = re.split(r"\s+AND\s+", text)[0]  # a guard written into it (upper case only: "and" is prose)
    text = _PAREN.sub("", text)
    text = re.sub(r"\s*\?+\s*$", "", text).strip()
    if "," in text:
        head, tail = text.split(",", 1)
        if (re.fullmatch(r"\s*[A-Za-z0-9\-]{1,8}\s*", tail) and any(c.isupper() for c in tail)) or not tail.strip():
            text = head
    if "[" in text:
        dropped = re.sub(r"\s+", " ", _BRACKET.sub("", text)).strip()
        kept = re.sub(r"\s+", " ", _BRACKET.sub(r"\1", text)).replace("...", "").strip()
        text = dropped if len(words_of(dropped)) == tortured_words else re.sub(r"\s+", " ", kept)
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    if not words_of(text) or set(text) <= set("?. "):
        return None
    return text


def clean_expected(expected: list[str], tortured: str) -> tuple[str | None, list[str]]:
    """The expected phrase to suggest and any distinct alternatives (see the module docstring)."""
    n = len(words_of(tortured))
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for raw in expected:
        one = _one(raw, n)
        if one is None:
            continue
        key = words_of(one)
        if key not in seen:
            seen.add(key)
            out.append(one)
    return (out[0], out[1:]) if out else (None, [])


def _inside(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    n = len(part)
    return any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def is_artefact(tortured: str, expected: str | None, alternatives: list[str]) -> bool:
    """An entry whose words are its expected phrase's, or lie inside it: what splitting a PPS
    query left behind, not a tortured phrase.

    >>> is_artefact("support vectors", "support vectors", [])
    True
    >>> is_artefact("neural network", "neural network layer outputs", [])
    True
    >>> is_artefact("profound learning", "deep learning", [])
    False
    """
    words = words_of(tortured)
    return any(_inside(words, words_of(e)) for e in [expected, *alternatives] if e)


def _terms(query) -> list[Term]:
    if isinstance(query, Term):
        return [query]
    assert isinstance(query, Op)
    return _terms(query.left) + _terms(query.right)


def _negated(query) -> list[Term]:
    """The terms a query excludes (right of a NOT)."""
    if isinstance(query, Term):
        return []
    if query.kind == "not":
        return _negated(query.left) + _terms(query.right)
    return _negated(query.left) + _negated(query.right)


def clean_entries(records: list[dict]) -> tuple[list[Entry], list[tuple[str, str]]]:
    """The cleaned entries and what was left out, each with why (records as in the raw JSONL)."""
    entries: list[Entry] = []
    dropped: list[tuple[str, str]] = []
    guard_of: dict[tuple[str, ...], set[str]] = {}  # phrase -> the listed phrases whose guards name it
    negated: set[tuple[str, ...]] = set()  # phrases a query excludes ("paranoid android")
    for r in records:
        for q in r.get("query", []):
            try:
                query = parse(q)
            except QueryError:
                continue
            for term in _terms(query):
                if term.words != words_of(r["tortured"]):
                    guard_of.setdefault(term.words, set()).add(r["tortured"])
            negated |= {t.words for t in _negated(query)}
    for r in records:
        tortured = re.sub(r"\s+", " ", r["tortured"].replace("\\&", "&")).strip()
        if len(words_of(tortured)) < 1:
            dropped.append((r["tortured"], "no words"))
            continue
        expected, alternatives = clean_expected(r.get("expected", []), tortured)
        if is_artefact(tortured, expected, alternatives):
            dropped.append((r["tortured"], f"artefact: its words are inside its expected phrase {expected!r}"))
            continue
        queries, notes = [], []
        for q in r.get("query", []):
            try:
                parse(q)
                queries.append(q)
            except QueryError as err:
                notes.append(f"query not read: {err}")
        owners = guard_of.get(words_of(tortured), set()) - {tortured}
        if not queries and words_of(tortured) in negated:
            dropped.append((r["tortured"], "PPS excludes it in another entry's query (NOT)"))
            continue
        if not queries and owners:
            queries = [f'"{tortured}" AND ({" OR ".join(chr(34) + o + chr(34) for o in sorted(owners))})']
            notes.append("only a guard of other entries in PPS: counted beside them")
        if expected is None:
            notes.append("no expected phrase in the list")
        entries.append(Entry(tortured, expected, alternatives, int(r.get("papers") or 0), queries,
                             bool(r.get("uncertain")), list(r.get("sources", [])), notes))
    return entries, dropped
