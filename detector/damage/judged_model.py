"""The human-judgement damage model: where a person would mark a machine translation's English as wrong.

>>> model = get_judged_model()
>>> found = model.assess(["The city council voted on Tuesday to extend the bike lane along Main Street.",
...                       "The council of the city voted on Tuesday for extend the lane of bicycle along Street Main."])
>>> bool(found.sentences[1] > found.sentences[0])
True

Trained by :mod:`detector.damage.train_judged` on expert error annotations and post-edits of
English MT output (bio-mqm, MLQE-PE, DEMETR), over the round-trip model's evidence and outputs
(:mod:`detector.damage.mt_model`): a word model, P(a person marked this word), and a sentence
model, P(a person marked a major error the English shows). Files in ``detector/data/mtjudged``
(LightGBM text, parsed and never executed; card in ``MODEL_CARD.md``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.damage.mt_features import SENTENCE_FEATURES, WORD_FEATURES, Evidence, evidence_for_sentences
from detector.damage.mt_model import WORD_AGGREGATES, Assessment, TwoStageTrees, logit, word_aggregates

MODEL_FORMAT = 1
JUDGED_WORD_FEATURES = [*WORD_FEATURES, "roundtrip_word_p"]
JUDGED_SENTENCE_FEATURES = [*SENTENCE_FEATURES, *WORD_AGGREGATES, "roundtrip_sentence_logit"]


@dataclass
class Judged:
    """The judged model's view of sentences: ``sentences`` P(a major marked error), ``words`` P(a
    person marks the word) for each word row of ``evidence``."""

    sentences: np.ndarray
    words: np.ndarray
    evidence: Evidence


class JudgedModel(TwoStageTrees):
    """P(a person marks this word) and P(a person marks a major error in this sentence)."""

    FORMAT = MODEL_FORMAT
    WORD_FEATURES = JUDGED_WORD_FEATURES
    SENTENCE_FEATURES = JUDGED_SENTENCE_FEATURES
    KIND = "the human-judgement model"
    RETRAIN = "detector train-judged"
    THRESHOLD_DEFAULTS = {"sentence_threshold": 0.5, "document_threshold": 0.0, "word_threshold": 0.5}

    @property
    def label(self) -> str:
        return f"mt-judged@{self.meta.get('version', '?')}"

    def sentences_from(self, found: dict, n: int) -> np.ndarray:
        """P(major error) from the training rows of :func:`~detector.damage.train_judged.judged_evidence`."""
        from detector.damage.train_judged import sentence_rows

        p_words = self.word_model.predict_proba(found["W"]) if len(found["W"]) else np.zeros(0)
        return self.sentence_model.predict_proba(sentence_rows(found, p_words, n)) if n else np.zeros(0)

    def assess_roundtrip(self, assessed: Assessment, n: int) -> Judged:
        """Score ``n`` sentences from the round-trip model's assessment of them (evidence computed once)."""
        found = assessed.evidence
        if not n:
            return Judged(np.zeros(0), np.zeros(0), found)
        rows = np.column_stack([found.words, assessed.words]) if len(found.words) else np.zeros(
            (0, len(JUDGED_WORD_FEATURES)))
        p_words = self.word_model.predict_proba(rows) if len(rows) else np.zeros(0)
        X = np.hstack([found.sentences, word_aggregates(p_words, found.segment, n),
                       logit(assessed.sentences)[:, None]])
        return Judged(self.sentence_model.predict_proba(X), p_words, found)

    def assess(self, sentences: list[str], tables=None) -> Judged:
        """Score sentences, each taken alone."""
        from detector.damage.mt_model import get_mt_model

        if tables is None:
            from detector.detection.model import load_model

            tables = load_model().tables
        found = evidence_for_sentences(sentences, tables)
        return self.assess_roundtrip(get_mt_model().assess_evidence(found, len(sentences)), len(sentences))

    @classmethod
    def load(cls, folder: Path | None = None) -> JudgedModel:
        return cls.load_folder(Path(folder or default_model_dir()))


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "mtjudged"


@functools.lru_cache(maxsize=2)
def get_judged_model(folder: str | None = None) -> JudgedModel:
    return JudgedModel.load(Path(folder) if folder else None)
