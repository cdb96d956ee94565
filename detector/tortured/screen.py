"""A text screened for tortured phrases: known ones, new ones, and the paper's verdict.

>>> screen = TorturedScreen.load()
>>> report = screen.screen("Our counterfeit consciousness model beats irregular woodland baselines.")
>>> report["known"], report["new"], report["verdict"]
(2, 0, 'suspicious')
>>> [(f["kind"], f["text"], f["expected"]) for f in report["findings"]]
[('known', 'counterfeit consciousness', 'artificial intelligence'), ('known', 'irregular woodland', 'random forest')]

The report (``extra["tortured"]`` of a score, :mod:`detector.analysis`):
``{"known", "new", "verdict", "rule", "findings": [...], "list"}``, each finding
``{"kind": "known" | "new", "start", "end", "text", "expected", "score", "reason", "context",
"papers"}`` (``papers``: PPS's count, known phrases only; ``expected``: the listed expected phrase
for a known one, the suggestion for a new one, null when there is none) plus ``"page"`` and
``"section"`` when the text came from a paper (:mod:`detector.papers`).

The verdict, per text (:func:`verdict`): PPS flags a paper with five or more known tortured
phrases; here a text is ``tortured`` with five known ones, or with two known and five in all
(new findings are weaker evidence, so they complete a count but never make it alone);
``suspicious`` with one known or two new; ``clean`` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from detector.tortured.match import Document
from detector.tortured.novel import NewFinding, NovelFinder
from detector.tortured.phrases import Finding, KnownPhrases

RULE = ("tortured: 5+ known phrases (the PPS rule), or 2+ known and 5+ in all; suspicious: 1+ known or 2+ new; "
        "clean: otherwise")
CONTEXT = 60  # characters either side of a finding in its context
ATTRIBUTION = ("known tortured phrases: the Problematic Paper Screener (G. Cabanac, C. Labbé, A. Magazinov), "
               "CC BY 4.0")


def verdict(known: int, new: int) -> str:
    """The paper-level verdict by :data:`RULE`.

    >>> verdict(5, 0), verdict(2, 3), verdict(1, 9), verdict(0, 2), verdict(0, 1)
    ('tortured', 'tortured', 'suspicious', 'suspicious', 'clean')
    """
    if known >= 5 or (known >= 2 and known + new >= 5):
        return "tortured"
    if known >= 1 or new >= 2:
        return "suspicious"
    return "clean"


def context(text: str, start: int, end: int, width: int = CONTEXT) -> str:
    """The finding with up to ``width`` characters either side, whitespace collapsed, cut at words.

    >>> context("Intro. We use a counterfeit consciousness model here. More text follows.", 17, 42, 12)
    '…We use a counterfeit consciousness model here.…'
    """
    a, b = max(0, start - width), min(len(text), end + width)
    left, right = text[a:start], text[end:b]
    if a > 0:
        left = left[left.find(" ") + 1 :] if " " in left else left
    if b < len(text):
        right = right[: right.rfind(" ")] if " " in right else right
    out = re.sub(r"\s+", " ", left + text[start:end] + right).strip()
    return ("…" if a > 0 else "") + out + ("…" if b < len(text) else "")


@dataclass
class TorturedScreen:
    """The known list and the new-phrase finder, used together (``load`` the shipped ones)."""

    known: KnownPhrases
    novel: NovelFinder | None

    @classmethod
    def load(cls, tables=None, novel: bool = True, exclude_held_out: bool = False) -> TorturedScreen:
        return cls(KnownPhrases.load(exclude_held_out=exclude_held_out),
                   NovelFinder.load(tables=tables) if novel else None)

    def findings(self, text: str) -> tuple[list[Finding], list[NewFinding]]:
        doc = Document(text)
        known = self.known.find(doc)
        if self.novel is None:
            return known, []
        taken = {i for f in known for i in range(len(doc)) if doc.starts[i] < f.end and doc.ends[i] > f.start}
        distinct = len({f.tortured for f in known})
        return known, self.novel.find(doc, taken, known=distinct)

    def screen(self, text: str, locate: Callable[[int], dict] | None = None) -> dict:
        """The report of one text (see the module docstring); ``locate(offset)`` gives a finding's
        ``{"page", "section"}`` in a paper."""
        known, new = self.findings(text)
        out = []
        for f in known:
            out.append({"kind": "known", "start": f.start, "end": f.end, "text": f.text, "expected": f.expected,
                        "score": 1.0, "reason": f.reason + (f"; {f.why}" if f.why else ""),
                        "context": context(text, f.start, f.end), "papers": f.papers, "listed": f.tortured})
        for f in new:
            out.append({"kind": "new", "start": f.start, "end": f.end, "text": f.text, "expected": f.suggestion,
                        "score": round(f.score, 4), "reason": f.reason, "context": context(text, f.start, f.end),
                        "papers": None, "variant": f.variant})
        out.sort(key=lambda f: f["start"])
        if locate is not None:
            for f in out:
                f.update(locate(f["start"]))
        n_known = len({f["listed"] for f in out if f["kind"] == "known"})
        n_new = len({f["text"].lower() for f in out if f["kind"] == "new"})
        return {"known": n_known, "new": n_new, "verdict": verdict(n_known, n_new), "rule": RULE,
                "occurrences": len(out), "findings": out, "list": f"PPS list {self.known.version}",
                "attribution": ATTRIBUTION}
