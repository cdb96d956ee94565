"""Where a sentence stops being English: the neural model's token evidence beside the n-gram evidence.

>>> breaks(np.array([[0, 3], [4, 9], [10, 13]]), np.array([0.5, 7.0, 2.0]))
(1, [1])

The n-gram evidence of :mod:`detector.damage.mt_features` sees a window of five words. The neural
model of English (:mod:`detector.neural`, SmolLM2-135M) reads the whole sentence: how surprising
each token is after everything before it (``surprisal``, nats) and how uncertain the prediction
was (``entropy``). A token's **excess** is its surprisal beyond that uncertainty: a rare name
where anything could come costs little, "for extend the lane" after "voted on Tuesday" costs a
lot. Per sentence (``NEURAL_FEATURES``): mean surprisal, the mean of its three most surprising
tokens, mean excess, the share of tokens over ``BREAK`` nats of excess, and its number of tokens.

A small logistic model (``detector/data/salad/model.json``, trained by
:mod:`detector.damage.train_salad`) weighs them with the round-trip model's and the
human-judgement model's log-odds (``COMBINED``) into P(a person would mark the sentence as broken
English). The report runs it only where the n-gram evidence leaves a sentence in doubt
(``DOUBT_FROM``), a few sentences per document at most (``MAX_SENTENCES``, the most doubtful
first): the neural model reads about a hundred tokens a second on one core. For each sentence it
reads it says where the sentence stops reading as English (the first word whose excess passes
``BREAK``) and which words break it (the largest excess). Without the neural model installed the
report is the n-gram one, unchanged.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ModelError

MODEL_FORMAT = 1
NEURAL_FEATURES = ["nn_surprisal_mean", "nn_surprisal_top3", "nn_excess_mean", "nn_break_share", "nn_log_tokens"]
COMBINED = ["roundtrip_logit", "judged_logit", *NEURAL_FEATURES]
BREAK = 5.0  # nats of surprisal beyond the prediction's entropy from which a token breaks the sentence
DOUBT_FROM = 0.05  # n-gram sentence score from which the neural model reads a sentence (most of MT, half of clean text)
MAX_SENTENCES = 24  # sentences per document the neural model reads at most (the most doubtful first)
MAX_WORDS_BREAKING = 3  # words listed as breaking a sentence


@dataclass
class NeuralSentence:
    """One sentence as the neural model read it: ``features`` (``NEURAL_FEATURES``), and per word
    (character ``spans``) its ``excess`` (summed over its tokens)."""

    features: np.ndarray
    spans: np.ndarray
    excess: np.ndarray


def read_sentences(texts: list[str], lm, word_spans: list[np.ndarray] | None = None) -> list[NeuralSentence]:
    """Read each text alone with the neural model ``lm``; ``word_spans[i]``: the words of text ``i``
    (character spans) to give an excess to (default: none)."""
    docs = [lm.tokenize(t) for t in texts]
    readings = lm.read(docs, entropy=True)
    out = []
    for i, (doc, reading) in enumerate(zip(docs, readings)):
        surprisal, entropy = reading.surprisal, reading.entropy
        excess = surprisal - entropy
        n = len(surprisal)
        if n:
            top = np.sort(surprisal)[-3:].mean()
            features = np.array([surprisal.mean(), top, excess.mean(), float((excess > BREAK).mean()), np.log(n)])
        else:
            features = np.array([0.0, 0.0, 0.0, 0.0, 0.0])
        spans = np.zeros((0, 2), dtype=np.int64) if word_spans is None else np.asarray(word_spans[i]).reshape(-1, 2)
        word_excess = np.zeros(len(spans))
        if len(spans) and n:
            anchors = doc.anchors
            first = np.searchsorted(anchors, spans[:, 0], "left")
            last = np.searchsorted(anchors, spans[:, 1], "left")
            cum = np.r_[0.0, np.cumsum(np.maximum(excess, 0.0))]
            word_excess = np.where(last > first, cum[last] - cum[first], 0.0)
        out.append(NeuralSentence(features, spans, word_excess))
    return out


def breaks(spans: np.ndarray, excess: np.ndarray) -> tuple[int | None, list[int]]:
    """The first word whose excess passes ``BREAK`` (``None``: none does) and the words breaking
    the sentence (over ``BREAK``, the largest first, at most ``MAX_WORDS_BREAKING``)."""
    over = np.flatnonzero(excess > BREAK)
    if not len(over):
        return None, []
    ranked = sorted(over.tolist(), key=lambda k: -excess[k])[:MAX_WORDS_BREAKING]
    return int(over[0]), ranked


@dataclass
class SaladModel:
    """A logistic model over standardised ``COMBINED`` features, with its sentence threshold."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict

    @property
    def label(self) -> str:
        return f"mt-salad@{self.meta.get('version', '?')}"

    @property
    def threshold(self) -> float:
        return float(self.meta["sentence_threshold"])

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(rows) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-np.clip(z @ self.coef + self.intercept, -50, 50)))

    def save(self, folder: Path, card: str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        payload = {**self.meta, "format": MODEL_FORMAT, "features": COMBINED, "mean": self.mean.tolist(),
                   "scale": self.scale.tolist(), "coef": self.coef.tolist(), "intercept": self.intercept}
        (folder / "model.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | None = None) -> SaladModel:
        folder = Path(folder or Path(__file__).resolve().parents[1] / "data" / "salad")
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the word-salad model from {folder}: {err}") from err
        if meta.get("format") != MODEL_FORMAT or meta.get("features") != COMBINED:
            raise ModelError(f"the word-salad model in {folder} has another format; retrain it with "
                             "`detector train-salad`")
        arrays = [np.array(meta.pop(key), dtype=np.float64) for key in ("mean", "scale", "coef")]
        return cls(*arrays, float(meta.pop("intercept")), meta)


@functools.lru_cache(maxsize=1)
def get_salad_model() -> SaladModel:
    return SaladModel.load()


def default_language_model(neural: bool | None = None, threads: int | None = None, device: str = "cpu"):
    """The neural model when it is installed, else ``None`` (the report is then the n-gram one).
    ``neural``: ``None`` as the scorer's (off with ``DETECTOR_NEURAL=off``), ``True`` (an error when it
    is not installed), ``False`` (``None``)."""
    from detector.neural.reading import optional_language_model

    return optional_language_model(neural, threads, device)
