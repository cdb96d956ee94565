"""Finding listed phrases in text whatever their case, inflection, hyphenation or line breaks.

>>> matcher = PhraseMatcher(["counterfeit consciousness", "irregular woodland"])
>>> text = "We train an Irregular-Woodlands model and counter-\\nfeit consciousness."
>>> [(m.key, text[m.start:m.end]) for m in matcher.find(text)]  # doctest: +NORMALIZE_WHITESPACE
[(1, 'Irregular-Woodlands'), (0, 'counter-\\nfeit consciousness')]

Words are compared by a light *fold* (:func:`fold`): lower case, ligatures and apostrophes
unified, and plural and third-person endings cut (``woodlands`` and ``extricates`` fold like ``woodland``
and ``extricate``), so one listed form finds its plural, its tenses and its
capitalised or hyphenated forms. Between the words of a phrase the text may have spaces, line
breaks or one hyphen; a word broken across a line by a hyphen (``counter-`` / ``feit``) is read
both ways, as two words and as one. Punctuation other than a hyphen breaks a phrase.

:class:`Document` holds a text's folded words once, for the phrase search and for the context
guards of :mod:`detector.tortured.guards` (which ask whether a phrase occurs anywhere, or near).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# letters or digits with inner apostrophes or dots ("china's", "0.33", "b2"), numbers with thousands
# ("10,000"); "-" and "/" split words
WORD = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|[^\W_]+(?:['\u2019.][^\W_]+)*")
_GAP_OK = re.compile(r"\s*[-\u2010\u2011\u00ad]?\s*")  # what may stand between two words of a phrase
_GAP_DROP = re.compile(r"[\s\-\u2010\u2011\u00ad]+")  # ... and is no difference between two gaps
MAX_GAP = 3  # punctuation characters a gap inside a phrase may hold ("accuracy, precision", "glycol (stake)")
_BROKEN = re.compile(r"[-\u2010\u2011\u00ad]\s*\n\s*")  # a hyphen at the end of a line
_VOWELS = set("aeiouy")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """The form words are compared in: lower case, NFKC (ligatures: "ﬁ" -> "fi"), apostrophes
    unified, and the inflectional ending cut.

    >>> [fold(w) for w in ("Woodlands", "woodland", "extricates", "extricate", "extricated", "routing", "route")]
    ['woodland', 'woodland', 'extricat', 'extricat', 'extricated', 'routing', 'rout']
    >>> [fold(w) for w in ("studies", "study", "analysis", "class", "classes", "ﬁeld")]
    ['study', 'study', 'analysis', 'class', 'class', 'field']

    Plurals and the third person fold together; "-ing" and "-ed" forms stay apart ("studying
    route" is listed, "study routing" is not it), the list carries those forms itself.
    """
    w = unicodedata.normalize("NFKC", word).lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    for suffix in ("sses", "ches", "shes", "xes", "zes"):
        if w.endswith(suffix):
            return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("e") and len(w) > 4 and w[-2] not in _VOWELS:
        w = w[:-1]
    return w


def words_of(phrase: str) -> tuple[str, ...]:
    """The folded words of a phrase (hyphens and slashes split words).

    >>> words_of("10-Fold Cross-Validations")
    ('10', 'fold', 'cross', 'validation')
    """
    return tuple(fold(m.group()) for m in WORD.finditer(phrase))


@dataclass(frozen=True)
class Match:
    """One occurrence of listed phrase ``key`` at ``text[start:end]``; ``words`` are the word
    positions it covers in its :class:`Document`."""

    key: int
    start: int
    end: int
    first: int
    last: int


def gap_of(between: str) -> str | None:
    """What a gap between two words amounts to: its punctuation (None if it holds too much).

    >>> gap_of(" "), gap_of("-\\n"), gap_of(", "), gap_of(" ("), gap_of(". Then ")
    ('', '', ',', '(', None)
    """
    out = _GAP_DROP.sub("", between)
    return out if len(out) <= MAX_GAP and not any(c.isalnum() for c in out) else None


def phrase_key(phrase: str) -> tuple[str, ...]:
    """A phrase as the matcher looks it up: folded words with the punctuation between them.

    >>> phrase_key("Accuracy, precision and recall")
    ('accuracy', ',', 'precision', '', 'and', '', 'recall')
    >>> phrase_key("glycol (stake)")
    ('glycol', '(', 'stak')
    """
    found = list(WORD.finditer(phrase))
    out: list[str] = []
    for i, m in enumerate(found):
        if i:
            out.append(gap_of(phrase[found[i - 1].end() : m.start()]) or "")
        out.append(fold(m.group()))
    return tuple(out)


class Document:
    """A text's words (folded) with their offsets, and which neighbours a line-break hyphen joins."""

    def __init__(self, text: str):
        self.text = text
        found = list(WORD.finditer(text))
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]
        self.raw = [m.group() for m in found]
        self.words = [fold(w) for w in self.raw]
        n = len(found)
        # gaps[i]: the punctuation between word i and word i+1 (spaces, line breaks and hyphens
        # dropped: "" for a plain gap), None when too long to be inside a phrase; links[i]: plain
        self.gaps = [gap_of(text[self.ends[i] : self.starts[i + 1]]) for i in range(n - 1)]
        self.links = [g == "" for g in self.gaps]
        self.broken = {i for i in range(n - 1) if _BROKEN.fullmatch(text[self.ends[i] : self.starts[i + 1]])}
        self._index: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.words)

    def readings(self, i: int) -> list[tuple[str, int]]:
        """The folded word that starts at position ``i`` and the position after it: the word itself,
        and also the word joined with the next when a hyphen at a line end splits them."""
        out = [(self.words[i], i + 1)]
        if i in self.broken:
            out.append((fold(self.raw[i] + self.raw[i + 1]), i + 2))
        return out

    @property
    def index(self) -> dict[str, list[int]]:
        """Positions of each folded word (built on first use)."""
        if self._index is None:
            index: dict[str, list[int]] = {}
            for i, w in enumerate(self.words):
                index.setdefault(w, []).append(i)
            self._index = index
        return self._index

    def occurrences(self, phrase: Sequence[str], slop: int = 0) -> list[tuple[int, int]]:
        """(first, last) word positions where ``phrase`` (folded words) occurs: adjacent words, or
        with ``slop`` other words between them in all (a proximity query, ``"a b"~5``)."""
        if not phrase:
            return []
        out = []
        for i in self.index.get(phrase[0], []):
            end = self._follow(phrase, 1, i, slop)
            if end is not None:
                out.append((i, end))
        if not slop:  # a first word split across a line break
            for i in self.broken:
                if fold(self.raw[i] + self.raw[i + 1]) == phrase[0]:
                    end = self._follow(phrase, 1, i + 1, 0)
                    if end is not None:
                        out.append((i, end))
        return out

    def _follow(self, phrase: Sequence[str], k: int, at: int, slop: int) -> int | None:
        if k == len(phrase):
            return at
        if slop:
            for j in range(at + 1, min(at + 2 + slop, len(self.words))):
                if self.words[j] == phrase[k]:
                    found = self._follow(phrase, k + 1, j, slop - (j - at - 1))
                    if found is not None:
                        return found
            return None
        if at + 1 >= len(self.words) or not self.links[at]:
            return None
        for word, after in self.readings(at + 1):
            if word == phrase[k]:
                return self._follow(phrase, k + 1, after - 1, 0)
        return None

    def contains(self, phrase: Sequence[str], slop: int = 0) -> bool:
        return bool(self.occurrences(phrase, slop))


