"""English inflection: split a word form into lemma + tag, and inflect a lemma back.

>>> from detector.lexicon.lexicon import get_lexicon
>>> lex = get_lexicon()
>>> ("user", "n", "plural") in analyze("users", lex)
True
>>> inflect("customer", "n", "plural", lex), inflect("telephone number", "n", "plural", lex)
('customers', 'telephone numbers')
>>> inflect("inspire", "v", "past", lex), inflect("stop", "v", "ing", lex), inflect("tell", "v", "past", lex)
('inspired', 'stopping', 'told')

Analysis follows WordNet's *morphy* (suffix rules plus the exception lists, a candidate counts
only when it is a WordNet lemma of that part of speech). Inflection builds candidates by rule and,
where spelling is ambiguous (stopped/stoped, heroes/heros), keeps the one wordfreq knows best.
Multi-word lemmas inflect their head: the last word of a noun, the first word of a verb.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from detector.lexicon.lexicon import Lexicon

TAGS = ("base", "plural", "3sg", "past", "ing", "comparative", "superlative")

# (suffix, replacement, tag) per part of speech, as in WordNet's morphy, with tags added.
_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "n": (("s", "", "plural"), ("ses", "s", "plural"), ("xes", "x", "plural"), ("zes", "z", "plural"),
          ("ches", "ch", "plural"), ("shes", "sh", "plural"), ("men", "man", "plural"),
          ("ies", "y", "plural")),
    "v": (("s", "", "3sg"), ("ies", "y", "3sg"), ("es", "e", "3sg"), ("es", "", "3sg"),
          ("ed", "e", "past"), ("ed", "", "past"), ("ing", "e", "ing"), ("ing", "", "ing")),
    "a": (("er", "", "comparative"), ("est", "", "superlative"), ("er", "e", "comparative"),
          ("est", "e", "superlative"), ("ier", "y", "comparative"), ("iest", "y", "superlative")),
    "r": (),
}
_VOWELS = set("aeiou")


class Analysis(NamedTuple):
    lemma: str
    pos: str
    tag: str


def _exception_tag(form: str, pos: str) -> str:
    if pos == "n":
        return "plural"
    if pos == "v":
        return "ing" if form.endswith("ing") else "past"
    if pos == "a":
        return "superlative" if form.endswith("st") else "comparative"
    return "base"


def _undouble(stem: str) -> str | None:
    """'stopp' -> 'stop' (the doubled consonant of stopped/stopping), else None."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        return stem[:-1]
    return None


@functools.lru_cache(maxsize=262_144)
def analyze_word(word: str, lex: Lexicon) -> tuple[Analysis, ...]:
    """All (lemma, pos, tag) readings of one lower-case word, base readings first (memoised)."""
    found: list[Analysis] = []
    for pos in ("n", "v", "a", "r"):
        if lex.is_lemma(word, pos):
            found.append(Analysis(word, pos, "base"))
        for lemma in lex.exception_lemmas(word, pos):
            if lemma != word:
                found.append(Analysis(lemma, pos, _exception_tag(word, pos)))
        for suffix, repl, tag in _RULES[pos]:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                stem = word[: -len(suffix)]
                for lemma in (stem + repl, _undouble(stem) if not repl else None):
                    if lemma and lex.is_lemma(lemma, pos):
                        found.append(Analysis(lemma, pos, tag))
    return tuple(dict.fromkeys(found))


def analyze(phrase: str, lex: Lexicon) -> list[Analysis]:
    """Readings of a word or multi-word phrase (a phrase inflects on its head word)."""
    if " " not in phrase:
        return list(analyze_word(phrase, lex))
    words = phrase.split(" ")
    found: list[Analysis] = []
    for pos in ("n", "v", "a", "r"):
        if lex.is_lemma(phrase, pos):
            found.append(Analysis(phrase, pos, "base"))
    for reading in analyze_word(words[-1], lex):
        if reading.pos == "n" and reading.tag != "base":
            lemma = " ".join(words[:-1] + [reading.lemma])
            if lex.is_lemma(lemma, "n"):
                found.append(Analysis(lemma, "n", reading.tag))
    for reading in analyze_word(words[0], lex):
        if reading.pos == "v" and reading.tag != "base":
            lemma = " ".join([reading.lemma] + words[1:])
            if lex.is_lemma(lemma, "v"):
                found.append(Analysis(lemma, "v", reading.tag))
    return list(dict.fromkeys(found))


def _doubles(word: str) -> bool:
    """Whether a final consonant may double before -ed/-ing/-er (stop, plan, big)."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS | set("wxy")
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _candidates(word: str, tag: str) -> list[str]:
    if tag in ("plural", "3sg"):
        if word.endswith(("s", "x", "z", "ch", "sh")):
            return [word + "es"]
        if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
            return [word[:-1] + "ies"]
        if word.endswith("o") and len(word) > 1 and word[-2] not in _VOWELS:
            return [word + "s", word + "es"]
        return [word + "s"]
    suffix = {"past": "ed", "ing": "ing", "comparative": "er", "superlative": "est"}[tag]
    if tag != "ing" and word.endswith("e"):
        return [word + suffix[1:]]
    if tag == "ing" and word.endswith("ie"):
        return [word[:-2] + "ying"]
    if tag == "ing" and word.endswith("e") and not word.endswith(("ee", "oe", "ye")):
        return [word[:-1] + "ing"]
    if tag != "ing" and word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return [word[:-1] + "i" + suffix]
    plain = [word + suffix]
    return plain + [word + word[-1] + suffix] if _doubles(word) else plain


def _irregular(word: str, pos: str, tag: str, lex: Lexicon) -> str | None:
    for form in lex.irregular_forms.get((word, pos), ()):
        if _exception_tag(form, pos) == tag and not (pos == "v" and tag == "past" and form.endswith("s")):
            return form
    return None


def inflect_word(word: str, pos: str, tag: str, lex: Lexicon) -> str:
    """Inflect one lemma word; adjectives without a known -er/-est form take more/most."""
    if tag == "base":
        return word
    irregular = _irregular(word, pos, tag, lex)
    if irregular:
        return irregular
    candidates = _candidates(word, tag)
    best = max(candidates, key=lex.zipf)
    if tag in ("comparative", "superlative") and lex.zipf(best) < 1.5:
        return ("more " if tag == "comparative" else "most ") + word
    return best


def inflect(lemma: str, pos: str, tag: str, lex: Lexicon) -> str:
    """Inflect a lemma or multi-word lemma for ``tag`` (the head word takes the ending)."""
    if tag == "base":
        return lemma
    words = lemma.split(" ")
    head = 0 if pos == "v" else len(words) - 1
    words[head] = inflect_word(words[head], pos, tag, lex)
    return " ".join(words)
