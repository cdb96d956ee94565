"""The lexicon: word frequencies, bigram counts and WordNet synonyms, as fast lookups.

>>> lex = get_lexicon()
>>> lex.zipf("phone") > lex.zipf("telephone") > 3
True
>>> lex.bigram("phone", "number") > lex.bigram("telephone", "quantity")
True
>>> "telephone number" in lex.synonyms("phone number", "n")
True

The tables come from :mod:`detector.lexicon.resources` (built once, cached on disk). Frequencies are on
wordfreq's Zipf scale: log10 of occurrences per billion words, 0 for an unknown word, about 7 for
"the". All lookups take lower-cased keys; multi-word entries are joined by single spaces.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from detector.lexicon.resources import load_tables

POS = ("n", "v", "a", "r")


class Lexicon:
    """Read-only lookups over the cached tables. Build with :func:`get_lexicon`."""

    def __init__(self, tables: dict[str, Any]):
        self._syn: dict[str, dict[str, str]] = tables["synonyms"]
        self._rel: dict[str, dict[str, str]] = tables["related"]
        self._exc: dict[str, dict[str, str]] = tables["exceptions"]
        self._zipf: dict[str, int] = tables["zipf"]
        self._bigrams: dict[str, int] = tables["bigrams"]
        self._lemma_lists: dict[str, list[str]] = tables["lemmas"]
        self.versions: dict[str, Any] = dict(tables["versions"])

    @functools.cached_property
    def _lemmas(self) -> dict[str, frozenset[str]]:
        return {pos: frozenset(words) for pos, words in self._lemma_lists.items()}

    # -- frequencies -------------------------------------------------------------------------
    @property
    def frequency_table(self) -> dict[str, int]:
        """Every listed word -> 100 x its Zipf frequency (read-only by convention)."""
        return self._zipf

    @property
    def bigram_table(self) -> dict[str, int]:
        """Every listed bigram ("first second") -> its count (read-only by convention)."""
        return self._bigrams

    def zipf(self, word: str) -> float:
        """Zipf frequency of a word or phrase (a phrase, or a hyphenated word missing from the list,
        combines its parts like wordfreq does)."""
        value = self._zipf.get(word)
        if value is not None:
            return value / 100
        parts = word.replace("-", " ").split()
        if len(parts) < 2:
            return 0.0
        inverse = 0.0
        for part in parts:
            z = self._zipf.get(part)
            if z is None:
                return 0.0
            inverse += 10 ** (-(z / 100))
        return round(-math.log10(inverse), 2)

    def bigram(self, first: str, second: str) -> int:
        """How often ``first second`` occurs in the bigram list (0 when it is not listed)."""
        return self._bigrams.get(f"{first} {second}", 0)

    # -- WordNet -----------------------------------------------------------------------------
    def lemmas(self, pos: str) -> list[str]:
        """Every WordNet lemma of a part of speech (``n``, ``v``, ``a``, ``r``), multi-word ones included."""
        return self._lemma_lists[pos]

    def is_lemma(self, word: str, pos: str) -> bool:
        return word in self._lemmas[pos]

    def synonyms(self, lemma: str, pos: str) -> list[str]:
        """Lemmas sharing any sense with ``lemma`` (sense-blind, in WordNet's sense order)."""
        joined = self._syn[pos].get(lemma)
        return joined.split("|") if joined else []

    def related(self, lemma: str, pos: str) -> list[str]:
        """Looser neighbours: similar-to, see-also, verb-group and hypernym lemmas."""
        joined = self._rel[pos].get(lemma)
        return joined.split("|") if joined else []

    def exception_lemmas(self, form: str, pos: str) -> list[str]:
        """Lemmas of an irregular form from WordNet's exception lists (``went`` -> ``go``)."""
        joined = self._exc[pos].get(form)
        return joined.split("|") if joined else []

    @functools.cached_property
    def phrase_prefixes(self) -> frozenset[str]:
        """Every proper word-prefix of a multi-word lemma ("phone" of "phone number")."""
        return prefixes_of(w for words in self._lemma_lists.values() for w in words if " " in w)

    @functools.cached_property
    def irregular_forms(self) -> dict[tuple[str, str], list[str]]:
        """(lemma, pos) -> its irregular forms, most frequent first (``("go", "v")`` -> went, gone)."""
        forms: dict[tuple[str, str], list[str]] = {}
        for pos, table in self._exc.items():
            for form, joined in table.items():
                for lemma in joined.split("|"):
                    if lemma != form:
                        forms.setdefault((lemma, pos), []).append(form)
        for value in forms.values():
            value.sort(key=lambda f: -self.zipf(f))
        return forms


def prefixes_of(phrases) -> frozenset[str]:
    """All proper word-prefixes of the given phrases: "a b c" gives "a" and "a b"."""
    found = set()
    for phrase in phrases:
        words = phrase.split(" ")
        for k in range(1, len(words)):
            found.add(" ".join(words[:k]))
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The process-wide lexicon (loaded from the cache on first use, about 0.3 s)."""
    return Lexicon(load_tables())
