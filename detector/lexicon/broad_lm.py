"""A broad trigram model of ordinary English (pocketsphinx's ``en-us.lm.bin``), as numpy lookups.

>>> from detector.lexicon.tables import Vocabulary
>>> vocab = Vocabulary(["<num>", "<unk>", "the", "phone", "telephone", "number", "quantity", "zzqx"])
>>> lm = BroadLM.for_vocabulary(vocab)
>>> ids = np.array([vocab.id(w) for w in ("phone", "telephone", "zzqx")])
>>> after = lm.logprob(np.array([-1, -1, -1]), ids, np.array([vocab.id(w) for w in ("number", "quantity", "number")]))
>>> [round(float(x), 2) for x in after[:2]], bool(np.isnan(after[2]))
([-1.48, -5.76], False)
>>> bool(np.isnan(lm.logprob(np.array([-1]), np.array([vocab.id("the")]), np.array([vocab.id("zzqx")]))[0]))
True

The model is the general-English trigram model that ships in the ``pocketsphinx==5.1.1`` wheel
(BSD-2-clause; the same file is in Debian's ``pocketsphinx-en-us``): 72.5k lower-case words, 2.05M
bigrams and 1.67M trigrams, with quantised log probabilities and back-off weights. Its ARPA export
is broken, so the binary trie is read here directly (:func:`read_trie`: the layout of pocketsphinx's
``lm_trie.c``; the values match ``pocketsphinx.NGramModel.prob`` to one log unit), once, into hash
tables keyed by the detector's vocabulary ids, which are cached on disk
(``~/.cache/detector/broad-lm-<key>/``, keyed by the model file and the vocabulary) and memory-mapped
on later loads.

:meth:`BroadLM.logprob` gives ``log10 p(c | a b)`` with Katz back-off, vectorised. A word the model
does not know (``c`` unknown: "uk" is spelled "u. k." there, "podcast", numbers) gives NaN: *no
evidence*, never suspicion. An unknown history word shortens the history, as in pocketsphinx.
"""

from __future__ import annotations

import importlib.metadata
import math
import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np

from detector.errors import ResourceError
from detector.lexicon.hashtable import IntHashTable

LM_FIX = "pip install 'pocketsphinx==5.1.1'"
LM_FILE = ("model", "en-us", "en-us.lm.bin")
CACHE_SCHEMA = 1
_HEADER = b"Trie Language Model"
_LOG10_BASE = math.log10(1.0001)  # the file stores logs in base 1.0001
_UNIGRAM = np.dtype([("prob", "<f4"), ("bo", "<f4"), ("next", "<u4")])
_QUANT_BITS = 16


def model_path() -> Path:
    """The ``en-us.lm.bin`` inside the installed pocketsphinx wheel (or ``$DETECTOR_BROAD_LM``), or a
    one-line error with the fix."""
    import importlib.util
    import os

    if os.environ.get("DETECTOR_BROAD_LM"):
        path = Path(os.environ["DETECTOR_BROAD_LM"])
        if not path.is_file():
            raise ResourceError(f"DETECTOR_BROAD_LM names {path}, which is not a file; fix: unset it or {LM_FIX}")
        return path

    spec = importlib.util.find_spec("pocketsphinx")
    if spec is None or not spec.submodule_search_locations:
        raise ResourceError(f"the broad English model (pocketsphinx) is not installed; fix: {LM_FIX}")
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*LM_FILE)
    if not path.is_file():
        raise ResourceError(f"pocketsphinx's English model {path} is missing; fix: {LM_FIX}")
    return path


