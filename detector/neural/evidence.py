"""Word-level evidence from the neural model: what each stage asks of it about the words of a text.

>>> text = "Prices could ascend next year."
>>> found = word_evidence(language_model(), [text], [np.array([[0, 6], [7, 12], [13, 19], [20, 24], [25, 29]])],
...                       [[[], [], ["rise", "climb"], [], []]], [np.array([False, False, True, False, False])]
...                       )[0]                                               # doctest: +SKIP
>>> found.both_best[2], found.both_gain[2] > 2                              # doctest: +SKIP
(0, True)

(Run in ``tests/neural`` when the model is installed.)

For each word (given by its character span) of each text:

* ``surprisal``: ``-ln P`` of the word's tokens given everything before it (nats), ``first`` of
  its first token alone, ``n_tokens``, and the ``entropy`` of the prediction it was read from
  (a surprising word where almost anything could come says less), and ``top_gap``, how far its
  first token falls below the likeliest token there;
* ``next_surprisal``: the surprisal of the word after it (a swap often breaks its neighbour too);
* ``left_gain``: for words given candidate originals, how much likelier the best candidate's first
  token is than the word's own first token in the same left context (free: one dot product per
  candidate from the pass already made), and which candidate (``left_best``);
* ``both_gain``: for words marked for it, the best of the ``branch_top`` candidates (by
  ``left_gain``) scored with both sides of the context: the candidate and the next few tokens of
  the text, against the word and the same tokens (NaN where not asked), which one
  (``both_best``), and every branched candidate's gain (``both_gains``, candidate index -> gain).

Words are matched to tokens by where each token's first non-space character falls, so a word's
leading space belongs to it and punctuation belongs to no word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from detector.neural.reading import Branch, LanguageModel, Reading, language_model

BRANCH_TOP = 2  # candidates per word scored with both sides of the context
BRANCH_SHARE = 0.08  # at most this share of a window's words are branched (the most suspicious first)

__all__ = ["BRANCH_TOP", "WordEvidence", "language_model", "word_evidence"]


@dataclass
class WordEvidence:
    """Per-word arrays (see the module docstring); ``reading`` is the token-level reading."""

    surprisal: np.ndarray
    first: np.ndarray
    n_tokens: np.ndarray
    entropy: np.ndarray
    top_gap: np.ndarray  # the first token's surprisal less the likeliest token's there
    next_surprisal: np.ndarray
    left_gain: np.ndarray
    left_best: np.ndarray
    both_gain: np.ndarray
    both_best: np.ndarray
    both_gains: list[dict[int, float]] = field(default_factory=list)
    reading: Reading | None = field(default=None, repr=False)


def _word_tokens(doc, spans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First token and one past the last token of each word (equal when a word has none)."""
    anchors = doc.anchors
    return (np.searchsorted(anchors, spans[:, 0], "left").astype(np.int64),
            np.searchsorted(anchors, spans[:, 1], "left").astype(np.int64))


