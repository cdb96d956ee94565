"""Where a document is judged machine-translated or not, over many sentences (MT provenance).

>>> sentences = ["The city council voted on Tuesday to extend the bike lane along Main Street.",
...              "Residents had asked for it for years, and shop owners were divided."] * 3
>>> found = provenance_of_sentences(sentences)
>>> 0 <= found["score"] <= 1, found["sentences"], sorted(found)
(True, 6, ['above_human', 'note', 'score', 'sentences', 'spans'])

A fluent machine translation shows nothing wrong in any one sentence; over many sentences it may
still show the regularities of machine output (translationese): fewer distinct words, commoner
words, word pairs seen in ordinary English more often, fewer surprising turns, flatter sentence
lengths and punctuation. Each sentence gets a profile (``SENTENCE_PROFILE``: the round-trip model's
evidence of :mod:`detector.damage.mt_features` and its log-odds, and lexical and punctuation
rates); a document gets the mean and spread of its sentences' profiles and its lexical variety
(``DOCUMENT_FEATURES``); a logistic model (``detector/data/provenance/model.json``, trained by
:mod:`detector.damage.train_provenance` on machine translations beside human English of the same
sources, held out by system and genre) gives P(machine-translated).

What it can see (``benchmarks/results/mt_provenance.md``): rule-based and statistical MT and round
trips, well from a dozen sentences; fluent neural MT of systems and genres it never saw, barely
better than the length of the text. So it gives a score and no verdict: a threshold set on the
human documents of the training sets (``above_human``) is passed by 5-10% of human documents of
held-out genres, and by up to 40% of informal ones. Under ``MIN_SENTENCES`` sentences, no score.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.damage.mt_features import SENTENCE_FEATURES, WORD_FEATURES, Evidence
from detector.errors import ModelError

MODEL_FORMAT = 1
MIN_SENTENCES = 5  # fewer: no provenance verdict at all
MATTR_WINDOW = 50  # words per window of the moving type-token ratio
NOTE = ("a score, not a verdict: rule-based and statistical MT and round trips are told from human writing well "
        "over a dozen sentences, fluent neural MT of unseen systems and genres barely better than by length")
_PUNCTUATION = {"comma": ",", "semicolon": ";", "colon": ":", "parenthesis": "(", "dash": "-", "quote": '"',
                "apostrophe": "'", "question": "?", "exclamation": "!"}
_PRONOUNS = frozenset("i you he she it we they me him her us them my your his its our their".split())
_CONNECTIVES = frozenset("and but or so because although though while whereas however therefore thus".split())
_RELATIVES = frozenset("that which who whom whose".split())
_CONTRACTION = re.compile(r"\w'(?:t|s|re|ve|ll|d|m)\b")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2026": "..."})
LEXICAL = ["n_words", "word_length", "zipf_mean", "content_zipf_mean", "content_zipf_min", "rare_share", "mid_share",
           "stop_share", "pronoun_share", "connective_share", "the_share", "of_share", "relative_share",
           "contractions", "digit_share", "capital_mid", *(f"p_{name}" for name in _PUNCTUATION)]
SENTENCE_PROFILE = [*SENTENCE_FEATURES, "mt_logit", *LEXICAL]
DOCUMENT_FEATURES = ([f"{name}_mean" for name in SENTENCE_PROFILE] + [f"{name}_std" for name in SENTENCE_PROFILE]
                     + ["mattr", "hapax_share", "length_cv"])
_W = {name: i for i, name in enumerate(WORD_FEATURES)}


def lexical_rows(texts: list[str], evidence: Evidence) -> np.ndarray:
    """``LEXICAL`` of each sentence (``texts[k]`` is sentence ``k`` of ``evidence``)."""
    n = len(texts)
    bounds = np.r_[0, np.cumsum(np.bincount(evidence.segment, minlength=n))]
    out = np.zeros((n, len(LEXICAL)))
    for k, text in enumerate(texts):
        rows = evidence.words[bounds[k] : bounds[k + 1]]
        tokens = [t.lower() for t in evidence.tokens[bounds[k] : bounds[k + 1]]]
        words = max(len(tokens), 1)
        zipf = rows[:, _W["zipf"]] if len(rows) else np.zeros(0)
        stop = rows[:, _W["stop"]] > 0 if len(rows) else np.zeros(0, dtype=bool)
        content = zipf[~stop] if len(rows) else np.zeros(0)
        text = text.translate(_DASHES)
        values = [len(tokens), np.mean([len(t) for t in tokens]) if tokens else 0.0,
                  zipf.mean() if len(zipf) else 0.0, content.mean() if len(content) else 5.0,
                  content.min() if len(content) else 5.0, (zipf < 3).mean() if len(zipf) else 0.0,
                  ((zipf >= 3) & (zipf < 4.5)).mean() if len(zipf) else 0.0, stop.mean() if len(stop) else 0.0,
                  sum(t in _PRONOUNS for t in tokens) / words, sum(t in _CONNECTIVES for t in tokens) / words,
                  sum(t == "the" for t in tokens) / words, sum(t == "of" for t in tokens) / words,
                  sum(t in _RELATIVES for t in tokens) / words, len(_CONTRACTION.findall(text)) / words,
                  sum(any(c.isdigit() for c in t) for t in tokens) / words,
                  rows[:, _W["capital_mid"]].mean() if len(rows) else 0.0,
                  *(text.count(mark) / words for mark in _PUNCTUATION.values())]
        out[k] = values
    return out


def sentence_profiles(texts: list[str], sentence_rows: np.ndarray, logits: np.ndarray,
                      evidence: Evidence) -> np.ndarray:
    """``SENTENCE_PROFILE`` rows: the round-trip model's sentence evidence, its log-odds, lexical rates."""
    return np.hstack([np.asarray(sentence_rows, dtype=np.float64), np.asarray(logits, dtype=np.float64)[:, None],
                      lexical_rows(texts, evidence)])


