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
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.damage.mt_features import SENTENCE_FEATURES, WORD_FEATURES, Evidence, evidence_for_sentences
from detector.damage.mt_model import WORD_AGGREGATES, Assessment, document_statistic, logit, word_aggregates
from detector.detection.trees import BoostedTrees
from detector.errors import ModelError

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


class JudgedModel:
    def __init__(self, word_model: BoostedTrees, sentence_model: BoostedTrees, meta: dict):
        self.word_model, self.sentence_model, self.meta = word_model, sentence_model, meta
        self.sentence_threshold = float(meta.get("sentence_threshold", 0.5))
        self.document_threshold = float(meta.get("document_threshold", 0.0))
        self.word_threshold = float(meta.get("word_threshold", 0.5))

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

    def document_score(self, sentence_probabilities: np.ndarray) -> float:
        return document_statistic(logit(sentence_probabilities), float(self.meta["clean_mean_logit"]))

    def compile(self) -> bool:
        return self.word_model.compile() and self.sentence_model.compile()

    def save(self, folder: Path, card: str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "word.lgb.txt").write_text(self.word_model.to_string(), encoding="utf-8")
        (folder / "sentence.lgb.txt").write_text(self.sentence_model.to_string(), encoding="utf-8")
        meta = {**self.meta, "format": MODEL_FORMAT, "word_features": JUDGED_WORD_FEATURES,
                "sentence_features": JUDGED_SENTENCE_FEATURES}
        (folder / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | None = None) -> JudgedModel:
        folder = Path(folder or default_model_dir())
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            if (meta.get("format") != MODEL_FORMAT or meta.get("word_features") != JUDGED_WORD_FEATURES
                    or meta.get("sentence_features") != JUDGED_SENTENCE_FEATURES):
                raise ModelError(f"the human-judgement model in {folder} has another format; retrain it with "
                                 "`detector train-judged`")
            word = BoostedTrees.from_string((folder / "word.lgb.txt").read_text(encoding="utf-8"))
            sentence = BoostedTrees.from_string((folder / "sentence.lgb.txt").read_text(encoding="utf-8"))
            return cls(word, sentence, meta)
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"cannot load the human-judgement model from {folder}: {err}") from err


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "mtjudged"


@functools.lru_cache(maxsize=2)
def get_judged_model(folder: str | None = None) -> JudgedModel:
    return JudgedModel.load(Path(folder) if folder else None)
