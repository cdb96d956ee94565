"""Where machine-translation damage is scored by a model: per word, per sentence and per document.

>>> model = get_mt_model()
>>> found = model.assess(["The Panthers defense gave up just 308 points, ranking sixth in the league.",
...                       "The defence of Panthers gave on top of just 308 points, sixth in the league ranking."])
>>> bool(found.sentences[1] > found.sentences[0])
True
>>> model.document_score(np.full(12, 0.95)) > model.document_threshold
True

Two gradient-boosted tree models (LightGBM text format, parsed and never executed), trained by
:mod:`detector.damage.train_roundtrip` on round trips of training genres through two MT systems:

* the **word model**: P(this word was changed by the translation), from the evidence of
  :mod:`detector.damage.mt_features` (how well the word fits ordinary English, local rewrites);
* the **sentence model**: P(this sentence came back from machine translation), from the
  sentence's aggregates of the same evidence and of the word model (``WORD_AGGREGATES``).

A document's score is the mean log-odds of its sentences (it beat the mean, the top three and the
share over one half on held-out genres), shrunk towards clean text's mean for documents under
twelve sentences; it is called damaged from ``document_threshold``, the
99.9th percentile of clean training documents' out-of-fold scores. ``sentence_threshold`` and
``word_threshold`` (from out-of-fold scores too) decide which sentences and words are shown.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.damage.mt_features import (
    SENTENCE_FEATURES,
    WORD_FEATURES,
    Evidence,
    evidence_for_sentences,
    segment_stat,
)
from detector.detection.trees import BoostedTrees
from detector.errors import ModelError

MODEL_FORMAT = 2
WORD_AGGREGATES = ["word_mean", "word_max", "word_top3", "word_gt05", "word_logit_mean"]
MIN_SENTENCES = 3  # fewer sentences than this: no document verdict from the model (spans still shown)
FULL_DOCUMENT = 12  # sentences from which a document's mean counts in full (shorter ones are shrunk)
BATCH = 2000  # sentences per feature pass


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def word_aggregates(p: np.ndarray, segment: np.ndarray, n: int) -> np.ndarray:
    """Each sentence's statistics (``WORD_AGGREGATES``) of its words' P(changed by the translation).

    >>> word_aggregates(np.array([0.1, 0.9, 0.2]), np.array([0, 0, 1]), 2)[:, :2].round(2).tolist()
    [[0.5, 0.9], [0.2, 0.2]]
    """
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.column_stack([segment_stat(p, segment, n, "mean"), segment_stat(p, segment, n, "max"),
                            segment_stat(p, segment, n, "top3"), segment_stat(p > 0.5, segment, n, "mean"),
                            segment_stat(logit(p), segment, n, "mean", empty=-3.0)])


def document_statistic(logits: np.ndarray, clean_mean: float) -> float:
    """The mean of a document's sentence log-odds, pulled towards ``clean_mean`` (the mean of clean
    sentences) for documents under ``FULL_DOCUMENT`` sentences, by the square root of their share of
    it: a few odd sentences are weaker evidence than many (``-inf`` for none).

    >>> document_statistic(np.array([2.0, 2.0, 2.0]), -2.0), document_statistic(np.full(20, 2.0), -2.0)
    (0.0, 2.0)
    """
    n = len(logits)
    if n == 0:
        return float("-inf")
    return float(clean_mean + (np.mean(logits) - clean_mean) * np.sqrt(min(n, FULL_DOCUMENT) / FULL_DOCUMENT))


@dataclass
class Assessment:
    """The model's view of a list of sentences: ``sentences`` P(machine-translated) for each,
    ``words`` P(changed) for each word row of ``evidence`` (``evidence.segment`` names its sentence)."""

    sentences: np.ndarray
    words: np.ndarray
    evidence: Evidence


class TwoStageTrees:
    """A word model and a sentence model (LightGBM text files) with their thresholds and facts
    (``meta``, from ``model.json``): the shape every damage model of this package shares. A
    subclass names its files' format, features and kind (:meth:`load` refuses another format with
    a one-line error naming the command that retrains it)."""

    FORMAT: int
    WORD_FEATURES: list[str]
    SENTENCE_FEATURES: list[str]
    KIND: str  # in messages: "the machine-translation model"
    RETRAIN: str  # the command that retrains it
    # thresholds missing from ``meta`` take these values (None: ``meta`` must have them)
    THRESHOLD_DEFAULTS: dict[str, float] | None = None

    def __init__(self, word_model: BoostedTrees, sentence_model: BoostedTrees, meta: dict):
        self.word_model, self.sentence_model, self.meta = word_model, sentence_model, meta
        defaults = self.THRESHOLD_DEFAULTS
        for name in ("document_threshold", "sentence_threshold", "word_threshold"):
            setattr(self, name, float(meta[name] if defaults is None else meta.get(name, defaults[name])))

    def document_score(self, sentence_probabilities: np.ndarray) -> float:
        """Mean log-odds of the sentences, shrunk for short texts (:func:`document_statistic`)."""
        return document_statistic(logit(sentence_probabilities), float(self.meta["clean_mean_logit"]))

    def compile(self) -> bool:
        return self.word_model.compile() and self.sentence_model.compile()

    def save(self, folder: Path, card: str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "word.lgb.txt").write_text(self.word_model.to_string(), encoding="utf-8")
        (folder / "sentence.lgb.txt").write_text(self.sentence_model.to_string(), encoding="utf-8")
        meta = {**self.meta, "format": self.FORMAT, "word_features": self.WORD_FEATURES,
                "sentence_features": self.SENTENCE_FEATURES}
        (folder / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    @classmethod
    def load_folder(cls, folder: Path):
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            if (meta.get("format") != cls.FORMAT or meta.get("word_features") != cls.WORD_FEATURES
                    or meta.get("sentence_features") != cls.SENTENCE_FEATURES):
                raise ModelError(f"{cls.KIND} in {folder} has another format; retrain it with `{cls.RETRAIN}`")
            word = BoostedTrees.from_string((folder / "word.lgb.txt").read_text(encoding="utf-8"))
            sentence = BoostedTrees.from_string((folder / "sentence.lgb.txt").read_text(encoding="utf-8"))
            return cls(word, sentence, meta)
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"cannot load {cls.KIND} from {folder}: {err}") from err
        except Exception as err:  # LightGBM's own parse errors
            if type(err).__name__ == "LightGBMError":
                raise ModelError(f"cannot load {cls.KIND} from {folder}: {err}") from err
            raise


class MTDamageModel(TwoStageTrees):
    """Word and sentence models with their thresholds (``meta``), over the detector's tables."""

    FORMAT = MODEL_FORMAT
    WORD_FEATURES = WORD_FEATURES
    SENTENCE_FEATURES = [*SENTENCE_FEATURES, *WORD_AGGREGATES]
    KIND = "the machine-translation model"
    RETRAIN = "detector train-roundtrip"

    @property
    def label(self) -> str:
        return f"mt-damage@{self.meta.get('version', '?')}"

    def assess(self, sentences: list[str], tables=None) -> Assessment:
        """Score sentences (each taken alone), in batches of ``BATCH``."""
        if tables is None:
            from detector.detection.model import load_model

            tables = load_model().tables
        parts = [(self.assess_evidence(evidence_for_sentences(sentences[i : i + BATCH], tables),
                                       len(sentences[i : i + BATCH])), i)
                 for i in range(0, len(sentences), BATCH)]
        if not parts:
            empty = Evidence(np.zeros((0, len(SENTENCE_FEATURES)), np.float32),
                             np.zeros((0, len(WORD_FEATURES)), np.float32), np.zeros(0, np.int64),
                             np.zeros(0, np.int64), [])
            return Assessment(np.zeros(0), np.zeros(0), empty)
        if len(parts) == 1:
            return parts[0][0]
        found = [a.evidence for a, _ in parts]
        evidence = Evidence(np.vstack([f.sentences for f in found]), np.vstack([f.words for f in found]),
                            np.concatenate([a.evidence.segment + i for a, i in parts]),
                            np.concatenate([f.positions for f in found]), [t for f in found for t in f.tokens])
        return Assessment(np.concatenate([a.sentences for a, _ in parts]),
                          np.concatenate([a.words for a, _ in parts]), evidence)

    def assess_evidence(self, found: Evidence, n: int) -> Assessment:
        """Score ``n`` sentences from their evidence (:func:`~detector.damage.mt_features.evidence`:
        e.g. a whole document's, with its spinning features computed once for both)."""
        p_words = self.word_model.predict_proba(found.words) if len(found.words) else np.zeros(0)
        X = np.hstack([found.sentences, word_aggregates(p_words, found.segment, n)])
        return Assessment(self.sentence_model.predict_proba(X) if n else np.zeros(0), p_words, found)

    def sentence_probabilities(self, sentences: list[str], tables=None) -> np.ndarray:
        return self.assess(sentences, tables).sentences

    @classmethod
    def load(cls, folder: Path | None = None) -> MTDamageModel:
        return cls.load_folder(Path(folder or default_model_dir()))


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "roundtrip"


@functools.lru_cache(maxsize=2)
def get_mt_model(folder: str | None = None) -> MTDamageModel:
    return MTDamageModel.load(Path(folder) if folder else None)