def moving_ttr(words: list[str], window: int = MATTR_WINDOW) -> float:
    """Mean type-token ratio over windows of ``window`` words (the whole text when shorter).

    >>> moving_ttr("a b a b a b".split(), window=4), moving_ttr("a b c d".split())
    (0.5, 1.0)
    """
    if len(words) <= window:
        return len(set(words)) / max(len(words), 1)
    return float(np.mean([len(set(words[s : s + window])) / window for s in range(0, len(words) - window + 1, 5)]))


def document_features(profiles: np.ndarray, tokens: list[list[str]]) -> np.ndarray:
    """``DOCUMENT_FEATURES`` of a document from its sentences' profiles and word tokens."""
    words = [t.lower() for sentence in tokens for t in sentence if t[:1].isalpha()]
    counts = Counter(words)
    lengths = np.array([len(sentence) for sentence in tokens], dtype=np.float64)
    hapax = sum(1 for c in counts.values() if c == 1) / max(len(counts), 1)
    return np.r_[profiles.mean(axis=0), profiles.std(axis=0),
                 moving_ttr(words), hapax, lengths.std() / max(lengths.mean(), 1.0)]


@dataclass
class ProvenanceModel:
    """A logistic model over standardised ``DOCUMENT_FEATURES`` with its thresholds (``meta``)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict

    @property
    def label(self) -> str:
        return f"mt-provenance@{self.meta.get('version', '?')}"

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(machine-translated) of documents (rows of ``DOCUMENT_FEATURES``)."""
        z = (np.atleast_2d(features) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-np.clip(z @ self.coef + self.intercept, -50, 50)))

    def threshold(self, sentences: int) -> float | None:
        """The score from which a document of ``sentences`` sentences is called machine-translated
        (from the thresholds set per length on clean training documents; ``None`` under
        ``MIN_SENTENCES``)."""
        if sentences < MIN_SENTENCES:
            return None
        table = sorted((int(k), float(v)) for k, v in self.meta["thresholds"].items())
        chosen = table[0][1]
        for length, value in table:
            if sentences >= length:
                chosen = value
        return chosen

    def to_json(self) -> dict:
        return {**self.meta, "format": MODEL_FORMAT, "features": DOCUMENT_FEATURES, "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(), "intercept": self.intercept}

    def save(self, folder: Path, card: str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.json").write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | None = None) -> ProvenanceModel:
        folder = Path(folder or default_model_dir())
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the provenance model from {folder}: {err}") from err
        if meta.get("format") != MODEL_FORMAT or meta.get("features") != DOCUMENT_FEATURES:
            raise ModelError(f"the provenance model in {folder} has another format; retrain it with "
                             "`detector train-provenance`")
        arrays = [np.array(meta.pop(key), dtype=np.float64) for key in ("mean", "scale", "coef")]
        return cls(*arrays, float(meta.pop("intercept")), meta)


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "provenance"


@functools.lru_cache(maxsize=2)
def get_provenance_model(folder: str | None = None) -> ProvenanceModel:
    return ProvenanceModel.load(Path(folder) if folder else None)


def provenance_report(texts: list[str], sentence_rows: np.ndarray, logits: np.ndarray, evidence: Evidence | None,
                      model: ProvenanceModel | None = None) -> dict:
    """The ``mt_provenance`` entry for one document's sentences ``texts`` (their round-trip evidence
    and log-odds): ``{"score", "sentences", "above_human", "spans", "note"}``. ``score`` is
    P(machine-translated) (``None`` under ``MIN_SENTENCES`` sentences); ``above_human`` whether it
    passes what human documents of that length in the training sets reach (``threshold``). There is
    no verdict: on held-out sets human documents pass it too often (``NOTE``)."""
    n = len(texts)
    if n < MIN_SENTENCES:
        return {"score": None, "sentences": n, "above_human": None, "spans": [],
                "note": f"provenance needs at least {MIN_SENTENCES} sentences"}
    model = model or get_provenance_model()
    bounds = np.r_[0, np.cumsum(np.bincount(evidence.segment, minlength=n))]
    tokens = [evidence.tokens[bounds[k] : bounds[k + 1]] for k in range(n)]
    features = document_features(sentence_profiles(texts, sentence_rows, logits, evidence), tokens)
    score = float(model.probability(features)[0])
    return {"score": round(score, 4), "sentences": n, "above_human": bool(score >= model.threshold(n)), "spans": [],
            "note": NOTE}


def provenance_of_sentences(texts: list[str], model: ProvenanceModel | None = None) -> dict:
    """:func:`provenance_report` of loose sentences (each scored alone by the round-trip model)."""
    from detector.damage.mt_model import get_mt_model, logit

    if len(texts) < MIN_SENTENCES:
        return provenance_report(list(texts), np.zeros((0, 0)), np.zeros(0), None, model)
    assessed = get_mt_model().assess(list(texts))
    return provenance_report(list(texts), assessed.evidence.sentences, logit(assessed.sentences), assessed.evidence,
                             model)
