"""A cheap document-level screen run before the full model in batches: it settles clearly clean texts.

>>> import numpy as np
>>> s = Screen(weights=[1.0] * len(SCREEN_FEATURES), bias=-3.0, cut=0.0, model_sha256="x")
>>> s.passes(np.zeros((2, len(SCREEN_FEATURES))) + [[0.0], [1.0]]).tolist()   # a weight of 1 on every feature
[False, True]
>>> Screen.from_dict(s.to_dict()) == s
True

Most documents of a crawl are clean, and the full model (features from the broad model of English,
three sets of boosted trees) spends most of its time confirming that. The screen reads only what
encoding already gives plus one table lookup per word and per candidate original: how rare each
word is against the most common word it could stand for (spinners pick rare synonyms), how many
words of the thesauri lead to it, and the corpus bigram counts of the word with its neighbours.
A linear model over document aggregates of those predicts the full model's document log-odds;
documents predicted below ``cut`` are *screened*: they get verdict ``clean``, no spans, and the
screen's estimate as their score, and their record says ``"screened": true``. Documents longer
than any the screen was calibrated on (``max_words``) always get the full model.

The weights are fitted, and ``cut`` chosen, by ``scripts/calibrate_screen.py`` against a given
model on held-out calibration documents, so that at most 0.5% of the documents the full model
calls spun are screened out. They are stored as JSON (``screen.json`` in the model folder), with
the SHA-256 of the token model they were fitted against: a screen made for another model is not
used (scoring is then exhaustive) until the calibration is re-run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from detector.detection.features import Context, Encoded, segment_max
from detector.lexicon.tables import BOUNDARY, NUM, SOURCES, Tables

_WORD_SIGNS = ["rare_choice", "very_rare_choice", "unseen_left", "unseen_right", "gain", "gain_over_1",
               "gain_capped", "gain_left", "gain_right", "rare_choice_gain", "rare_choice_unseen", "article_slip",
               "in_phrase"]
_PER_DOC = [*(f"share_{n}" for n in _WORD_SIGNS), *(f"log_count_{n}" for n in _WORD_SIGNS)]
SCREEN_FEATURES = ["log_words", *_PER_DOC, *(f"{n}_x_log_words" for n in _PER_DOC)]
SCREEN_FILE = "screen.json"
SCREEN_FORMAT = 1


def word_signs(doc: Encoded, tables: Tables, ctx: Context) -> np.ndarray:
    """Per word position, the cheap signs of a spinner's choice (columns as in ``_WORD_SIGNS``): a
    candidate original far more common than the word, a pair with a neighbour never seen in the
    corpus, a candidate that fits both neighbours better (corpus bigram counts), an article slip,
    a listed spun phrase. No broad-model window and no trees: lookups only."""
    word, prev, nxt, counts = ctx.word, ctx.prev, ctx.next, ctx.counts
    zipf = tables.zipf[word]
    has = counts > 0
    best_zipf, _ = segment_max(tables.zipf[ctx.cand], counts, 0.0, argmax=False)
    zgain = np.where(has, best_zipf - zipf, 0.0)
    prev_b, next_b = prev == BOUNDARY, nxt == BOUNDARY
    source = SOURCES[0]
    left, right = tables.bigram(source, prev, word), tables.bigram(source, word, nxt)
    cl = tables.bigram(source, prev[ctx.owner], ctx.cand)
    cr = tables.bigram(source, ctx.cand, nxt[ctx.owner])
    best, _ = segment_max(cl + cr, counts, 0.0, argmax=False)
    best_l, _ = segment_max(cl, counts, 0.0, argmax=False)
    best_r, _ = segment_max(cr, counts, 0.0, argmax=False)
    gain = np.maximum(best - left - right, 0.0) * has
    common = zipf > 3
    unseen_l = (left == 0) & ~prev_b & common
    unseen_r = (right == 0) & ~next_b & common
    vowel = tables.starts_with_vowel
    a_id, an_id = tables.vocab.index.get("a", -5), tables.vocab.index.get("an", -5)
    slip = ((prev == a_id) & vowel[word]) | ((prev == an_id) & ~vowel[word] & (word > NUM))
    in_phrase = np.zeros(len(word), dtype=bool)
    start, length, _ = tables.phrases.find(doc.ids)
    if len(start):
        covered = np.repeat(start, length) + (np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length,
                                                                                         length))
        in_phrase = np.isin(doc.word_positions, covered)
    rare = zgain > 1
    cols = [rare, zgain > 2, unseen_l, unseen_r, gain > 0, gain > 1, np.minimum(gain, 3.0),
            np.maximum(best_l - left, 0) * ~prev_b > 0.5, np.maximum(best_r - right, 0) * ~next_b > 0.5,
            rare & (gain > 0), rare & (unseen_l | unseen_r), slip, in_phrase]
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in cols])


def screen_features(doc: Encoded, tables: Tables, ctx: Context, rows: np.ndarray) -> np.ndarray:
    """One row of ``SCREEN_FEATURES`` per document of a joined batch (``rows``: word-row offsets of
    each document, as from :func:`~detector.detection.features.concat`): log length, the share and
    log count of each of the :func:`word_signs`, and each of those times log length (evidence
    weighs differently in short and long texts)."""
    rows = np.asarray(rows, dtype=np.int64)
    lengths = np.diff(rows)
    k = len(_WORD_SIGNS)
    out = np.zeros((len(lengths), 1 + 4 * k), dtype=np.float64)
    out[:, 0] = np.log1p(lengths)
    nonempty = lengths > 0
    if not len(ctx.word) or not nonempty.any():
        return out
    sums = np.add.reduceat(word_signs(doc, tables, ctx), rows[:-1][nonempty], axis=0)
    out[nonempty, 1 : 1 + k] = sums / lengths[nonempty, None]
    out[nonempty, 1 + k : 1 + 2 * k] = np.log1p(sums)
    out[:, 1 + 2 * k :] = out[:, 1 : 1 + 2 * k] * out[:, :1]
    return out


@dataclass(frozen=True)
class Screen:
    """A linear estimate of the full model's document log-odds; below ``cut``, a document is screened."""

    weights: list[float]
    bias: float
    cut: float
    model_sha256: str  # the token model it was calibrated against
    max_words: int = 3000  # the longest calibration document: longer ones are never screened (no extrapolation)
    features: tuple[str, ...] = tuple(SCREEN_FEATURES)
    info: dict | None = None

    def logit(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) @ np.asarray(self.weights) + self.bias

    def passes(self, X: np.ndarray) -> np.ndarray:
        """True where the full model must look (the estimate reaches ``cut``)."""
        return self.logit(X) >= self.cut

    def estimate(self, X: np.ndarray) -> np.ndarray:
        """The screen's estimate of the full model's document score (a probability)."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(X), -30, 30)))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["features"] = list(self.features)
        return {"format": SCREEN_FORMAT, **out}

    @classmethod
    def from_dict(cls, data: dict) -> Screen:
        return cls(weights=[float(w) for w in data["weights"]], bias=float(data["bias"]), cut=float(data["cut"]),
                   model_sha256=str(data["model_sha256"]), max_words=int(data["max_words"]),
                   features=tuple(data.get("features", SCREEN_FEATURES)),
                   info=data.get("info"))

    def save(self, folder: Path) -> Path:
        path = Path(folder) / SCREEN_FILE
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        return path


def load_screen(folder: Path, model_sha256: str) -> Screen | None:
    """The screen stored beside a model, or None when there is none, it cannot be read, or it was
    calibrated for another model (then scoring is exhaustive)."""
    path = Path(folder) / SCREEN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != SCREEN_FORMAT or list(data.get("features", [])) != SCREEN_FEATURES:
            return None
        screen = Screen.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if screen.model_sha256 != model_sha256 or len(screen.weights) != len(SCREEN_FEATURES):
        return None
    return screen
