"""How the neural model reads a text: token surprisals, and candidates weighed with both sides.

>>> lm = language_model()                                            # doctest: +SKIP
>>> text = "The council said that property charges could ascend next year."
>>> reading = lm.read([lm.tokenize(text)])[0]                        # doctest: +SKIP
>>> a, b = reading.tokens_of(text.index("ascend"), text.index("ascend") + 6)   # doctest: +SKIP
>>> reading.surprisal[a:b].sum() > 8                                 # doctest: +SKIP
True

(The examples run in ``tests/neural`` when the model is installed.)

A text is tokenized (:mod:`detector.neural.tokenizer`), cut into windows of at most
``WINDOW`` scored tokens, each read after up to ``OVERLAP`` tokens of the text before it (so no
token is scored without left context, and long texts cost time linear in their length), each
window starting with ``<|endoftext|>``. Windows of several texts are packed into one matrix of
about ``PACK`` rows per forward pass.

For every token the :class:`Reading` keeps its surprisal (``-ln P``, nats), the entropy of the
prediction it was scored from, and the hidden state that made that prediction, so the probability
of any other token in the same left context costs one dot product (:meth:`Reading.logprob_of`).
:class:`Branch` queries replace a stretch of tokens with each candidate and score the candidate
and the next few tokens of the text in one batched pass off the cached keys and values
(:meth:`detector.neural.transformer.Transformer.branch`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from detector.neural.tokenizer import ByteBPE
from detector.neural.transformer import Transformer
from detector.neural.weights import MODEL, ModelSpec, NeuralUnavailable, load_arrays

WINDOW = 384  # scored tokens per window
OVERLAP = 96  # tokens of left context read (not scored) before a window
PACK = 512  # rows per forward pass, windows of several texts together
BRANCH_ROWS = 768  # branch rows per batched pass
RIGHT = 3  # tokens of the text after a candidate scored with it (both sides of the context)


@dataclass
class Tokens:
    """A text's tokens: ``ids`` and each one's character ``spans`` in ``text``."""

    text: str
    ids: np.ndarray
    spans: np.ndarray  # (n, 2)

    def __len__(self) -> int:
        return len(self.ids)

    def tokens_of(self, start: int, end: int) -> tuple[int, int]:
        """Token range [a, b) of the tokens whose first non-space character lies in [start, end)."""
        anchors = self.anchors
        return int(np.searchsorted(anchors, start, "left")), int(np.searchsorted(anchors, end, "left"))

    @functools.cached_property
    def anchors(self) -> np.ndarray:
        """Each token's first non-space character, never decreasing. A lone space before a word (a
        word the tokenizer does not join to its space) belongs to the word; other space to no word."""
        text, out = self.text, np.empty(len(self.ids), dtype=np.int64)
        for i, (a, b) in enumerate(self.spans.tolist()):
            k = a
            while k < b - 1 and text[k].isspace():
                k += 1
            if b == a + 1 and text[a] == " " and b < len(text) and not text[b].isspace():
                k = b
            out[i] = k
        return np.maximum.accumulate(out) if len(out) else out


@dataclass
class Branch:
    """Score ``candidates`` (token id lists) in place of tokens ``[start, stop)`` of a text, each
    followed by up to ``right`` tokens of the text; :attr:`gains` comes back filled: each
    candidate's log-probability minus the text's own (nats; > 0: the candidate reads better)."""

    start: int
    stop: int
    candidates: list[list[int]]
    right: int = RIGHT
    gains: list[float] = field(default_factory=list)


@dataclass
class Reading:
    """What the model made of one text (arrays indexed by token)."""

    tokens: Tokens
    surprisal: np.ndarray  # -ln P(token | left context)
    entropy: np.ndarray  # entropy of the prediction the token was scored from
    hidden: np.ndarray  # (n, dim) the state that predicted each token
    lse: np.ndarray  # its log normaliser
    top: np.ndarray  # ln P of the likeliest token there (the word's surprisal less this: how far below the best)
    window_end: np.ndarray  # index one past the last token of each token's window
    model: object = field(default=None, repr=False)

    def tokens_of(self, start: int, end: int) -> tuple[int, int]:
        return self.tokens.tokens_of(start, end)

    def logprob_of(self, positions: np.ndarray, token_ids: np.ndarray) -> np.ndarray:
        """ln P(``token_ids[r]`` at token position ``positions[r]``) in the same left context."""
        logits = self.model.transformer.token_logits(self.hidden[positions], token_ids)
        return logits - self.lse[positions]

    def top_tokens(self, position: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` likeliest tokens at ``position`` and their log-probabilities."""
        logits = self.model.transformer.logits(self.hidden[position][None, :])[0]
        best = np.argpartition(-logits, k)[:k]
        best = best[np.argsort(-logits[best])]
        return best, logits[best] - self.lse[position]