class PhraseMatcher:
    """Every occurrence of a list of phrases in a text, longest first where they overlap."""

    def __init__(self, phrases: Iterable[str]):
        self.keys: dict[tuple[str, ...], int] = {}  # phrase_key -> index of the phrase
        self.firsts: dict[str, int] = {}  # first word -> the longest phrase starting with it (in words)
        for key, phrase in enumerate(phrases):
            words = phrase_key(phrase)
            if not words:
                continue
            self.keys.setdefault(words, key)
            self.firsts[words[0]] = max(self.firsts.get(words[0], 0), (len(words) + 1) // 2)

    def find(self, text: str | Document) -> list[Match]:
        """Matches in text order; a word belongs to one match at most (the longest, then the first)."""
        doc = text if isinstance(text, Document) else Document(text)
        found: list[Match] = []
        n = len(doc)
        for i in range(n):
            for first, after in doc.readings(i):
                longest = self.firsts.get(first)
                if longest is None:
                    continue
                self._walk(doc, (first,), after - 1, longest, i, found)
        kept: list[Match] = []
        for m in sorted(found, key=lambda m: (-(m.last - m.first), m.first)):
            if all(m.last < k.first or m.first > k.last for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.first)

    def _walk(self, doc: Document, words: tuple[str, ...], last: int, longest: int, first: int,
              found: list[Match]) -> None:
        key = self.keys.get(words)
        if key is not None:
            found.append(Match(key, doc.starts[first], doc.ends[last], first, last))
        if (len(words) + 1) // 2 >= longest or last + 1 >= len(doc) or doc.gaps[last] is None:
            return
        for word, after in doc.readings(last + 1):
            self._walk(doc, (*words, doc.gaps[last], word), after - 1, longest, first, found)
