"""What a document says, reduced to what survives copying: its words, sentences, names, numbers, quotations.

>>> p = profile("a", 'SHANGHAI (Reuters) - Users of RedNote welcomed "TikTok refugees" on Wednesday. '
...             "More than 700,000 new users joined, said Jacob Hui in Hangzhou.")
>>> sorted(p.names)
['hangzhou', 'hui', 'jacob', 'rednote', 'reuters', 'tiktok', 'wednesday']
>>> p.numbers, p.quotes
(('700000',), ('tiktok refugees',))
>>> len(p.sentences), p.english
(2, True)

A copy, however it was made, keeps the *facts* of its source: the names of people, places and
organisations, the numbers and the quotations. A spinner keeps the function words too (see
:mod:`detector.repair.fingerprint`); a rewrite keeps the facts and most content words of each
sentence, in order; a translation keeps the numbers and the Latin-script names. A :class:`Profile`
holds all of it once per document, so that comparing two documents (:mod:`detector.trace.relate`)
never tokenizes twice.

Lines written mostly in Chinese, Japanese or Korean are set aside (``foreign_lines``) and reported:
a document that interleaves its own translation (every paragraph followed by its Chinese version)
is an English document that carries a translation, not a mixture to align word by word.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from detector.lexicon.thesaurus import STOPWORDS
from detector.repair.align import sentence_spans
from detector.text.language import FUNCTION_WORDS, english_profile
from detector.text.tokenize import Token, tokenize

_FUNCTION = STOPWORDS | FUNCTION_WORDS
_NAMEISH = re.compile(r"^[A-Z][a-z]+[A-Za-z]*$|^[A-Z]{2,}s?$|^[A-Z][a-z]*[A-Z][A-Za-z]*$")
_QUOTE = re.compile(r"[\"“”]([^\"“”\n]{8,300})[\"“”]")
_MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "mln": 1_000_000, "billion": 1_000_000_000,
                "bln": 1_000_000_000, "trillion": 10**12}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    stems: frozenset[str]  # content-word stems, names and numbers: what a rewrite keeps


@dataclass(frozen=True)
class Profile:
    """One document, read once (see the module docstring)."""

    id: str
    text: str
    tokens: tuple[Token, ...]  # English tokens (foreign lines set aside), words and numbers only
    words: tuple[str, ...]  # their folded forms, what word alignment compares
    sentences: tuple[Sentence, ...]
    names: frozenset[str]
    numbers: tuple[str, ...]  # normalised ("700,000" and "700 thousand" -> "700000"), in order
    quotes: tuple[str, ...]  # quoted passages of 2+ words, lower-cased
    fact_order: tuple[str, ...]  # names and numbers in order of first appearance
    stems: Counter = field(compare=False)  # content stems of the whole text, with counts
    english: bool = True
    foreign_lines: int = 0  # lines mostly in Chinese, Japanese or Korean
    foreign_script: str = ""

    @property
    def length(self) -> int:
        return len(self.words)


_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "‐": "-"})


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude stem that joins inflections and most derivations ("welcomed", "welcoming" -> "welcom")."""
    return _porter().stem(word)


@functools.lru_cache(maxsize=1)
def _porter():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def normalise_number(text: str, following: str = "") -> str:
    """ "700,000" and "700 thousand" -> "700000"; "3.5 pct" -> "3.5"; "Jan 15" stays "15".

    >>> normalise_number("700,000"), normalise_number("700", "thousand"), normalise_number("1.5", "billion")
    ('700000', '700000', '1500000000')
    """
    raw = text.strip("+%").replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return raw
    if following.lower() in _MULTIPLIERS:
        value *= _MULTIPLIERS[following.lower()]
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


def _foreign_lines(line_starts: list[int], tokens: list[Token]) -> tuple[set[int], str]:
    """Line numbers (by their start offsets) written mostly in CJK script, and the script's name."""
    counts: dict[int, list[int]] = {}
    for t in tokens:
        if t.kind in ("cjk", "word"):
            line = bisect.bisect_right(line_starts, t.start) - 1
            c = counts.setdefault(line, [0, 0])
            c[t.kind == "cjk"] += 2 * len(t.text) if t.kind == "cjk" else len(t.text)
    foreign = {line for line, (latin, cjk) in counts.items() if cjk > latin}
    script = ""
    if foreign:
        sample = "".join(t.text for t in tokens if t.kind == "cjk")[:200]
        if re.search("[\u3040-\u30ff]", sample):
            script = "Japanese"
        elif re.search("[\uac00-\ud7af]", sample):
            script = "Korean"
        else:
            script = "Chinese"
    return foreign, script


def profile(doc_id: str, text: str) -> Profile:
    """Read ``text`` once (see the module docstring)."""

    all_tokens = tokenize(text)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    foreign, script = _foreign_lines(line_starts, all_tokens)
    keep = [t for t in all_tokens if t.kind in ("word", "number")
            and (not foreign or bisect.bisect_right(line_starts, t.start) - 1 not in foreign)]
    words = tuple(t.text.translate(_FOLD).lower() for t in keep)
    spans = [s for s in sentence_spans(text)
             if not foreign or bisect.bisect_right(line_starts, s[0]) - 1 not in foreign]
    starts = [t.start for t in keep]
    lower_seen = {w for t, w in zip(keep, words) if t.text[:1].islower()}  # "users" seen: "Users" is no name
    names: set[str] = set()
    numbers: list[str] = []
    order: list[str] = []
    stems: Counter = Counter()
    sentences: list[Sentence] = []
    for s_start, s_end in spans:
        lo, hi = bisect.bisect_left(starts, s_start), bisect.bisect_left(starts, s_end)
        sent: set[str] = set()
        for k in range(lo, hi):
            t = keep[k]
            w = words[k]
            if t.kind == "number":
                following = words[k + 1] if k + 1 < len(words) else ""
                n = normalise_number(t.text, following)
                numbers.append(n)
                sent.add("#" + n)
                if "#" + n not in order:
                    order.append("#" + n)
                continue
            if w in _MULTIPLIERS and k > lo and keep[k - 1].kind == "number":
                continue
            first = k == lo
            if not first and _NAMEISH.match(t.text) and w not in _FUNCTION and w not in lower_seen:
                names.add(w)
                if w not in _MONTHS and w not in order:
                    order.append(w)
                sent.add(w)
            elif w not in _FUNCTION and len(w) > 2 and w.isalpha():
                s = stem(w)
                sent.add(s)
                stems[s] += 1
        if sent:
            sentences.append(Sentence(s_start, s_end, frozenset(sent)))
    quotes = tuple(q.translate(_FOLD).lower().strip() for q in _QUOTE.findall(text.translate(_FOLD))
                   if len(q.split()) >= 2)
    lang = english_profile(text, all_tokens)
    english = lang.is_english or len(words) >= 20 and lang.function_share >= 0.25
    return Profile(doc_id, text, tuple(keep), words, tuple(sentences), frozenset(names), tuple(numbers), quotes,
                   tuple(order), stems, english, len(foreign), script)

