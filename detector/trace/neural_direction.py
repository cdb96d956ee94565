"""Which side of a pair the neural model prefers where the two differ: direction evidence read by SmolLM2.

>>> from detector.trace.facts import profile
>>> a = profile("a", "Users of the app said it was popular.")
>>> b = profile("b", "Customers of the app stated it was well-liked.")
>>> [(a.text[s:e], b.text[t:u]) for (s, e), (t, u) in place_spans(compare(a, b))]
[('Users of', 'Customers of'), ('said it', 'stated it'), ('popular', 'well-liked')]

A spinner replaces words with rarer, clumsier ones; a careful reader of English finds the source's
wording likelier where the two texts differ. :mod:`detector.trace.relate` measures that with the
broad trigram model (``Comparison.fluency``, log10 per changed place); :func:`neural_fluency` asks
the neural model the same question with the whole sentence as context: for each changed place
(the changed words and the word after them, as the trigram measure counts them), the log
probability of one side's words in its own sentence less the other's, averaged over places (nats;
positive: the first side reads likelier, so it is the likelier source). Each side's sentences that
hold places are read once, packed together (:meth:`detector.neural.reading.LanguageModel.read`);
at most ``MAX_PLACES`` places of a pair are read.
"""

from __future__ import annotations

import numpy as np

from detector.trace.relate import Comparison, compare

MAX_PLACES = 40

__all__ = ["MAX_PLACES", "compare", "neural_fluency", "place_spans"]


def _span(p, lo: int, hi: int) -> tuple[int, int]:
    """Characters of words ``lo:hi`` of ``p`` and the word after them (the word before, at the end)."""
    toks = p.tokens
    if not toks:
        return 0, 0
    first, last = lo, min(hi + 1, len(toks))
    if last <= first:  # nothing here (the other side added words at the very end): the word before
        first, last = max(len(toks) - 1, 0), len(toks)
    return toks[min(first, len(toks) - 1)].start, toks[last - 1].end


def place_spans(c: Comparison, most: int = MAX_PLACES) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Character spans of each changed place (at most ``most``, evenly spread) on the two sides."""
    places = list(c.places)
    if len(places) > most:
        keep = np.linspace(0, len(places) - 1, most).round().astype(int)
        places = [places[k] for k in keep]
    return [(_span(c.a, i1, i2), _span(c.b, j1, j2)) for _, i1, i2, j1, j2 in places]


def neural_fluency(lm, comparisons: list[Comparison]) -> list[float | None]:
    """For each pair, the mean over its changed places of ln P(first side's words) - ln P(second
    side's) in their own sentences (``None``: no place)."""
    from detector.detection.rereading import sentence_bounds

    sentences: dict[tuple[int, int, int], int] = {}  # (id of text, start, end) -> index
    texts: list[str] = []
    asks = []  # per pair: list of ((sentence index, start, end) for a, same for b)
    for c in comparisons:
        rows = []
        for (sa, ea), (sb, eb) in place_spans(c):
            row = []
            for p, (s, e) in ((c.a, (sa, ea)), (c.b, (sb, eb))):
                lo, hi = sentence_bounds(p.text, s, e)
                key = (id(p.text), lo, hi)
                if key not in sentences:
                    sentences[key] = len(texts)
                    texts.append(p.text[lo:hi])
                row.append((sentences[key], s - lo, e - lo))
            rows.append(row)
        asks.append(rows)
    docs = [lm.tokenize(t) for t in texts]
    readings = lm.read(docs, entropy=False) if docs else []
    out: list[float | None] = []
    for rows in asks:
        diffs = []
        for (ia, sa, ea), (ib, sb, eb) in rows:
            ra, rb = readings[ia], readings[ib]
            a0, a1 = ra.tokens_of(sa, ea)
            b0, b1 = rb.tokens_of(sb, eb)
            diffs.append(-float(ra.surprisal[a0:a1].sum()) + float(rb.surprisal[b0:b1].sum()))
        out.append(float(np.mean(diffs)) if diffs else None)
    return out
