"""The content spinner: rewrite English text the way synonym-substitution spinners do.

>>> result = spin("Users can find the phone number online.", rate=1.0, seed=3, thesaurus="phrases")
>>> result.text
'Persons can discover the telephone variety on-line.'
>>> [(s.original, s.replacement) for s in result.substitutions][:3]
[('Users', 'Persons'), ('find', 'discover'), ('phone', 'telephone')]
>>> all(result.text[s.start:s.end] == s.replacement for s in result.substitutions)
True

Spinners pick words and phrases at random and swap each for any thesaurus alternative, blind to
sense: "phone number" -> "telephone quantity", "such as" -> "reminiscent of". This one does the
same with a seeded random generator, so a seed always gives the same text, and records every
substitution with offsets into both texts: the ground truth that trains and measures the detector.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from detector.lexicon.lexicon import Lexicon, get_lexicon
from detector.lexicon.thesaurus import Thesaurus, load_thesaurus
from detector.text.tokenize import Token, tokenize


@dataclass(frozen=True)
class SpinConfig:
    """How to spin. Every field has a documented default; the object is immutable.

    rate: share of the text's words to replace (0-1); a multi-word phrase counts its words.
    seed: seed of the random generator; the same seed and text give the same output.
    thesaurus: ``wordnet``, ``wordnet-broad``, ``phrases``, a file path, or several joined by commas.
    match_case: carry the original's capitalisation over ("Users" -> "Customers"). Naive spinners
        do not: set False to paste the thesaurus entry as it is ("Users" -> "customers").
    inflect: carry the original's inflection over ("users" -> "customers"). False pastes the
        lemma ("users" -> "customer"), as the crudest spinners do.
    min_zipf: skip alternatives rarer than this wordfreq Zipf frequency (0 keeps every one).
    max_words: longest phrase, in words, the spinner will look up.
    """

    rate: float = 0.2
    seed: int = 0
    thesaurus: str = "wordnet,phrases"
    match_case: bool = True
    inflect: bool = True
    min_zipf: float = 2.0
    max_words: int = 4

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {self.rate}")
        if self.max_words < 1:
            raise ValueError(f"max_words must be at least 1, got {self.max_words}")


@dataclass(frozen=True)
class Substitution:
    """One replacement: ``spun_text[start:end] == replacement`` and
    ``original_text[original_start:original_end] == original``."""

    start: int
    end: int
    replacement: str
    original: str
    original_start: int
    original_end: int
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["alternatives"] = list(self.alternatives)
        return data


@dataclass(frozen=True)
class SpinResult:
    """The spun text, the text it came from, and every substitution made."""

    text: str
    original: str
    substitutions: tuple[Substitution, ...]
    config: SpinConfig = field(default_factory=SpinConfig)

    @property
    def words(self) -> int:
        return sum(1 for t in tokenize(self.original) if t.kind == "word")

    def to_dict(self) -> dict:
        """The JSON contract: ``{"text", "substitutions": [{"start", "end", "replacement", "original", ...}]}``."""
        return {
            "text": self.text,
            "substitutions": [s.to_dict() for s in self.substitutions],
            "config": asdict(self.config),
        }

    def to_spintax(self) -> str:
        """The original text with each substituted site as ``{original|replacement|other...}``."""
        parts, pos = [], 0
        for sub in self.substitutions:
            seen = {sub.original.lower(), sub.replacement.lower()}
            others = [carry_case(sub.original, a) for a in sub.alternatives if a.lower() not in seen]
            choices = [sub.original, sub.replacement] + others
            parts += [_escape_spintax(self.original[pos : sub.original_start]),
                      "{" + "|".join(_escape_spintax(c) for c in choices) + "}"]
            pos = sub.original_end
        parts.append(_escape_spintax(self.original[pos:]))
        return "".join(parts)


def _escape_spintax(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("|", "\\|")


def expand_spintax(spintax: str, choose: int | None = 0, seed: int = 0) -> str:
    """Expand spintax: ``choose=0`` takes every first option (the original), ``None`` picks at random.

    >>> expand_spintax("{phone|telephone} {number|quantity}", choose=1)
    'telephone quantity'
    """
    rng = random.Random(seed)
    out: list[str] = []
    options: list[list[str]] | None = None
    i = 0
    while i < len(spintax):
        c = spintax[i]
        if c == "\\" and i + 1 < len(spintax):
            (options[-1] if options is not None else out).append(spintax[i + 1])
            i += 2
            continue
        if c == "{" and options is None:
            options = [[]]
        elif c == "|" and options is not None:
            options.append([])
        elif c == "}" and options is not None:
            texts = ["".join(o) for o in options]
            pick = rng.randrange(len(texts)) if choose is None else min(choose, len(texts) - 1)
            out.append(texts[pick])
            options = None
        else:
            (options[-1] if options is not None else out).append(c)
        i += 1
    if options is not None:
        raise ValueError("unclosed '{' in spintax")
    return "".join(out)


# ------------------------------------------------------------------------------------ the spinner


def _runs(tokens: list[Token], text: str, first: int, max_words: int) -> Iterator[int]:
    """End indices of the runs of spinnable words from ``first`` joined by single spaces."""
    end = first + 1
    yield end
    while end < len(tokens) and end - first < max_words:
        nxt = tokens[end]
        if not _spinnable(nxt) or text[tokens[end - 1].end : nxt.start] != " ":
            return
        end += 1
        yield end


def _spinnable(tok: Token) -> bool:
    if tok.kind != "word" or not tok.text.isascii():
        return False
    letters = tok.text.replace("-", "").replace("'", "").replace(".", "")
    # Acronyms (AI, U.S., NATO) are names, not words a thesaurus should touch.
    return letters.isalpha() and not (tok.text.isupper() and len(letters) <= 5)


def carry_case(original: str, replacement: str) -> str:
    """Give ``replacement`` the capitalisation pattern of ``original`` (UPPER, Title, Each Word)."""
    words = original.split()
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in replacement.split(" "))
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Spinner:
    """Spins texts with one configuration; reuse it to spin many texts (the thesaurus loads once).

    >>> Spinner(SpinConfig(rate=0.0)).spin("Nothing changes at rate zero.").substitutions
    ()
    """

    def __init__(self, config: SpinConfig | None = None, lexicon: Lexicon | None = None,
                 thesaurus: Thesaurus | None = None):
        self.config = config or SpinConfig()
        self.lex = lexicon or get_lexicon()
        self.thesaurus = thesaurus or load_thesaurus(self.config.thesaurus, self.lex)
        self._cache: dict[str, list[str]] = {}

    def _alternatives(self, phrase: str) -> list[str]:
        alts = self._cache.get(phrase)
        if alts is None:
            cfg = self.config
            alts = [
                a for a in self.thesaurus.alternatives(phrase)
                if cfg.min_zipf <= 0 or self.lex.zipf(a.lower()) >= cfg.min_zipf
            ]
            self._cache[phrase] = alts
        return alts

    def candidates(self, text: str, tokens: list[Token] | None = None) -> list[tuple[int, int, list[str]]]:
        """Every site the thesaurus can replace: (first token, end token, alternatives)."""
        tokens = tokenize(text) if tokens is None else tokens
        sites = []
        limit = min(self.config.max_words, self.thesaurus.max_words)
        for first, token in enumerate(tokens):
            if not _spinnable(token):
                continue
            phrase = token.norm
            for end in _runs(tokens, text, first, limit):
                if end > first + 1:
                    phrase += " " + tokens[end - 1].norm
                alts = self._alternatives(phrase)
                if alts:
                    sites.append((first, end, alts))
                if not self.thesaurus.may_continue(phrase, self.lex):
                    break
        return sites

    def spin(self, text: str, seed: int | None = None) -> SpinResult:
        """Spin ``text``; ``seed`` overrides the configured seed for this call."""
        cfg = self.config
        rng = random.Random(cfg.seed if seed is None else seed)
        tokens = tokenize(text)
        sites = self.candidates(text, tokens)
        budget = round(cfg.rate * sum(1 for t in tokens if t.kind == "word"))
        rng.shuffle(sites)
        taken = [False] * len(tokens)
        chosen: list[tuple[int, int, str, list[str]]] = []
        replaced = 0
        for first, end, alts in sites:
            if replaced >= budget:
                break
            if any(taken[first:end]) or replaced + (end - first) > budget + (end - first) // 2:
                continue
            for k in range(first, end):
                taken[k] = True
            chosen.append((first, end, rng.choice(alts), alts))
            replaced += end - first
        chosen.sort()
        return self._apply(text, tokens, chosen)

    def _apply(self, text: str, tokens: list[Token], chosen: list[tuple[int, int, str, list[str]]]) -> SpinResult:
        out: list[str] = []
        subs: list[Substitution] = []
        pos = length = 0
        for first, end, alt, alts in chosen:
            start, stop = tokens[first].start, tokens[end - 1].end
            original = text[start:stop]
            replacement = alt
            if not self.config.inflect:
                replacement = _lemma_form(alt, original, self.lex)
            if self.config.match_case:
                replacement = carry_case(original, replacement)
            gap = text[pos:start]
            out += [gap, replacement]
            length += len(gap)
            subs.append(Substitution(length, length + len(replacement), replacement, original, start, stop,
                                     tuple(alts)))
            length += len(replacement)
            pos = stop
        out.append(text[pos:])
        return SpinResult("".join(out), text, tuple(subs), self.config)


def _lemma_form(alternative: str, original: str, lex: Lexicon) -> str:
    """The un-inflected thesaurus entry behind an inflected alternative (naive spinners paste it)."""
    from detector.lexicon.morphology import analyze

    readings = [r for r in analyze(alternative.lower(), lex) if r.tag != "base"]
    return readings[0].lemma if readings else alternative


def spin(text: str, rate: float = 0.2, seed: int = 0, **options) -> SpinResult:
    """Spin ``text`` with a fresh :class:`SpinConfig` (``options`` are its other fields)."""
    return Spinner(SpinConfig(rate=rate, seed=seed, **options)).spin(text)
