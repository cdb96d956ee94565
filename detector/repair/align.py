"""Align a spun text with its clean original, word by word, and say which differences are substitutions.

>>> a = align("Customers of the Chinese language app stated it was well-liked.",
...           "Users of the Chinese app said it was popular.")
>>> [(p.spun, p.original) for p in a.substitutions]
[('Customers', 'Users'), (' language', ''), ('stated', 'said'), ('well-liked', 'popular')]
>>> round(a.similarity, 2)
0.64

Tokens are compared after folding case, curly quotes, dashes and apostrophes, with difflib's
``SequenceMatcher`` (no junk heuristic). Runs of equal tokens are anchors; a short difference
(at most ``MAX_GAP`` tokens on either side) is
a *substitution* when equal text touches it and at least 30% of the 12 tokens around it are equal:
what the spinner swapped, one-to-many or many-to-one ("phone number" /
"telephone quantity", "Chinese" / "Chinese language"). Longer or poorly anchored differences are
*edits* (a correction note, a rewritten paragraph, captions or a translation in the original):
the spun text keeps its own words there. Chinese, Japanese or Korean runs in the original are set
aside before aligning, so an interleaved translation does not break the anchors.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from detector.text.tokenize import Token, tokenize

MAX_GAP = 8  # longest substitution, in tokens, on either side
MIN_LOCAL = 0.3  # share of equal tokens in the 12 tokens around a substitution
MIN_REWRITE_PAIRS = 3  # differences in a sentence before it can count as rewritten
REWRITE_SHARE = 0.6  # share of implausible differences that makes a sentence rewritten
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "‐": "-"})


@dataclass(frozen=True)
class Pair:
    """A substitution: ``spun`` at ``[spun_start, spun_end)`` of the spun text stands for ``original``.

    A pure deletion (the spinner added words) includes the whitespace before them, so that
    replacing the span with ``original`` leaves clean spacing.
    """

    spun_start: int
    spun_end: int
    spun: str
    original: str
    orig_start: int
    orig_end: int
    phrase: tuple[str, str] | None = None  # the whole (spun, original) phrase a word-for-word pair came from

    @property
    def learned(self) -> tuple[str, str]:
        """What a dictionary should learn: the whole phrase for a word of a multi-word swap."""
        return self.phrase or (self.spun, self.original)


@dataclass(frozen=True)
class Alignment:
    substitutions: tuple[Pair, ...]
    edits: tuple[tuple[int, int], ...]  # spun spans with no counterpart in the original
    similarity: float  # share of the spun text's tokens matched in the original

    def without_rewrites(self, spun: str, plausible: Callable[[Pair], bool]) -> Alignment:
        """Treat sentences whose differences are mostly not plausible substitutions as rewritten.

        A spinner swaps words for near-synonyms; an editor who rewrites a sentence changes what it
        says ("require users" for "permit overseas numbers"). A sentence with at least
        ``MIN_REWRITE_PAIRS`` differences of which at least ``REWRITE_SHARE`` fail ``plausible``
        becomes an edit as a whole: none of the original's words are carried into it.
        """
        keep: list[Pair] = []
        edits = list(self.edits)
        for start, end in sentence_spans(spun):
            pairs = [p for p in self.substitutions if start <= p.spun_start < end]
            swaps = {p.learned: p for p in pairs}  # a multi-word swap counts once, as a whole
            bad = sum(not plausible(p) for p in swaps.values())
            if bad >= MIN_REWRITE_PAIRS and bad >= REWRITE_SHARE * len(swaps):
                edits.append((start, end))
            else:
                keep += pairs
        kept = {id(p) for p in keep}
        subs = tuple(p for p in self.substitutions if id(p) in kept)
        return Alignment(subs, tuple(sorted(set(edits))), self.similarity)


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans: split after . ! ? (and closing quotes) before whitespace, and at newlines."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
            start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _key(token: Token) -> str:
    return token.text.translate(_FOLD).lower()


def _english_tokens(text: str) -> list[Token]:
    """Tokens of ``text`` outside lines written mostly in Chinese, Japanese or Korean."""
    tokens = tokenize(text)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    letters: dict[int, list[int]] = {}
    line_of = [bisect.bisect_right(line_starts, t.start) - 1 for t in tokens]
    for token, line in zip(tokens, line_of):
        if token.kind in ("cjk", "word"):
            counts = letters.setdefault(line, [0, 0])
            counts[token.kind == "cjk"] += len(token.text)
    foreign = {line for line, (latin, cjk) in letters.items() if cjk > latin}
    return [t for t, line in zip(tokens, line_of) if line not in foreign and t.kind != "cjk"]


def align(spun: str, original: str) -> Alignment:
    """Align ``spun`` with ``original`` (see the module docstring)."""
    a = _english_tokens(spun)
    b = _english_tokens(original)
    ka, kb = [_key(t) for t in a], [_key(t) for t in b]
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    ops = matcher.get_opcodes()
    equal = [False] * len(a)
    for tag, i1, i2, _, _ in ops:
        if tag == "equal":
            for i in range(i1, i2):
                equal[i] = True
    matched = sum(equal)
    similarity = matched / len(a) if a else 0.0
    subs: list[Pair] = []
    edits: list[tuple[int, int]] = []
    substituted: set[int] = set()  # indices of the ops taken as substitutions
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        before = ops[n - 1][2] - ops[n - 1][1] if n > 0 and ops[n - 1][0] == "equal" else 0
        after = ops[n + 1][2] - ops[n + 1][1] if n + 1 < len(ops) and ops[n + 1][0] == "equal" else 0
        window = equal[max(0, i1 - 6) : i1] + equal[i2 : i2 + 6]
        local = sum(window) / len(window) if window else 0.0
        short = (i2 - i1) <= MAX_GAP and (j2 - j1) <= MAX_GAP
        if tag in ("delete", "insert"):  # a dropped or added full stop is typography, not spinning
            side = a[i1:i2] if tag == "delete" else b[j1:j2]
            if not any(t.kind == "word" for t in side):
                continue
        anchored = max(before, after) >= 1 and local >= MIN_LOCAL
        if not (short and anchored):
            if i2 > i1:
                edits.append((a[i1].start, a[i2 - 1].end))
            continue
        substituted.add(n)
        if tag == "replace" and i2 - i1 == j2 - j1 > 1:  # word for word: "telephone quantity" / "phone number"
            phrase = (spun[a[i1].start : a[i2 - 1].end], original[b[j1].start : b[j2 - 1].end])
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if ka[i] != kb[j]:
                    subs.append(Pair(a[i].start, a[i].end, a[i].text, b[j].text, b[j].start, b[j].end, phrase))
            continue
        if i2 > i1:  # replace or delete
            start = a[i1].start if j2 > j1 or i1 == 0 else a[i1 - 1].end
            end = a[i2 - 1].end
            if j2 == j1 and i1 > 0 and i2 < len(a) and "\n" in spun[a[i1 - 1].end : a[i1].start]:
                start, end = a[i1].start, a[i2].start  # a deletion at a line start keeps the line break
            orig = original[b[j1].start : b[j2 - 1].end] if j2 > j1 else ""
        else:  # insert: the spinner dropped words; put them back after the previous token
            start = end = a[i1 - 1].end if i1 > 0 else 0
            orig = (" " if i1 > 0 else "") + original[b[j1].start : b[j2 - 1].end] + ("" if i1 > 0 else " ")
        os_, oe = (b[j1].start, b[j2 - 1].end) if j2 > j1 else (0, 0)
        phrase = None
        if j2 == j1 and i1 > 0:  # "Chinese language" for "Chinese": learn it with the word before
            phrase = (spun[a[i1 - 1].start : a[i2 - 1].end], a[i1 - 1].text)
        subs.append(Pair(start, end, spun[start:end], orig, os_, oe, phrase))
    # A spinner that turns "Group" into "Mathematical group" leaves a word that matches only when
    # case is folded: right next to a substitution, put the original's case back.
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            continue
        for i, j, neighbour in ((i1, j1, n - 1), (i2 - 1, j2 - 1, n + 1)):
            if neighbour in substituted and a[i].text != b[j].text and a[i].text.lower() == b[j].text.lower():
                subs.append(Pair(a[i].start, a[i].end, a[i].text, b[j].text, b[j].start, b[j].end))
    subs.sort(key=lambda p: (p.spun_start, p.spun_end))
    return Alignment(tuple(dict.fromkeys(subs)), tuple(edits), similarity)
