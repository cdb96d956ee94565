"""The same transformer on torch, for a GPU: ``--device cuda`` (torch with CUDA installed).

>>> import numpy as np
>>> from detector.neural.transformer import Transformer, random_arrays
>>> from detector.neural.weights import ModelSpec
>>> arrays, spec = random_arrays(np.random.default_rng(0), layers=2, vocab=50), ModelSpec(layers=2, vocab=50)
>>> ids, pos, seq = np.array([0, 5, 7, 0, 9]), np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 1])
>>> a = Transformer(arrays, spec).run(ids, pos, seq).hidden
>>> b = TorchTransformer(arrays, spec, "cpu").run(ids, pos, seq).hidden     # doctest: +SKIP
>>> bool(np.allclose(a, b, atol=1e-4))                                       # doctest: +SKIP
True

(``tests/neural`` runs the comparison when torch is installed.)

The arithmetic is :class:`detector.neural.transformer.Transformer`'s, line for line, on torch
tensors in float32 on the given device; what it returns (hidden states, normalisers, logits) is
numpy, so :mod:`detector.neural.reading` cannot tell them apart. On a CPU the numpy transformer is
as fast (measured in ``benchmarks/results/neural_runtime.md``) and needs no torch, so ``cpu`` uses
numpy; torch is imported only when a GPU is asked for.
"""

from __future__ import annotations

import numpy as np

from detector.errors import ResourceError
from detector.neural.transformer import LOGIT_ROWS, Pass
from detector.neural.weights import ModelSpec


def torch_device(device: str):
    """The torch device for ``device`` ("cuda", "cuda:1"...), or a one-line error saying what is missing."""
    try:
        import torch
    except ImportError as err:
        raise ResourceError(f"--device {device} needs torch with CUDA: pip install torch (see pytorch.org for the "
                            "CUDA build that matches your driver)") from err
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ResourceError(f"--device {device}: torch {torch.__version__} sees no CUDA device here")
    return torch.device(device)


class TorchTransformer:
    """:class:`~detector.neural.transformer.Transformer` on torch (same methods, numpy in and out)."""

    def __init__(self, arrays: dict[str, np.ndarray], spec: ModelSpec, device: str = "cuda"):
        import torch

        self.torch, self.spec, self.device = torch, spec, torch_device(device)
        self.w = {k: torch.from_numpy(np.ascontiguousarray(v)).to(self.device)
                  for k, v in arrays.items() if v.dtype == np.float32}
        half = spec.head_dim // 2
        self._inv_freq = (spec.rope_theta ** (-torch.arange(half, dtype=torch.float64, device=self.device) * 2
                                               / spec.head_dim)).float()

    def _t(self, x: np.ndarray):
        return self.torch.from_numpy(np.ascontiguousarray(x)).to(self.device)

    def _norm(self, x, weight):
        return x * self.torch.rsqrt((x * x).mean(-1, keepdim=True) + self.spec.eps) * weight

    def _rotate(self, x, positions):
        angle = positions.float()[:, None] * self._inv_freq[None, :]
        cos, sin = angle.cos()[:, None, :], angle.sin()[:, None, :]
        a, b = x[..., 0::2], x[..., 1::2]
        out = self.torch.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    def _attend(self, q, k, v, bias):
        s = self.spec
        group = s.heads // s.kv_heads
        k = k.repeat_interleave(group, dim=1)  # (M, heads, d)
        v = v.repeat_interleave(group, dim=1)
        w = self.torch.einsum("nhd,mhd->hnm", q, k) / float(np.sqrt(s.head_dim)) + bias[None]
        w = w.softmax(-1)
        return self.torch.einsum("hnm,mhd->nhd", w, v).reshape(q.shape[0], s.heads * s.head_dim)

    def _layers(self, x, positions, bias, past, keep: bool):
        s, w = self.spec, self.w
        qd, kd = s.heads * s.head_dim, s.kv_heads * s.head_dim
        keys, values = [], []
        for i in range(s.layers):
            h = self._norm(x, w[f"attn_norm{i}"]) @ w[f"qkv{i}"]
            q = self._rotate(h[:, :qd].reshape(-1, s.heads, s.head_dim), positions)
            k = self._rotate(h[:, qd : qd + kd].reshape(-1, s.kv_heads, s.head_dim), positions)
            v = h[:, qd + kd :].reshape(-1, s.kv_heads, s.head_dim)
            if keep:
                keys.append(k)
                values.append(v)
            if past is not None:
                k, v = self.torch.cat([past[0][i], k]), self.torch.cat([past[1][i], v])
            x = x + self._attend(q, k, v, bias) @ w[f"out{i}"]
            gu = self._norm(x, w[f"ffn_norm{i}"]) @ w[f"gate_up{i}"]
            gate, up = gu[:, : s.hidden], gu[:, s.hidden :]
            x = x + (self.torch.nn.functional.silu(gate) * up) @ w[f"down{i}"]
        return self._norm(x, w["final_norm"]), keys, values

    def _bias(self, allowed: np.ndarray):
        return self._t(np.where(allowed, np.float32(0), np.float32(-np.inf)).astype(np.float32))

    def run(self, ids: np.ndarray, positions: np.ndarray, seq: np.ndarray, keep: bool = False) -> Pass:
        with self.torch.inference_mode():
            idx = np.arange(len(ids))
            bias = self._bias((seq[:, None] == seq[None, :]) & (idx[None, :] <= idx[:, None]))
            hidden, keys, values = self._layers(self.w["embed"][self._t(ids)], self._t(positions), bias, None, keep)
            out = Pass(hidden.cpu().numpy())
            if keep:
                out.keys, out.values, out.positions, out.seq = keys, values, positions, seq
            return out

    def branch(self, base: Pass, ids: np.ndarray, start: np.ndarray, offset: np.ndarray,
               branch_of: np.ndarray) -> np.ndarray:
        with self.torch.inference_mode():
            base_idx = np.arange(len(base.hidden))
            to_base = (base.seq[None, :] == base.seq[start][:, None]) & (base_idx[None, :] < start[:, None])
            rows = np.arange(len(ids))
            to_self = (branch_of[None, :] == branch_of[:, None]) & (rows[None, :] <= rows[:, None])
            bias = self._bias(np.concatenate([to_base, to_self], axis=1))
            positions = self._t(base.positions[start] + offset)
            hidden, _, _ = self._layers(self.w["embed"][self._t(ids)], positions, bias, (base.keys, base.values),
                                        False)
            return hidden.cpu().numpy()

    def log_normalisers(self, hidden: np.ndarray, entropy: bool = False):
        lse, ent, top = [], [], []
        with self.torch.inference_mode():
            for a in range(0, len(hidden), LOGIT_ROWS):
                logits = self._t(hidden[a : a + LOGIT_ROWS]) @ self.w["embed"].T
                total = logits.logsumexp(-1)
                lse.append(total)
                top.append(logits.max(-1).values)
                if entropy:
                    ent.append(total - (logits.softmax(-1) * logits).sum(-1))
        def cat(parts):
            return self.torch.cat(parts).double().cpu().numpy() if parts else np.zeros(0)

        return cat(lse), (cat(ent) if entropy else None), cat(top)

    def logits(self, hidden: np.ndarray) -> np.ndarray:
        with self.torch.inference_mode():
            return (self._t(hidden) @ self.w["embed"].T).cpu().numpy()

    def token_logits(self, hidden: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        with self.torch.inference_mode():
            return (self._t(hidden) * self.w["embed"][self._t(tokens)]).sum(-1).cpu().numpy()
