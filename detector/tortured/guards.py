"""The Problematic Paper Screener's context guards: when a listed phrase counts.

>>> from detector.tortured.match import Document, words_of
>>> query = parse('"profound learning" AND ("deep learning" OR "neural network") NOT "profound learning curve"')
>>> doc = Document("Profound learning is a kind of deep learning.")
>>> query.holds(doc, (0, 1), words_of("profound learning"))
True
>>> query.holds(Document("Profound learning is hard."), (0, 1), words_of("profound learning"))
False
>>> query.holds(Document("Deep learning has a profound learning curve."), (4, 5), words_of("profound learning"))
False

A PPS query is quoted phrases (or bare words) joined by ``AND``, ``OR`` and ``NOT`` (``A NOT B``
is A and not B), with parentheses, and ``"a b"~N`` for words at most N words apart. The query of a
listed phrase names the phrase itself; the rest is its *guard* ("profound learning" only counts
where "deep learning" is also in the paper). :meth:`Query.holds` asks it of one occurrence: the
phrase's own term is true there; a term that contains the phrase ("profound learning curve")
is asked of that occurrence only, so a ``NOT`` of a longer phrase removes the occurrences inside
it and keeps the others; any other term is asked of the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detector.tortured.match import Document, words_of

_TOKEN = re.compile(r'\s*(?:"(?P<phrase>[^"]*)"(?:~(?P<slop>\d+))?|(?P<paren>[()])|(?P<word>[^\s()"]+))')


class QueryError(ValueError):
    """A query that does not parse."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    slop: int = 0
    text: str = ""

    def holds(self, doc: Document, at: tuple[int, int], phrase: tuple[str, ...]) -> bool:
        if self.words == phrase:
            return True
        if _contains(self.words, phrase):  # asked of this occurrence only
            return any(a <= at[0] and at[1] <= b for a, b in doc.occurrences(self.words, self.slop))
        return doc.contains(self.words, self.slop)

    def describe(self) -> str:
        return f'"{self.text}"' + (f"~{self.slop}" if self.slop else "")


@dataclass(frozen=True)
class Op:
    kind: str  # "and", "or", "not" (left and not right)
    left: Query
    right: Query

    def holds(self, doc: Document, at: tuple[int, int], phrase: tuple[str, ...]) -> bool:
        if self.kind == "or":
            return self.left.holds(doc, at, phrase) or self.right.holds(doc, at, phrase)
        if not self.left.holds(doc, at, phrase):
            return False
        found = self.right.holds(doc, at, phrase)
        return found if self.kind == "and" else not found

    def describe(self) -> str:
        word = {"and": "AND", "or": "OR", "not": "NOT"}[self.kind]
        return f"{_wrap(self.left)} {word} {_wrap(self.right)}"


Query = Term | Op


def _wrap(q: Query) -> str:
    return f"({q.describe()})" if isinstance(q, Op) and q.kind == "or" else q.describe()


def _contains(longer: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return len(longer) > n and any(longer[i : i + n] == part for i in range(len(longer) - n + 1))


def parse(query: str) -> Query:
    """Parse one PPS query (raises :class:`QueryError` when it does not parse).

    >>> parse('"Chime labs" NOT "CHIMe labs Stanford"~5').describe()
    '"chime labs" NOT "chime labs stanford"~5'
    >>> parse('"spotlight map" AND CNN').describe()
    '"spotlight map" AND "cnn"'
    """
    tokens = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QueryError(f"cannot read the query at {query[pos:]!r}")
        pos = m.end()
        if m.group("phrase") is not None:
            tokens.append(("term", m.group("phrase"), int(m.group("slop") or 0)))
        elif m.group("paren"):
            tokens.append((m.group("paren"), None, 0))
        elif m.group("word") in ("AND", "OR", "NOT"):
            tokens.append((m.group("word").lower(), None, 0))
        elif m.group("word"):
            tokens.append(("term", m.group("word"), 0))
    parser = _Parser(tokens)
    out = parser.expression()
    if parser.i != len(tokens):
        raise QueryError(f"unexpected {tokens[parser.i][0]!r} in {query!r}")
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str | None, int]]):
        self.tokens, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def expression(self) -> Query:
        left = self.conjunction()
        while self.peek() == "or":
            self.i += 1
            left = Op("or", left, self.conjunction())
        return left

    def conjunction(self) -> Query:
        left = self.unary()
        while self.peek() in ("and", "not", "term", "("):  # a bare juxtaposition reads as AND
            kind = self.peek()
            if kind in ("and", "not"):
                self.i += 1
            left = Op("not" if kind == "not" else "and", left, self.unary())
        return left

    def unary(self) -> Query:
        kind = self.peek()
        if kind == "(":
            self.i += 1
            inner = self.expression()
            if self.peek() != ")":
                raise QueryError("a parenthesis is not closed")
            self.i += 1
            return inner
        if kind == "term":
            _, text, slop = self.tokens[self.i]
            self.i += 1
            words = words_of(text or "")
            if not words:
                raise QueryError(f"an empty term: {text!r}")
            return Term(words, slop, " ".join(m.lower() for m in (text or "").split()))
        raise QueryError(f"expected a phrase, found {kind!r}")


def satisfying_context(query: Query, phrase: tuple[str, ...]) -> list[str]:
    """Phrases that, put in a text beside the listed phrase, make ``query`` hold (the first way
    round of each OR; nothing for a NOT): what a test or benchmark adds to satisfy a guard.

    >>> satisfying_context(parse('"profound learning" AND ("deep learning" OR CNN)'), words_of("profound learning"))
    ['deep learning']
    """
    if isinstance(query, Term):
        return [] if query.words == phrase or _contains(query.words, phrase) else [query.text]
    if query.kind == "or":
        return satisfying_context(query.left, phrase)
    if query.kind == "not":
        return satisfying_context(query.left, phrase)
    return satisfying_context(query.left, phrase) + satisfying_context(query.right, phrase)