def default_threads() -> int:
    """Threads of the matrix products: ``$DETECTOR_NEURAL_THREADS``, else the cores (at most 4)."""
    given = os.environ.get("DETECTOR_NEURAL_THREADS", "")
    return max(1, int(given)) if given.isdigit() else max(1, min(4, os.cpu_count() or 1))


class LanguageModel:
    """SmolLM2-135M with its tokenizer: :meth:`tokenize`, then :meth:`read` many texts at once.

    ``threads``: of the matrix products while reading (a worker among several should use 1:
    BLAS threads fighting over busy cores run many times slower). ``device``: ``cpu`` (numpy) or a
    torch device such as ``cuda`` (:mod:`detector.neural.torch_backend`)."""

    def __init__(self, arrays: dict[str, np.ndarray] | None = None, spec: ModelSpec = MODEL,
                 threads: int | None = None, device: str = "cpu"):
        arrays = load_arrays() if arrays is None else arrays
        self.spec = spec
        self.threads = threads or default_threads()
        self.device = device
        if device == "cpu":
            self.transformer = Transformer(arrays, spec)
        else:
            from detector.neural.torch_backend import TorchTransformer

            self.transformer = TorchTransformer(arrays, spec, device)
        vocab = bytes(arrays["vocab"]).decode("utf-8").split("\n")
        merges = bytes(arrays["merges"]).decode("utf-8").split("\n")
        self.tokenizer = ByteBPE(vocab, merges)
        self.label = spec.label

    def tokenize(self, text: str) -> Tokens:
        ids, spans = self.tokenizer.encode(text)
        return Tokens(text, np.array(ids, dtype=np.int64), np.array(spans, dtype=np.int64).reshape(-1, 2))

    def candidate_ids(self, text: str, start: int, word: str) -> list[int]:
        """Token ids of ``word`` written at character ``start`` of ``text`` (with the space before it
        when the text has one there, as the tokenizer would join them)."""
        spaced = start > 0 and text[start - 1] == " "
        return self.tokenizer.encode((" " if spaced else "") + word)[0]

    def read(self, docs: list[Tokens], branches: list[list[Branch]] | None = None, entropy: bool = True,
             choose: Callable[[int, Reading, int, int], list[Branch]] | None = None) -> list[Reading]:
        """Read each text; fill each :class:`Branch` of ``branches[i]`` (queries on text ``i``).

        ``choose(i, reading, start, end)``, when given, is asked after each window of text ``i`` is
        read (tokens ``[start, end)`` of ``reading`` are then filled) for more branches starting in
        that window: queries that depend on what the model predicted there."""
        with threadpool_limits(self.threads, user_api="blas"):
            return self._read(docs, branches or [[] for _ in docs], entropy, choose)

    def _read(self, docs, branches, entropy, choose) -> list[Reading]:
        dim = self.spec.dim
        out = [Reading(d, np.zeros(len(d)), np.zeros(len(d)), np.zeros((len(d), dim), np.float32), np.zeros(len(d)),
                       np.zeros(len(d)), np.zeros(len(d), np.int64), self) for d in docs]
        windows = []  # (doc, context start, scored start, end)
        for i, d in enumerate(docs):
            for s in range(0, len(d), WINDOW):
                windows.append((i, max(0, s - OVERLAP), s, min(len(d), s + WINDOW)))
        pack: list[tuple[int, int, int, int]] = []
        rows = 0
        for w in windows:
            size = w[3] - w[1] + 1
            if pack and rows + size > PACK:
                self._run_pack(docs, out, pack, branches, entropy, choose)
                pack, rows = [], 0
            pack.append(w)
            rows += size
        if pack:
            self._run_pack(docs, out, pack, branches, entropy, choose)
        return out

    def _run_pack(self, docs, out, pack, branches, entropy: bool, choose) -> None:
        ids, positions, seq, row_of = [], [], [], []
        for k, (i, c, _s, e) in enumerate(pack):
            row_of.append(len(ids) + 1 - c)  # row of token t of doc i in this window: row_of + t
            ids += [self.spec.bos, *docs[i].ids[c:e].tolist()]
            positions += list(range(e - c + 1))
            seq += [k] * (e - c + 1)
        ids_a = np.array(ids, dtype=np.int64)
        queries = [(k, q) for k, (i, _c, s, e) in enumerate(pack) for q in branches[i] if s <= q.start < e]
        base = self.transformer.run(ids_a, np.array(positions), np.array(seq),
                                    keep=bool(queries) or choose is not None)
        # the rows that predict the scored tokens (token t is predicted by the row before it)
        rows = np.concatenate([np.arange(s, e) + row_of[k] - 1 for k, (_i, _c, s, e) in enumerate(pack)])
        lse, ent, top = self.transformer.log_normalisers(base.hidden[rows], entropy)
        got = self.transformer.token_logits(base.hidden[rows], ids_a[rows + 1])
        at = 0
        for i, _c, s, e in pack:
            r, n = out[i], e - s
            r.surprisal[s:e] = lse[at : at + n] - got[at : at + n]
            r.lse[s:e] = lse[at : at + n]
            r.top[s:e] = top[at : at + n] - lse[at : at + n]
            if ent is not None:
                r.entropy[s:e] = ent[at : at + n]
            r.hidden[s:e] = base.hidden[rows[at : at + n]]
            r.window_end[s:e] = e
            at += n
        if choose is not None:
            for k, (i, _c, s, e) in enumerate(pack):
                queries += [(k, q) for q in choose(i, out[i], s, e) if s <= q.start < e]
        if queries:
            self._branches(base, pack, row_of, queries, out)

    def _branches(self, base, pack, row_of, queries, out) -> None:
        """Fill the gains of the queries on this pack's windows, in batches of branch rows."""
        jobs = []  # (query, candidate index, pack window, fed tokens, predicted tokens, right used)
        for k, q in queries:
            i, c, s, e = pack[k]
            right = max(0, min(q.right, e - q.stop))
            follow = out[i].tokens.ids[q.stop : q.stop + right].tolist()
            q.gains = [0.0] * len(q.candidates)
            for j, cand in enumerate(q.candidates):
                if cand:
                    jobs.append((q, j, k, i, cand + follow, right))
        for first in range(0, len(jobs), max(1, BRANCH_ROWS // 6)):
            batch = jobs[first : first + max(1, BRANCH_ROWS // 6)]
            feed, start, offset, branch_of = [], [], [], []
            for b, (q, _j, k, _i, seq_tokens, _right) in enumerate(batch):
                fed = seq_tokens[:-1]  # the last token is only predicted
                feed += fed
                start += [row_of[k] + q.start] * len(fed)
                offset += list(range(len(fed)))
                branch_of += [b] * len(fed)
            hidden = (self.transformer.branch(base, np.array(feed, dtype=np.int64), np.array(start),
                                              np.array(offset), np.array(branch_of)) if feed else None)
            if hidden is not None:
                targets = np.array([t for (_q, _j, _k, _i, s_tokens, _r) in batch for t in s_tokens[1:]],
                                   dtype=np.int64)
                lse, _, _ = self.transformer.log_normalisers(hidden)
                lp = self.transformer.token_logits(hidden, targets) - lse
            at = 0
            for q, j, _k, i, seq_tokens, right in batch:
                r = out[i]
                first_lp = float(r.logprob_of(np.array([q.start]), np.array([seq_tokens[0]]))[0])
                n = len(seq_tokens) - 1
                total = first_lp + (float(lp[at : at + n].sum()) if n else 0.0)
                at += n
                own = -float(r.surprisal[q.start : q.stop + right].sum())
                q.gains[j] = total - own


@functools.lru_cache(maxsize=4)
def language_model(threads: int | None = None, device: str = "cpu") -> LanguageModel:
    """The shared model (loaded once per process, thread count and device; raises
    :class:`~detector.neural.weights.NeuralUnavailable` when the weights are not installed)."""
    return LanguageModel(_arrays(), threads=threads, device=device)


def switched_off() -> bool:
    """Whether ``DETECTOR_NEURAL=off`` (or 0/no/false) turns the neural model off where not asked for."""
    return os.environ.get("DETECTOR_NEURAL", "").lower() in ("0", "off", "no", "false")


def optional_language_model(neural: bool | None, threads: int | None = None,
                            device: str = "cpu") -> LanguageModel | None:
    """The shared model, or ``None``: ``neural=False``; ``None`` with :func:`switched_off` or the
    weights not installed. ``neural=True`` raises ``NeuralUnavailable`` when they are missing."""
    if neural is False or (neural is None and switched_off()):
        return None
    try:
        return language_model(threads, device)
    except NeuralUnavailable:
        if neural:
            raise
        return None


@functools.lru_cache(maxsize=1)
def _arrays() -> dict[str, np.ndarray]:
    return load_arrays()