def word_evidence(lm: LanguageModel, texts: list[str], spans: list[np.ndarray],
                  candidates: list[list[list[str]]] | None = None, branch: list[np.ndarray] | None = None,
                  branch_top: int = BRANCH_TOP, branch_left_gain: float | None = None,
                  branch_share: float = BRANCH_SHARE) -> list[WordEvidence]:
    """Evidence for the words ``spans[i]`` (an (n, 2) array of character spans) of each text.

    ``candidates[i][w]``: the strings word ``w`` of text ``i`` may have replaced (as they would be
    written there: case carried over); ``branch[i][w]`` > 0: score its best ``branch_top``
    candidates with both sides of the context; so too any word whose ``left_gain`` reaches
    ``branch_left_gain``. At most ``branch_share`` of a window's words (at least two) are branched,
    by ``branch`` (a priority, e.g. a probability) plus a tenth of the left gain."""
    docs = [lm.tokenize(t) for t in texts]
    candidates = candidates or [[[] for _ in s] for s in spans]
    branch = branch or [np.zeros(len(s)) for s in spans]
    firsts, lasts = zip(*[_word_tokens(d, np.asarray(s, dtype=np.int64).reshape(-1, 2)) for d, s in zip(docs, spans)]
                        ) if docs else ((), ())
    cand_ids: list[list[list[list[int]]]] = []
    for d, s, cands in zip(docs, spans, candidates):
        cand_ids.append([[lm.candidate_ids(d.text, int(s[w][0]), c) for c in cands[w]] if len(cands[w]) else []
                         for w in range(len(s))])
    left: list[tuple[np.ndarray, np.ndarray]] = [(np.full(len(s), np.nan), np.full(len(s), -1)) for s in spans]
    asked: list[dict[int, tuple[Branch, list[int]]]] = [{} for _ in docs]

    def left_gains(i: int, reading: Reading, start: int, end: int) -> None:
        """``left_gain`` of the words of text ``i`` whose first token is in [start, end)."""
        first, last = firsts[i], lasts[i]
        words = np.flatnonzero((first >= start) & (first < end) & (last > first))
        pos, tok, owner = [], [], []
        for w in words.tolist():
            for c, ids in enumerate(cand_ids[i][w]):
                if ids:
                    pos.append(first[w])
                    tok.append(ids[0])
                    owner.append((w, c))
        if not pos:
            return
        lp = reading.logprob_of(np.array(pos), np.array(tok))
        own = -reading.surprisal[first[words]]
        own_of = dict(zip(words.tolist(), own.tolist()))
        best: dict[int, tuple[float, int]] = {}
        scores: dict[int, list[tuple[float, int]]] = {}
        for (w, c), v in zip(owner, lp.tolist()):
            scores.setdefault(w, []).append((v, c))
            if w not in best or v > best[w][0]:
                best[w] = (v, c)
        for w, (v, c) in best.items():
            left[i][0][w] = v - own_of[w]
            left[i][1][w] = c
        return scores

    def choose(i: int, reading: Reading, start: int, end: int) -> list[Branch]:
        scores = left_gains(i, reading, start, end) or {}
        room = max(2, int(np.ceil(branch_share * np.count_nonzero((firsts[i] >= start) & (firsts[i] < end)))))
        wanted = []
        for w in scores:
            gain = left[i][0][w]
            if branch[i][w] > 0 or (branch_left_gain is not None and gain >= branch_left_gain):
                wanted.append((float(branch[i][w]) + 0.1 * float(np.nan_to_num(gain)), w))
        out = []
        for _, w in sorted(wanted, reverse=True)[:room]:
            top = [c for _, c in sorted(scores[w], reverse=True)[:branch_top]]
            q = Branch(int(firsts[i][w]), int(lasts[i][w]), [cand_ids[i][w][c] for c in top])
            asked[i][w] = (q, top)
            out.append(q)
        return out

    readings = lm.read(docs, choose=choose)
    out = []
    for i, (r, s) in enumerate(zip(readings, spans)):
        first, last = firsts[i], lasts[i]
        cum = np.r_[0.0, np.cumsum(r.surprisal)]
        has = last > first
        surprisal = np.where(has, cum[last] - cum[first], np.nan)
        safe = np.minimum(first, max(len(r.surprisal) - 1, 0))
        first_s = np.where(has, r.surprisal[safe] if len(r.surprisal) else 0.0, np.nan)
        entropy = np.where(has, r.entropy[safe] if len(r.entropy) else 0.0, np.nan)
        top_gap = np.where(has, first_s + (r.top[safe] if len(r.top) else 0.0), np.nan)
        nxt = np.r_[surprisal[1:], np.nan] if len(surprisal) else surprisal
        both_gain, both_best = np.full(len(s), np.nan), np.full(len(s), -1)
        gains: list[dict[int, float]] = [{} for _ in range(len(s))]
        for w, (q, top) in asked[i].items():
            gains[w] = dict(zip(top, q.gains))
            if q.gains:
                k = int(np.argmax(q.gains))
                both_gain[w], both_best[w] = q.gains[k], top[k]
        out.append(WordEvidence(surprisal, first_s, (last - first).astype(np.float64), entropy, top_gap, nxt,
                                left[i][0], left[i][1], both_gain, both_best, gains, r))
    return out