def read_trie(path: Path) -> dict:
    """The n-grams of a pocketsphinx trie file as arrays (log10, dequantised, reading order).

    Layout (little-endian): header text, order (uint8), counts (uint32 each), an unused int32, the
    quantisation tables (float32[65536] each: bigram prob, bigram back-off, trigram prob), unigrams
    ``{prob, bo, next}`` (V + 1 records, the last a sentinel), the bit-packed bigram and trigram
    arrays, and the words, NUL-separated. The trie is keyed on the *reversed* n-gram: unigram ``c``
    owns bigram entries ``[next[c], next[c + 1])``, each storing ``b`` of "b c", whose entries in
    turn store ``a`` of "a b c". A bigram entry packs word, back-off code, prob code, next pointer.
    """
    try:
        data = path.read_bytes()
        if not data.startswith(_HEADER) or data[len(_HEADER)] != 3:
            raise ValueError("not a trigram trie model")
        pos = len(_HEADER) + 1
        counts = struct.unpack_from("<3I", data, pos)
        pos += 12 + 4
        quant = np.frombuffer(data, dtype="<f4", count=3 << 16, offset=pos).reshape(3, 1 << 16).astype(np.float64)
        pos += 3 * 4 << 16
        V = counts[0]
        uni = np.frombuffer(data, dtype=_UNIGRAM, count=V + 1, offset=pos)
        pos += uni.nbytes
        word_bits = int(V).bit_length()
        mid_bits = word_bits + 2 * _QUANT_BITS + int(counts[2]).bit_length()
        top_bits = word_bits + _QUANT_BITS
        mid_size = ((1 + counts[1]) * mid_bits + 7) // 8 + 8
        top_size = ((1 + counts[2]) * top_bits + 7) // 8 + 8
        mid = _Bits(data[pos : pos + mid_size])
        top = _Bits(data[pos + mid_size : pos + mid_size + top_size])
        pos += mid_size + top_size
        (k,) = struct.unpack_from("<i", data, pos)
        words = data[pos + 4 : pos + 4 + k].decode("utf-8", errors="replace").split("\0")[:V]
        if len(words) != V or pos + 4 + k != len(data):
            raise ValueError("word table does not match the header")
    except (OSError, ValueError, IndexError, struct.error) as err:
        raise ResourceError(f"pocketsphinx's English model {path} is damaged ({err}); fix: pip install "
                            f"--force-reinstall 'pocketsphinx==5.1.1'") from err
    nxt = uni["next"].astype(np.int64)
    n2 = int(nxt[-1])
    c_of = np.repeat(np.arange(V, dtype=np.int64), np.diff(nxt))  # the last word of each bigram entry
    base = np.arange(n2, dtype=np.int64) * mid_bits
    b_of = mid.read(base, word_bits)
    bo2 = quant[1][mid.read(base + word_bits, _QUANT_BITS)]
    p2 = quant[0][mid.read(base + word_bits + _QUANT_BITS, _QUANT_BITS)]
    nxt2 = mid.read(np.arange(n2 + 1, dtype=np.int64) * mid_bits + word_bits + 2 * _QUANT_BITS,
                    int(counts[2]).bit_length())
    n3 = int(nxt2[-1])
    parent = np.repeat(np.arange(n2, dtype=np.int64), np.diff(nxt2))
    base3 = np.arange(n3, dtype=np.int64) * top_bits
    a_of = top.read(base3, word_bits)
    p3 = quant[2][top.read(base3 + word_bits, _QUANT_BITS)]
    scale = _LOG10_BASE
    return {
        "words": words,
        "uni": (uni["prob"][:V] * scale).astype(np.float32), "uni_bo": (uni["bo"][:V] * scale).astype(np.float32),
        "bi": (b_of, c_of, (p2 * scale).astype(np.float32), (bo2 * scale).astype(np.float32)),
        "tri": (a_of, b_of[parent], c_of[parent], (p3 * scale).astype(np.float32)),
    }


