"""Thesauri the spinner draws on: WordNet (strict or broad), the phrase table, or a user file.

>>> from detector.lexicon.lexicon import get_lexicon
>>> wordnet = load_thesaurus("wordnet", get_lexicon())
>>> "telephone numbers" in wordnet.alternatives("phone numbers")
True
>>> phrases = load_thesaurus("phrases", get_lexicon())
>>> phrases.alternatives("users")[:2]
['customers', 'consumers']

Every thesaurus answers one question, sense-blind as spinners are: *what could stand in place of
this word or phrase?* Answers come already inflected like the input ("users" -> "customers").
Names: ``wordnet`` (synonyms sharing any sense), ``wordnet-broad`` (plus similar-to, see-also and
hypernym lemmas), ``phrases`` (the shipped phrase table), or a path to a ``.tsv`` file
(``key<TAB>alt|alt``) or a ``.json`` file (``{"key": ["alt", ...]}``). Join names with commas to
pool them: ``wordnet,phrases`` (the default).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from detector.errors import ResourceError
from detector.lexicon.lexicon import Lexicon, prefixes_of
from detector.lexicon.morphology import analyze, analyze_word, inflect

MAX_WORDS = 4
BUILTIN = ("wordnet", "wordnet-broad", "phrases")

# Function words that WordNet lists for unrelated senses ("in" = Indiana, "a" = adenine): left to
# the phrase table, never replaced from WordNet.
STOPWORDS = frozenset(
    """
    a an the and or but nor so yet for of to in on at by with from into onto upon as than then that
    this these those there here it its it's i me my mine we us our ours you your yours he him his
    she her hers they them their theirs who whom whose which what when where why how is are was were
    be been being am do does did done doing have has had having will would shall should can could
    may might must not no yes all any each every some such only own other very too also just up down
    out off over under again further once about above below between through during before after
    since until while if because though although whether one two three ten mr mrs ms dr per via vs
    etc said says say told tell
    """.split()
)


class Thesaurus:
    """A sense-blind source of alternatives for words and phrases of up to ``max_words`` words."""

    name = "thesaurus"
    max_words = MAX_WORDS

    def alternatives(self, phrase: str) -> list[str]:  # pragma: no cover - interface
        """Alternatives for a lower-case word or phrase, inflected like it; [] when none."""
        raise NotImplementedError

    def prefixes(self) -> frozenset[str]:  # pragma: no cover - interface
        """Word-prefixes of the multi-word entries, so that lookups of longer phrases can stop early."""
        raise NotImplementedError

    def may_continue(self, phrase: str, lex: Lexicon) -> bool:
        """Whether some entry longer than ``phrase`` starts with it (its first word may be inflected)."""
        prefixes = self.prefixes()
        if phrase in prefixes:
            return True
        first, _, rest = phrase.partition(" ")
        return any(
            (f"{r.lemma} {rest}" if rest else r.lemma) in prefixes for r in analyze_word(first, lex) if r.pos == "v"
        )


class WordNetThesaurus(Thesaurus):
    """Synonyms from every WordNet sense of every reading of the word (and, broad, near relations)."""

    def __init__(self, lex: Lexicon, broad: bool = False):
        self.lex = lex
        self.broad = broad
        self.name = "wordnet-broad" if broad else "wordnet"

    def prefixes(self) -> frozenset[str]:
        return self.lex.phrase_prefixes

    def alternatives(self, phrase: str) -> list[str]:
        if phrase in STOPWORDS:
            return []
        found: list[str] = []
        for reading in analyze(phrase, self.lex):
            lemmas = self.lex.synonyms(reading.lemma, reading.pos)
            if self.broad:
                lemmas = lemmas + self.lex.related(reading.lemma, reading.pos)
            for lemma in lemmas:
                found.append(inflect(lemma, reading.pos, reading.tag, self.lex))
        return _distinct(found, phrase)


class TableThesaurus(Thesaurus):
    """A table of key -> alternatives; an inflected form finds its lemma's entry and is re-inflected."""

    def __init__(self, name: str, table: dict[str, list[str]], lex: Lexicon):
        self.name = name
        self.lex = lex
        self.table = {key.lower(): alts for key, alts in table.items() if alts}
        self.max_words = max((len(key.split()) for key in self.table), default=1)
        self._prefixes = prefixes_of(self.table)

    def prefixes(self) -> frozenset[str]:
        return self._prefixes

    def alternatives(self, phrase: str) -> list[str]:
        found = list(self.table.get(phrase, ()))
        for reading in analyze(phrase, self.lex):
            if reading.tag != "base" and reading.lemma in self.table:
                found += [inflect(alt, reading.pos, reading.tag, self.lex) for alt in self.table[reading.lemma]]
        if not found and " " in phrase:  # a phrase not in WordNet: try its head words by hand
            words = phrase.split(" ")
            for head in (len(words) - 1, 0):
                for reading in analyze(words[head], self.lex):
                    key = " ".join(words[:head] + [reading.lemma] + words[head + 1 :])
                    if reading.tag != "base" and key in self.table:
                        found += [inflect(alt, reading.pos, reading.tag, self.lex) for alt in self.table[key]]
        return _distinct(found, phrase)


