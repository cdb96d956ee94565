"""The kind of a derivation, and its direction, from a pair's measurements: two small linear models.

>>> from detector.trace.facts import profile
>>> from detector.trace.relate import compare
>>> c = compare(profile("a", "Users of the app said it was popular with people in the city. They post."),
...             profile("b", "Customers of the app stated it was well-liked with individuals in the city. They post."))
>>> kind_features(c).shape == (len(KIND_FEATURES),), direction_features(c).shape == (len(DIRECTION_FEATURES),)
(True, True)
>>> bool(np.allclose(direction_features(compare(c.b, c.a)), -direction_features(c)))
True

Which documents are related at all is decided by rules (:func:`detector.trace.relate.classify`:
words aligned, or sentences restated with their facts); *how* one was made from the other is a
multinomial logistic model over :data:`KIND_FEATURES` (what changed: function words alone, words
added or dropped, words moved, sentences split or merged, whole sentences left out), and *which*
is the source is a logistic model per kind over :data:`DIRECTION_FEATURES`, which change sign
when the pair is swapped (which side reads likelier, is longer, holds facts the other lacks, is
more spun, uses commoner words). Both were fitted on families of the training genres only
(``python scripts/train_trace.py``); the model file is JSON (coefficients, no code), versioned,
with a model card beside it (``detector/data/trace/MODEL_CARD.md``).
"""

from __future__ import annotations

import bisect
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ModelError
from detector.trace.facts import _FUNCTION
from detector.trace.relate import Comparison

MODEL_FORMAT = 1
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "trace" / "trace-model.json"
KIND_FEATURES = (
    "shorter_cover", "longer_cover", "length_ratio", "changed_function_share", "indel_share",
    "function_only_share", "moved_share", "change_density", "change_size", "sentences_small", "sentences_large",
    "order", "sentence_count_ratio", "facts_min", "facts_max", "fluency_gap", "topic", "identical_sentences", "edited",
)
DIRECTION_FEATURES = (
    "fluency", "log_length_ratio", "own_facts", "spun_score_gap", "changed_zipf", "unknown_words",
    "log_sentence_ratio", "unmatched_sentences", "mt_damage_gap",
    "damaged_fluency",
)


def _changed_places(c: Comparison) -> list[tuple]:
    return c.places


def _identical_sentences(c: Comparison) -> float:
    """Share of the smaller side's sentences found verbatim (folded words) on the other side."""
    def keys(p):
        out = []
        starts = [t.start for t in p.tokens]
        for s in p.sentences:
            lo, hi = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
            out.append(" ".join(p.words[lo:hi]))
        return out

    ka, kb = keys(c.a), keys(c.b)
    small, large = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    if not small:
        return 0.0
    big = set(large)
    return sum(k in big for k in small) / len(small)


def kind_features(c: Comparison) -> np.ndarray:
    """Symmetric measurements of a pair (the same whichever side is ``a``)."""
    a, b = c.a, c.b
    small_is_a = a.length <= b.length
    places = _changed_places(c)
    changed = sum((i2 - i1) + (j2 - j1) for _, i1, i2, j1, j2 in places)
    na, nb = len(a.sentences), len(b.sentences)
    return np.array([
        c.cover_a if small_is_a else c.cover_b,
        c.cover_b if small_is_a else c.cover_a,
        c.length_ratio,
        c.changed_function_share,
        c.indel_share,
        c.function_only_share,
        c.moved_share,
        len(places) / max(min(a.length, b.length), 1),
        changed / max(len(places), 1) / 4,
        c.sentences_a if small_is_a else c.sentences_b,
        c.sentences_b if small_is_a else c.sentences_a,
        max(c.order, c.order_b),
        min(na, nb) / max(na, nb, 1),
        min(c.facts_a, c.facts_b),
        max(c.facts_a, c.facts_b),
        min(abs(c.fluency), 10.0) / 10,
        c.topic,
        _identical_sentences(c),
        c.edited,
    ], dtype=np.float64)


@functools.lru_cache(maxsize=1)
def _zipf():
    from detector.lexicon.lexicon import get_lexicon

    return get_lexicon().zipf


def _side_words(c: Comparison) -> tuple[list[str], list[str]]:
    wa, wb = c.a.words, c.b.words
    ca = [w for _, i1, i2, _, _ in _changed_places(c) for w in wa[i1:i2] if w.isalpha() and w not in _FUNCTION]
    cb = [w for _, _, _, j1, j2 in _changed_places(c) for w in wb[j1:j2] if w.isalpha() and w not in _FUNCTION]
    return ca, cb


