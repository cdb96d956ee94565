"""The transformer itself, in numpy: SmolLM2's decoder over packed sequences, and branches off them.

>>> import numpy as np
>>> tiny = Transformer(random_arrays(np.random.default_rng(0), layers=2, vocab=50), ModelSpec(layers=2, vocab=50))
>>> run = tiny.run(np.array([0, 5, 7, 0, 9]), np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 1]))
>>> run.hidden.shape
(5, 576)
>>> alone = tiny.run(np.array([0, 9]), np.array([0, 1]), np.array([0, 0]))
>>> bool(np.allclose(run.hidden[3:], alone.hidden, atol=1e-4))  # packed sequences do not see each other
True

A Llama-style decoder (rotary positions, grouped-query attention, RMS norms, SwiGLU feed-forward,
tied input and output embeddings) written with numpy's matrix products, which run on every
machine pip installs numpy on: no compiler, no torch. One call scores several sequences packed
into one matrix (each token attends only to earlier tokens of its own sequence), which keeps the
products large when texts are short.

:meth:`Transformer.branch` runs alternative continuations off a finished pass: each branch row
attends to the pass's cached keys and values before its branch point and to the earlier rows of
its own branch, so a word's candidate originals are scored with both sides of the context for
the cost of the candidate and a few following tokens, not of the whole text again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detector.neural.weights import ModelSpec

LOGIT_ROWS = 256  # rows of output logits computed at a time (each row is 49,152 floats)


@dataclass
class Pass:
    """A forward pass: final hidden states (normalised, before the output embedding), and the keys
    and values of every layer when kept for branches."""

    hidden: np.ndarray
    keys: list[np.ndarray] | None = None  # per layer (N, kv_heads, head_dim), rotated
    values: list[np.ndarray] | None = None
    positions: np.ndarray | None = None
    seq: np.ndarray | None = None


class Transformer:
    """SmolLM2-135M's forward pass over arrays from :func:`detector.neural.weights.load_arrays`."""

    def __init__(self, arrays: dict[str, np.ndarray], spec: ModelSpec):
        self.a, self.spec = arrays, spec
        half = spec.head_dim // 2
        self._inv_freq = (spec.rope_theta ** (-np.arange(half, dtype=np.float64) * 2 / spec.head_dim)).astype(
            np.float32)

    # -- pieces ----------------------------------------------------------------------------------
    def _norm(self, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return x * (1.0 / np.sqrt((x * x).mean(-1, keepdims=True) + self.spec.eps)) * weight

    def _rotate(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Rotary positions on (N, heads, head_dim), pairing dimensions (2i, 2i+1) as GGUF orders them."""
        angle = positions.astype(np.float32)[:, None] * self._inv_freq[None, :]
        cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
        a, b = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    def _attend(self, q: np.ndarray, k: np.ndarray, v: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """Grouped-query attention: q (N, heads, d), k and v (M, kv_heads, d), bias (N, M) of 0 / -inf."""
        s = self.spec
        group = s.heads // s.kv_heads
        n = q.shape[0]
        out = np.empty((n, s.heads, s.head_dim), dtype=np.float32)
        scale = np.float32(1.0 / np.sqrt(s.head_dim))
        for j in range(s.kv_heads):
            kj, vj = np.ascontiguousarray(k[:, j, :]), np.ascontiguousarray(v[:, j, :])
            for g in range(group):
                h = j * group + g
                w = q[:, h, :] @ kj.T
                w *= scale
                w += bias
                w -= w.max(-1, keepdims=True)
                np.exp(w, out=w)
                w /= w.sum(-1, keepdims=True)
                out[:, h, :] = w @ vj
        return out.reshape(n, s.heads * s.head_dim)

    def _layers(self, x: np.ndarray, positions: np.ndarray, bias: np.ndarray,
                past: tuple[list[np.ndarray], list[np.ndarray]] | None, keep: bool):
        s, a = self.spec, self.a
        qd, kd = s.heads * s.head_dim, s.kv_heads * s.head_dim
        keys, values = [], []
        for i in range(s.layers):
            h = self._norm(x, a[f"attn_norm{i}"]) @ a[f"qkv{i}"]
            q = self._rotate(h[:, :qd].reshape(-1, s.heads, s.head_dim), positions)
            k = self._rotate(h[:, qd : qd + kd].reshape(-1, s.kv_heads, s.head_dim), positions)
            v = h[:, qd + kd :].reshape(-1, s.kv_heads, s.head_dim)
            if keep:
                keys.append(k)
                values.append(v)
            if past is not None:
                k, v = np.concatenate([past[0][i], k]), np.concatenate([past[1][i], v])
            x = x + self._attend(q, k, v, bias) @ a[f"out{i}"]
            gu = self._norm(x, a[f"ffn_norm{i}"]) @ a[f"gate_up{i}"]
            gate, up = gu[:, : s.hidden], gu[:, s.hidden :]
            x = x + (gate * (0.5 + 0.5 * np.tanh(0.5 * gate)) * up) @ a[f"down{i}"]  # SiLU without overflow
        return self._norm(x, a["final_norm"]), keys, values

    # -- passes ----------------------------------------------------------------------------------
    def run(self, ids: np.ndarray, positions: np.ndarray, seq: np.ndarray, keep: bool = False) -> Pass:
        """Sequences packed in one matrix: ``ids``, their rotary ``positions`` and sequence numbers
        ``seq``, each sequence's tokens in order. ``keep``: keep keys and values for :meth:`branch`."""
        idx = np.arange(len(ids))
        allowed = (seq[:, None] == seq[None, :]) & (idx[None, :] <= idx[:, None])
        bias = np.where(allowed, np.float32(0), np.float32(-np.inf)).astype(np.float32)
        hidden, keys, values = self._layers(self.a["embed"][ids], positions, bias, None, keep)
        if not keep:
            return Pass(hidden)
        return Pass(hidden, keys, values, positions, seq)

    def branch(self, base: Pass, ids: np.ndarray, start: np.ndarray, offset: np.ndarray,
               branch_of: np.ndarray) -> np.ndarray:
        """Final hidden states of branch rows off ``base`` (a pass run with ``keep=True``).

        Row r is token ``ids[r]`` of branch ``branch_of[r]``, ``offset[r]`` tokens after the
        branch point ``start[r]`` (a row index of ``base``: the branch replaces the text from there
        on). It attends to ``base``'s rows of the same sequence before ``start[r]`` and to the
        earlier rows of its own branch; its position is ``base.positions[start[r]] + offset[r]``."""
        n_base = len(base.hidden)
        base_idx = np.arange(n_base)
        own_seq = base.seq[start]
        to_base = (base.seq[None, :] == own_seq[:, None]) & (base_idx[None, :] < start[:, None])
        rows = np.arange(len(ids))
        to_self = (branch_of[None, :] == branch_of[:, None]) & (rows[None, :] <= rows[:, None])
        allowed = np.concatenate([to_base, to_self], axis=1)
        bias = np.where(allowed, np.float32(0), np.float32(-np.inf)).astype(np.float32)
        positions = base.positions[start] + offset
        hidden, _, _ = self._layers(self.a["embed"][ids], positions, bias, (base.keys, base.values), False)
        return hidden

    def log_normalisers(self, hidden: np.ndarray, entropy: bool = False
                        ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """log-sum-exp of each row's output logits, the entropy of its prediction (nats, when
        asked) and its largest logit."""
        lse = np.empty(len(hidden), dtype=np.float64)
        ent = np.empty(len(hidden), dtype=np.float64) if entropy else None
        top = np.empty(len(hidden), dtype=np.float64)
        embed = self.a["embed"]
        for a in range(0, len(hidden), LOGIT_ROWS):
            logits = hidden[a : a + LOGIT_ROWS] @ embed.T
            most = logits.max(-1, keepdims=True)
            e = np.exp(logits - most)
            total = e.sum(-1)
            lse[a : a + LOGIT_ROWS] = np.log(total) + most[:, 0]
            top[a : a + LOGIT_ROWS] = most[:, 0]
            if ent is not None:
                ent[a : a + LOGIT_ROWS] = lse[a : a + LOGIT_ROWS] - (e * logits).sum(-1) / total
        return lse, ent, top

    def logits(self, hidden: np.ndarray) -> np.ndarray:
        return hidden @ self.a["embed"].T

    def token_logits(self, hidden: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """Logit of ``tokens[r]`` after row ``r`` (without the full output layer)."""
        return np.einsum("nd,nd->n", hidden, self.a["embed"][tokens])


def random_arrays(rng: np.random.Generator, layers: int = 2, vocab: int = 50) -> dict[str, np.ndarray]:
    """Random weights of the right shapes (for tests of the arithmetic, not of English)."""
    s = ModelSpec(layers=layers, vocab=vocab)
    qkv = (s.heads + 2 * s.kv_heads) * s.head_dim

    def m(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    out = {"embed": m(vocab, s.dim), "final_norm": np.ones(s.dim, np.float32)}
    for i in range(layers):
        out |= {f"qkv{i}": m(s.dim, qkv), f"out{i}": m(s.heads * s.head_dim, s.dim),
                f"gate_up{i}": m(s.dim, 2 * s.hidden), f"down{i}": m(s.hidden, s.dim),
                f"attn_norm{i}": np.ones(s.dim, np.float32), f"ffn_norm{i}": np.ones(s.dim, np.float32)}
    return out