class PooledThesaurus(Thesaurus):
    """Several thesauri asked together; alternatives are pooled in order."""

    def __init__(self, parts: Sequence[Thesaurus]):
        self.parts = list(parts)
        self.name = ",".join(p.name for p in self.parts)
        self.max_words = max(p.max_words for p in self.parts)
        self._prefixes = frozenset().union(*(p.prefixes() for p in self.parts))

    def prefixes(self) -> frozenset[str]:
        return self._prefixes

    def alternatives(self, phrase: str) -> list[str]:
        found: list[str] = []
        for part in self.parts:
            if len(phrase.split(" ")) <= part.max_words:
                found += part.alternatives(phrase)
        return _distinct(found, phrase)


# WordNet's sexual senses of everyday verbs ("know", "have", "bed") would turn a classroom demo
# into something else. Those senses are left out of the lexicon when it is built (see
# resources._wordnet_tables); this list is the second guard, for user thesauri and the broad one.
_BLOCKED = frozenset(
    """
    intercourse sex sexual fuck screw hump shag bonk fornicate copulate bang eff nookie love bed lie
    sleep
    """.split()
)


def _distinct(found: list[str], phrase: str) -> list[str]:
    seen = {phrase}
    out = []
    for alt in found:
        key = alt.lower()
        if key in seen or not alt.strip() or any(c.isdigit() or c == "_" for c in alt):
            continue
        if not _BLOCKED.isdisjoint(key.split()) and _BLOCKED.isdisjoint(phrase.split()):
            continue
        seen.add(key)
        out.append(alt)
    return out


def read_table(path: Path) -> dict[str, list[str]]:
    """Read a thesaurus file: TSV (``key<TAB>alt|alt``, ``#`` comments) or JSON (``{key: [alts]}``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ResourceError(f"cannot read thesaurus {path}: {err}") from err
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as err:
            raise ResourceError(f"thesaurus {path} is not valid JSON: {err}") from err
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(a, str) for a in v)
            for k, v in data.items()
        ):
            raise ResourceError(f'thesaurus {path} must be a JSON object {{"word": ["alternative", ...]}}')
        return {k.strip().lower(): [a.strip() for a in v] for k, v in data.items()}
    table: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, tab, alts = line.partition("\t")
        if not tab or not key.strip():
            raise ResourceError(f"thesaurus {path} line {number}: expected 'word<TAB>alternative|alternative'")
        table.setdefault(key.strip().lower(), []).extend(a.strip() for a in alts.split("|") if a.strip())
    return table


def builtin_table_path(name: str) -> Path:
    return Path(str(resources.files("detector") / "data" / "thesauri" / f"{name}.tsv"))


def load_thesaurus(spec: str, lex: Lexicon) -> Thesaurus:
    """A thesaurus by name (see the module docstring), or several joined by commas."""
    names = [s.strip() for s in spec.split(",") if s.strip()]
    if not names:
        raise ResourceError("no thesaurus named; use wordnet, wordnet-broad, phrases or a file path")
    parts: list[Thesaurus] = []
    for name in names:
        if name in ("wordnet", "wordnet-broad"):
            parts.append(WordNetThesaurus(lex, broad=name == "wordnet-broad"))
        elif name == "phrases":
            parts.append(TableThesaurus(name, read_table(builtin_table_path(name)), lex))
        else:
            path = Path(name)
            if not path.is_file():
                raise ResourceError(
                    f"unknown thesaurus {name!r}: use {', '.join(BUILTIN)} or the path of a .tsv/.json file"
                )
            parts.append(TableThesaurus(path.stem, read_table(path), lex))
    return parts[0] if len(parts) == 1 else PooledThesaurus(parts)