class _Bits:
    """Little-endian bit fields: the 8 bytes at ``offset >> 3``, shifted by ``offset & 7``, masked."""

    def __init__(self, buffer: bytes):
        raw = np.frombuffer(buffer, dtype=np.uint8)
        self._bytes = np.concatenate([raw, np.zeros(16, np.uint8)])
        self._u64 = np.ndarray(shape=(raw.size + 8,), dtype="<u8", buffer=self._bytes, strides=(1,))

    def read(self, offsets: np.ndarray, bits: int) -> np.ndarray:
        values = self._u64[offsets >> 3] >> (offsets & 7).astype(np.uint64)
        return (values & np.uint64((1 << bits) - 1)).astype(np.int64)


class Window(NamedTuple):
    centre: np.ndarray  # log10 p(x | p2 p1), NaN where x is unknown
    r1: np.ndarray  # log10 p(n1 | p1 x), NaN where n1 is missing
    r2: np.ndarray  # log10 p(n2 | x n1)
    left_listed: np.ndarray  # the bigram "p1 x" is in the model
    right_listed: np.ndarray  # "x n1" is


class BroadLM:
    """Back-off trigram log probabilities over the detector's vocabulary ids (see the module docstring)."""

    def __init__(self, uni: np.ndarray, uni_bo: np.ndarray, bigrams: IntHashTable, trigrams: IntHashTable):
        self.V = len(uni)
        self.uni = uni  # log10 p(w), NaN for words the model does not know
        self.uni_bo = uni_bo
        self.known = ~np.isnan(uni)
        self._bi = bigrams  # values: log10 p(c | b); columns[1]: back-off weight of "b c"
        self._tri = trigrams

    def state(self) -> dict[str, np.ndarray]:
        return {"uni": self.uni, "uni_bo": self.uni_bo, **self._bi.state("bi"), **self._tri.state("tri")}

    @classmethod
    def from_state(cls, arrays) -> BroadLM:
        return cls(arrays["uni"], arrays["uni_bo"], IntHashTable.from_state(arrays, "bi"),
                   IntHashTable.from_state(arrays, "tri"))

    # -- building and caching ---------------------------------------------------------------------
    @classmethod
    def build(cls, vocab, path: Path | None = None) -> BroadLM:
        """The model restricted to ``vocab`` (words it lacks are dropped)."""
        lm = read_trie(path or model_path())
        V = len(vocab)
        ours = np.array([vocab.index.get(w, -1) if not w.startswith("<") else -1 for w in lm["words"]],
                        dtype=np.int64)
        uni = np.full(V, np.nan, dtype=np.float32)
        uni_bo = np.zeros(V, dtype=np.float32)
        have = ours >= 0
        uni[ours[have]] = lm["uni"][have]
        uni_bo[ours[have]] = lm["uni_bo"][have]
        b, c, p2, bo2 = lm["bi"]
        ok = (ours[b] >= 0) & (ours[c] >= 0)
        bi_keys = ours[b[ok]] * V + ours[c[ok]]
        a, b3, c3, p3 = lm["tri"]
        ok3 = (ours[a] >= 0) & (ours[b3] >= 0) & (ours[c3] >= 0)
        tri_keys = (ours[a[ok3]] * V + ours[b3[ok3]]) * V + ours[c3[ok3]]
        return cls(uni, uni_bo, IntHashTable(bi_keys, p2[ok], load=0.5, extra=(bo2[ok],)),
                   IntHashTable(tri_keys, p3[ok3], load=0.5))

    @classmethod
    def for_vocabulary(cls, vocab) -> BroadLM:
        """The model over ``vocab``, from the cache (built first when missing or damaged)."""
        from detector.lexicon.resources import cached_arrays

        path = model_path()
        versions = {"schema": CACHE_SCHEMA, "pocketsphinx": _version(), "size": path.stat().st_size,
                    "vocabulary": vocab.fingerprint(), "numpy": np.__version__.split(".")[0]}
        state = cached_arrays("broad-lm", versions, lambda: cls.build(vocab, path).state(),
                              "reading pocketsphinx's English model into the cache")
        return cls.from_state(state)

    # -- lookups ----------------------------------------------------------------------------------
    def has_bigram(self, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Whether the model lists the bigram "b c" (False at a boundary or for an unknown word)."""
        b, c = np.asarray(b, dtype=np.int64), np.asarray(c, dtype=np.int64)
        return self._bi.slots(np.where((b >= 0) & (c >= 0), b * self.V + c, -1)) >= 0

    def _mask(self, ids: np.ndarray) -> np.ndarray:
        """Ids the model knows; -1 elsewhere (an unknown word cuts the history, as in pocketsphinx)."""
        ids = np.asarray(ids, dtype=np.int64)
        return np.where((ids >= 0) & self.known[np.maximum(ids, 0)], ids, -1)

    def _pair(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For masked ids: (bigram "b c" listed, log10 p(c | b) with back-off to the unigram, back-off
        weight of the history "b c"). p is NaN where c is missing."""
        slots = self._bi.slots(np.where((b >= 0) & (c >= 0), b * self.V + c, -1))
        found = slots >= 0
        at = np.maximum(slots, 0)
        p = np.where(found, self._bi.values[at], np.where(b >= 0, self.uni_bo[np.maximum(b, 0)], 0)
                     + self.uni[np.maximum(c, 0)])
        return found, np.where(c >= 0, p, np.nan), np.where(found, self._bi.columns[1][at], 0.0)

    def _triple(self, a, b, c, ab_found, ab_bo, p_bc) -> np.ndarray:
        """log10 p(c | a b) given the lookups of "a b" and p(c | b): a trigram is only looked up under
        a listed bigram (an ARPA model lists no trigram without its history)."""
        tri = self._tri.get(np.where(ab_found & (c >= 0), (a * self.V + b) * self.V + c, -1), np.nan)
        return np.where(np.isnan(tri), ab_bo + p_bc, tri)

    def logprob(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """log10 p(c | a b) for arrays of ids (negative ids: no word there, e.g. a boundary)."""
        a, b, c = self._mask(a), self._mask(b), self._mask(c)
        a = np.where(b >= 0, a, -1)
        ab_found, _, ab_bo = self._pair(a, b)
        _, p_bc, _ = self._pair(b, c)
        return self._triple(a, b, c, ab_found, ab_bo, p_bc).astype(np.float32)

    def window(self, p2: np.ndarray, p1: np.ndarray, x: np.ndarray, n1: np.ndarray, n2: np.ndarray,
               owner: np.ndarray | None = None) -> Window:
        """``log10 p(x | p2 p1)``, ``p(n1 | p1 x)`` and ``p(n2 | x n1)`` for words ``x`` in windows
        ``p2 p1 _ n1 n2``, and whether "p1 x" and "x n1" are listed bigrams: the context arrays are
        per position and ``owner`` maps each ``x`` to its position (the candidates of a word share its
        context). Bigram lookups are shared between the terms: about five hash probes a word, not nine."""
        p2, p1, n1, n2 = self._mask(p2), self._mask(p1), self._mask(n1), self._mask(n2)
        p2 = np.where(p1 >= 0, p2, -1)
        n2 = np.where(n1 >= 0, n2, -1)
        f21, _, bo21 = self._pair(p2, p1)  # per position
        _, p_n2, _ = self._pair(n1, n2)
        if owner is not None:
            p2, p1, n1, n2, f21, bo21, p_n2 = (v[owner] for v in (p2, p1, n1, n2, f21, bo21, p_n2))
        x = self._mask(x)
        f1x, p_x, bo1x = self._pair(p1, x)
        centre = self._triple(p2, p1, x, f21, bo21, p_x)
        fx1, p_n1, box1 = self._pair(x, n1)
        r1 = self._triple(p1, x, n1, f1x, bo1x, p_n1)
        r2 = self._triple(x, n1, n2, fx1, box1, p_n2)
        return Window(centre.astype(np.float32), r1.astype(np.float32), r2.astype(np.float32), f1x, fx1)


def _version() -> str:
    try:
        return importlib.metadata.version("pocketsphinx")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
