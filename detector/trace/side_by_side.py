"""A source and a document derived from it, side by side: what stayed, what changed, what is only on one side.

>>> source = "Users of the app said it was popular. Traders were not surprised."
>>> derived = "Customers of the app stated it was well-liked. Traders were not surprised."
>>> [(p.tag, source[p.source[0]:p.source[1]] if p.source else None,
...   derived[p.derived[0]:p.derived[1]] if p.derived else None) for p in align_pair(source, derived)][:3]
[('changed', 'Users', 'Customers'), ('same', ' of the app', ' of the app'), ('changed', ' said', ' stated')]

Each :class:`Piece` has a tag (``same``, ``changed``, ``source-only``, ``derived-only``) and the
character spans ``(start, end)`` it covers in the source and in the derived text (``None`` on the
side where it has nothing). The pieces tile both texts in order, so a page can print each side
whole and colour it piece by piece. Texts that line up word for word (a spun copy, a duplicate, a
light translation) are compared word by word; others (a rewrite, a summary) sentence by sentence,
corresponding sentences being compared word by word in turn.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from detector.trace.facts import Profile, profile
from detector.trace.relate import sentence_matches

WORD_LEVEL = 0.5  # share of the shorter text's words aligned for a word-by-word view


class Piece(NamedTuple):
    tag: str
    source: tuple[int, int] | None
    derived: tuple[int, int] | None

    def to_dict(self) -> dict:
        return {"tag": self.tag, "source": list(self.source) if self.source else None,
                "derived": list(self.derived) if self.derived else None}


def _word_pieces(s: Profile, d: Profile, s_lo: int, s_hi: int, d_lo: int, d_hi: int,
                 s_from: int, d_from: int, s_to: int, d_to: int) -> list[Piece]:
    """Word-level pieces of the token ranges, tiling characters ``[s_from, s_to)`` and ``[d_from, d_to)``."""
    ws, wd = s.words[s_lo:s_hi], d.words[d_lo:d_hi]
    out: list[Piece] = []
    ps, pd = s_from, d_from
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ws, wd, autojunk=False).get_opcodes():
        es = s.tokens[s_lo + i2 - 1].end if i2 > i1 else ps
        ed = d.tokens[d_lo + j2 - 1].end if j2 > j1 else pd
        name = {"equal": "same", "replace": "changed", "delete": "source-only", "insert": "derived-only"}[tag]
        out.append(Piece(name, (ps, es) if es > ps or tag != "insert" else None,
                         (pd, ed) if ed > pd or tag != "delete" else None))
        ps, pd = es, ed
    if ps < s_to or pd < d_to:
        out.append(Piece("same", (ps, s_to), (pd, d_to)))
    return out


def align_pair(source: str, derived: str) -> list[Piece]:
    """Pieces of ``source`` and ``derived`` in order (see the module docstring)."""
    s, d = profile("source", source), profile("derived", derived)
    if not s.words or not d.words:
        return [Piece("source-only", (0, len(source)), None)] * bool(source) + \
            [Piece("derived-only", None, (0, len(derived)))] * bool(derived)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, s.words, d.words, autojunk=False)
                  .get_matching_blocks())
    if matched / min(len(s.words), len(d.words)) >= WORD_LEVEL or not s.sentences or not d.sentences:
        return _word_pieces(s, d, 0, len(s.words), 0, len(d.words), 0, 0, len(source), len(derived))
    # sentence by sentence: the longest chain of corresponding sentences in order
    match = sentence_matches(d, s)
    chain = _chain(match)
    s_starts = [t.start for t in s.tokens]
    d_starts = [t.start for t in d.tokens]
    import bisect

    out: list[Piece] = []
    ps, pd = 0, 0

    for di, sj in chain:
        sent_s, sent_d = s.sentences[sj], d.sentences[di]
        if sent_s.start > ps:
            out.append(Piece("source-only", (ps, sent_s.start), None))
        if sent_d.start > pd:
            out.append(Piece("derived-only", None, (pd, sent_d.start)))
        s_lo, s_hi = bisect.bisect_left(s_starts, sent_s.start), bisect.bisect_left(s_starts, sent_s.end)
        d_lo, d_hi = bisect.bisect_left(d_starts, sent_d.start), bisect.bisect_left(d_starts, sent_d.end)
        out += _word_pieces(s, d, s_lo, s_hi, d_lo, d_hi, sent_s.start, sent_d.start, sent_s.end, sent_d.end)
        ps, pd = sent_s.end, sent_d.end

    if ps < len(source):
        out.append(Piece("source-only", (ps, len(source)), None))
    if pd < len(derived):
        out.append(Piece("derived-only", None, (pd, len(derived))))
    return out


def _chain(match: list[int]) -> list[tuple[int, int]]:
    """The longest increasing chain of (derived sentence, source sentence) correspondences."""
    pairs = [(i, j) for i, j in enumerate(match) if j >= 0]
    if not pairs:
        return []
    n = len(pairs)
    best = [1] * n
    prev = [-1] * n
    for k in range(n):
        for m in range(k):
            if pairs[m][1] < pairs[k][1] and best[m] + 1 > best[k]:
                best[k], prev[k] = best[m] + 1, m
    k = max(range(n), key=best.__getitem__)
    out = []
    while k >= 0:
        out.append(pairs[k])
        k = prev[k]
    return out[::-1]