def direction_features(c: Comparison, spun_scores: tuple[float | None, float | None] = (None, None),
                       damage: tuple[float | None, float | None] = (None, None)) -> np.ndarray:
    """Measurements that change sign when the pair is swapped: positive when ``a`` looks like the source.
    ``damage``: each side's round-trip damage score (:mod:`detector.damage.roundtrip`), used for
    translations only."""
    a, b = c.a, c.b
    zipf = _zipf()
    ca, cb = _side_words(c)
    za = float(np.mean([zipf(w) for w in ca])) if ca else 0.0
    zb = float(np.mean([zipf(w) for w in cb])) if cb else 0.0
    if not ca or not cb:
        za = zb = 0.0
    ua = sum(zipf(w) == 0 for w in ca) / max(len(ca), 1)
    ub = sum(zipf(w) == 0 for w in cb) / max(len(cb), 1)
    sa, sb = spun_scores
    gap = (sb - sa) if sa is not None and sb is not None else 0.0
    known = damage[0] is not None and damage[1] is not None
    return np.array([
        max(-10.0, min(10.0, c.fluency)),
        math.log(max(a.length, 1) / max(b.length, 1)),
        c.facts_b - c.facts_a,
        gap,
        zb - za,  # a spinner's words are rarer than the source's
        ub - ua,
        math.log(max(len(a.sentences), 1) / max(len(b.sentences), 1)),
        c.sentences_b - c.sentences_a,  # the source has sentences the derived text left out
        (damage[1] - damage[0]) if known else 0.0,
        # Apertium's word salad reads worse than its source, a neural round trip often better: where
        # one side is clearly damaged, fluency says more
        max(-10.0, min(10.0, c.fluency)) * max(damage) if known else 0.0,
    ], dtype=np.float64)


def translation_vote(x: np.ndarray) -> float:
    """Log-odds that the first side is the source of a round trip, by rule.

    Two kinds of machine translation leave opposite traces. A rule-based system (Apertium) leaves
    word salad: the round-trip damage model finds the derived side damaged, or failing that it reads
    clearly worse. A small neural system reads *better* than its source (it keeps to common words)
    and is rarely flagged as damaged: there the side whose changed words are commoner is the copy.
    A linear model cannot hold both (fitted, it reached 63-80% across genres); this rule, set on the
    training genres' round trips, reaches 100% and 90% there with damage scores."""
    f = dict(zip(DIRECTION_FEATURES, x))
    if abs(f["mt_damage_gap"]) >= 0.2:
        return 5.0 * f["mt_damage_gap"]
    if f["fluency"] >= 0.6:
        return 2.0 * f["fluency"]
    return 5.0 * (f["changed_zipf"] - 0.2 * f["fluency"])


@dataclass(frozen=True)
class TraceModel:
    """Coefficients of the kind and direction models (see the module docstring)."""

    version: str
    kinds: tuple[str, ...]
    kind_mean: np.ndarray
    kind_scale: np.ndarray
    kind_coef: np.ndarray  # (kinds, features)
    kind_bias: np.ndarray
    direction: dict  # kind -> (mean, scale, coef, bias) over DIRECTION_FEATURES

    def kind_probabilities(self, c: Comparison) -> dict[str, float]:
        x = (kind_features(c) - self.kind_mean) / self.kind_scale
        z = self.kind_coef @ x + self.kind_bias
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(self.kinds, p.tolist()))

    def source_probability(self, c: Comparison, kind: str, spun_scores=(None, None),
                           damage=(None, None)) -> float:
        """P(``c.a`` is the source) for a pair of this kind (``damage`` counts for translations only)."""
        return self.direction_probability(kind, direction_features(c, spun_scores,
                                                                   damage if kind == "translation" else (None, None)))

    def direction_probability(self, kind: str, features: np.ndarray) -> float:
        """P(the first side is the source) from :func:`direction_features`."""
        if kind == "translation":
            return 1 / (1 + math.exp(-translation_vote(features)))
        mean, scale, coef, bias = self.direction[kind]
        return 1 / (1 + math.exp(-float(coef @ ((features - mean) / scale) + bias)))

    def to_json(self) -> dict:
        return {"format": MODEL_FORMAT, "version": self.version, "kinds": list(self.kinds),
                "kind_features": list(KIND_FEATURES), "direction_features": list(DIRECTION_FEATURES),
                "kind": {"mean": self.kind_mean.tolist(), "scale": self.kind_scale.tolist(),
                         "coef": self.kind_coef.tolist(), "bias": self.kind_bias.tolist()},
                "direction": {k: {"mean": m.tolist(), "scale": s.tolist(), "coef": w.tolist(), "bias": b}
                              for k, (m, s, w, b) in self.direction.items()}}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def load_trace_model(path: Path | None = None) -> TraceModel:
    """Read the model file (JSON only: nothing in it is executed), or a one-line error."""
    path = path or MODEL_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != MODEL_FORMAT or tuple(data["kind_features"]) != KIND_FEATURES \
                or tuple(data["direction_features"]) != DIRECTION_FEATURES:
            raise ModelError(f"trace model {path} was made for another version; retrain it with scripts/train_trace.py")
        kind = data["kind"]
        arr = functools.partial(np.array, dtype=np.float64)
        return TraceModel(str(data["version"]), tuple(data["kinds"]), arr(kind["mean"]), arr(kind["scale"]),
                          arr(kind["coef"]), arr(kind["bias"]),
                          {k: (arr(v["mean"]), arr(v["scale"]), arr(v["coef"]), float(v["bias"]))
                           for k, v in data["direction"].items()})
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelError(f"cannot read trace model {path}: {err}") from err


@functools.lru_cache(maxsize=1)
def default_trace_model() -> TraceModel | None:
    """The shipped model, or ``None`` when it is missing (the rules then decide alone)."""
    return load_trace_model() if MODEL_PATH.is_file() else None
