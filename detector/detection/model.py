"""The detector's model: token model, document model, thresholds and tables, saved as data only.

>>> model = load_model()
>>> model.name.startswith("detector-") and model.threshold > 0
True

A model folder holds ``model.json`` (format, name, version, feature names, the document model
as numbers, thresholds, training facts), ``token_model.txt``, ``context_model.txt`` and
``cand_model.txt`` (LightGBM's text format, each checked against a SHA-256 in ``model.json``: the
word model, its second stage in the light of the document, and the ranker of candidate originals
for suggestions), ``tables.npz`` (see :mod:`detector.lexicon.tables`) and
``MODEL_CARD.md``. Loading parses JSON, text and numpy arrays (``allow_pickle=False``): no code
from the folder ever runs. A folder of another format
is refused with a message that says which format this code reads.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from detector.detection.features import CANDIDATE_FEATURES, FEATURE_NAMES
from detector.detection.linear import MonotoneLogistic
from detector.detection.neural_stage import NEURAL_FEATURES, REGISTER_FEATURES, NeuralStage
from detector.detection.suggestions import DEFAULT_THRESHOLD, SuggestionCalibrator
from detector.detection.trees import BoostedTrees
from detector.errors import ModelError
from detector.lexicon.tables import Tables

MODEL_FORMAT = 2
DOC_FEATURES = ["log_words", "mean", "top_mean", "type_share_over_half", "type_share_over_08", "type_share_over_095",
                "log_types_over_08", "log_types_over_095", "llr_002", "llr_005", "llr_01", "llr_02", "type_mean"]
SPUN_SHARE = 0.09  # share of spun words among the word model's training rows: its prior odds


CONTEXT_FEATURES = ["zipf", "lm_lift", "in_phrase", "best_gain", "lm_gain", "phrase_gain", "stop",
                    "candidate_zipf_gain", "word_prob", "doc_mean", "doc_top_mean", "doc_share_over_half",
                    "doc_log_words"]
_CONTEXT_COLUMNS = [FEATURE_NAMES.index(n) for n in CONTEXT_FEATURES[:8]]


def context_rows(features: np.ndarray, first: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The second stage's inputs (``CONTEXT_FEATURES``): a few of the word's own features, its
    first-stage probability, and its document's mean, top-decile mean and share over 0.5 of
    first-stage probabilities, and log length."""
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    doc = np.zeros((len(lengths), 4), dtype=np.float64)
    for i, (a, b) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist())):
        if b > a:
            q = first[a:b]
            top = np.sort(q)[-max(3, len(q) // 10) :]
            doc[i] = (q.mean(), top.mean(), (q > 0.5).mean(), np.log(len(q)))
    per_row = np.repeat(doc, lengths, axis=0)
    return np.column_stack([features[:, _CONTEXT_COLUMNS], first, per_row]).astype(np.float32)


def scorable(features: np.ndarray) -> np.ndarray:
    """Rows the token model scores: words with candidate originals or inside a replacement phrase."""
    return (features[:, FEATURE_NAMES.index("n_candidates")] > 0) | (features[:, FEATURE_NAMES.index("in_phrase")] > 0)


def default_model_dir() -> Path:
    return Path(str(resources.files("detector") / "data" / "model"))


@dataclass
class Model:
    """Everything scoring needs. ``threshold`` cuts document scores; ``span_threshold`` token scores
    (spans kept in JSON); ``display_threshold`` the spans shown to people (terminal, demo, web page)."""

    name: str
    version: str
    token_model: BoostedTrees
    doc_model: MonotoneLogistic
    threshold: float
    span_threshold: float
    tables: Tables
    min_words: int = 25
    base_rate: float = 0.0  # probability given to words the token model does not look at
    info: dict = field(default_factory=dict)
    cand_model: BoostedTrees | None = None  # ranks candidate originals (None: a fixed formula)
    display_threshold: float = 0.5
    # texts of fewer scored words than ``short_words`` (a sentence or three) show spans from this one:
    # alone, a lone odd word has no document to be weighed against, so it needs more evidence
    display_threshold_short: float | None = None
    short_words: int = 80
    repair_threshold: float = 0.5  # span score x suggestion confidence from which a repair changes words
    context_model: BoostedTrees | None = None  # second stage: a word's probability in its document's light
    suggestion_threshold: float = DEFAULT_THRESHOLD  # calibrated probability from which a span shows its original
    suggestion_calibrator: SuggestionCalibrator | None = None  # that probability (None: the raw confidence)
    folder: Path | None = None  # where it was loaded from (the batch screen is stored beside it)
    token_sha256: str = ""  # the token model's checksum from model.json (the screen is calibrated against it)
    neural: NeuralStage | None = None  # the neural stage (:mod:`detector.detection.neural_stage`), when trained

    def word_probs(self, features: np.ndarray) -> np.ndarray:
        """First stage: the probability that each word was put there by a spinner, from its own features.

        Only words a spinner could have produced (they have candidate originals, or sit in a listed
        spun phrase) go through the trees; the rest get ``base_rate``.
        """
        probs = np.full(len(features), self.base_rate)
        mask = scorable(features)
        if mask.any():
            probs[mask] = self.token_model.predict_proba(features[mask])
        return probs

    def token_probs(self, features: np.ndarray, offsets: np.ndarray | None = None,
                    first: np.ndarray | None = None) -> np.ndarray:
        """The probability that each word was put there by a spinner, in the light of its document:
        the second stage (``context_model``) weighs a word's first-stage probability against how
        suspicious the rest of its document is (a lone odd word in clean text is usually a rare word
        used well; the same word among many suspicious ones is usually spun). ``offsets``: the rows
        where each document starts and ends (one document when None). ``first``: first-stage
        probabilities to use instead of the token model's (evidence from elsewhere, e.g. swaps learned
        across a batch, :mod:`detector.detection.batch_learning`)."""
        first = self.word_probs(features) if first is None else first
        if self.context_model is None or not len(first):
            return first
        offsets = np.array([0, len(first)]) if offsets is None else np.asarray(offsets)
        rows = context_rows(features, first, offsets)
        probs = np.full(len(features), self.base_rate)
        mask = scorable(features)
        if mask.any():
            probs[mask] = self.context_model.predict_proba(rows[mask])
        return probs

    def compile(self) -> bool:
        """Predict with natively compiled trees when lleaves is installed (:meth:`BoostedTrees.compile`)."""
        done = [m.compile() for m in (self.token_model, self.context_model, self.cand_model) if m is not None]
        return bool(done) and all(done)

    def display_threshold_for(self, words: int) -> float:
        """The display threshold of a text of ``words`` scored words."""
        if self.display_threshold_short is not None and words < self.short_words:
            return max(self.display_threshold, self.display_threshold_short)
        return self.display_threshold

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def doc_features(self, probs: np.ndarray, words: np.ndarray | None = None) -> np.ndarray:
        """Document-level aggregates of token probabilities (columns as in ``DOC_FEATURES``).

        The shares and counts are over distinct words (``words``: each token's vocabulary id; its
        highest probability counts): a name flagged every time it is repeated is one odd word, while a
        spinner changes many different ones."""
        n = len(probs)
        if n == 0:
            return np.zeros(len(DOC_FEATURES), dtype=np.float64)
        top = np.sort(probs)[-max(3, n // 10) :]
        if words is not None and len(words) == n:
            order = np.argsort(words, kind="stable")
            starts = np.r_[0, np.flatnonzero(np.diff(words[order])) + 1]
            types = np.maximum.reduceat(probs[order], starts)
        else:
            types = probs
        # how much likelier the words' evidence is if the text was spun at rate r than if it is clean:
        # each word's likelihood ratio is its posterior odds over the prior odds it was trained with
        clipped = np.clip(types, 1e-4, 1 - 1e-4)
        ratio = (clipped / (1 - clipped)) / (SPUN_SHARE / (1 - SPUN_SHARE))
        llr = [np.log1p(r * (ratio - 1)).sum() for r in (0.02, 0.05, 0.1, 0.2)]
        return np.array([np.log(n), probs.mean(), top.mean(), (types > 0.5).mean(), (types > 0.8).mean(),
                         (types > 0.95).mean(), np.log1p((types > 0.8).sum()), np.log1p((types > 0.95).sum()),
                         *llr, types.mean()])

    def save(self, folder: Path, card: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        token_text = self.token_model.to_string()
        (folder / "token_model.txt").write_text(token_text, encoding="utf-8")
        cand_text = self.cand_model.to_string() if self.cand_model is not None else None
        if cand_text is not None:
            (folder / "cand_model.txt").write_text(cand_text, encoding="utf-8")
        context_text = self.context_model.to_string() if self.context_model is not None else None
        if context_text is not None:
            (folder / "context_model.txt").write_text(context_text, encoding="utf-8")
        data = {
            "format": MODEL_FORMAT, "name": self.name, "version": self.version,
            "features": FEATURE_NAMES, "doc_features": DOC_FEATURES,
            "token_model": {"file": "token_model.txt", "sha256": _sha256(token_text)},
            "cand_model": {"file": "cand_model.txt", "sha256": _sha256(cand_text)} if cand_text else None,
            "candidate_features": CANDIDATE_FEATURES,
            "context_model": {"file": "context_model.txt", "sha256": _sha256(context_text)} if context_text else None,
            "context_features": CONTEXT_FEATURES,
            "doc_model": self.doc_model.to_dict(),
            "threshold": self.threshold, "span_threshold": self.span_threshold,
            "display_threshold": self.display_threshold, "repair_threshold": self.repair_threshold,
            "display_threshold_short": self.display_threshold_short, "short_words": self.short_words,
            "suggestion_threshold": self.suggestion_threshold,
            "suggestion_calibrator": self.suggestion_calibrator.to_dict() if self.suggestion_calibrator else None,
            "min_words": self.min_words,
            "base_rate": self.base_rate,
            "info": self.info,
            "neural": save_neural(self.neural, folder) if self.neural is not None else None,
        }
        (folder / "model.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        self.tables.save(folder / "tables.npz")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")


def load_model(folder: str | Path | None = None) -> Model:
    """Load a model folder (default: the one shipped in the package), refusing what it cannot read."""
    if folder is None:
        return _default_model()
    return _load(Path(folder))


@functools.lru_cache(maxsize=1)
def _default_model() -> Model:
    return _load(default_model_dir())


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_trees(folder: Path, entry: dict) -> BoostedTrees:
    path = folder / str(entry["file"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"token model {path} is missing or unreadable ({err})") from err
    if _sha256(text) != entry["sha256"]:
        raise ModelError(f"token model {path} is damaged (checksum mismatch); reinstall detector or retrain")
    try:
        return BoostedTrees.from_string(text)
    except Exception as err:  # lightgbm raises its own LightGBMError on bad text
        raise ModelError(f"token model {path} cannot be read ({err})") from err


def model_header(folder: str | Path | None = None) -> tuple[str, float]:
    """(label, threshold) of a model folder from its ``model.json`` alone: cheap, for a process that
    hands the scoring to workers."""
    data = _read_json(Path(folder) if folder is not None else default_model_dir())
    try:
        return f"{data['name']}@{data['version']}", float(data["threshold"])
    except (KeyError, TypeError, ValueError) as err:
        raise ModelError(f"model file in {folder} is damaged ({type(err).__name__}: {err})") from err


def _read_json(folder: Path) -> dict:
    path = folder / "model.json"
    if not path.is_file():
        raise ModelError(f"no model at {folder} (model.json missing); train one with `detector train`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise ModelError(f"model file {path} is damaged ({err})") from err
    if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise ModelError(f"model file {path} has format {found!r}; this detector reads format {MODEL_FORMAT} "
                         "(retrain it with this version's `detector train`)")
    if data.get("features") != FEATURE_NAMES or data.get("doc_features") != DOC_FEATURES or (
            data.get("cand_model") and data.get("candidate_features") != CANDIDATE_FEATURES) or (
            data.get("context_model") and data.get("context_features") != CONTEXT_FEATURES):
        raise ModelError(f"model file {path} was trained on other features; retrain it with `detector train`")
    return data


def save_neural(stage: NeuralStage, folder: Path) -> dict:
    """Write the neural stage's word model beside the others; its entry in ``model.json``."""
    text = stage.word_model.to_string()
    (folder / "neural_word_model.txt").write_text(text, encoding="utf-8")
    return {"word_model": {"file": "neural_word_model.txt", "sha256": _sha256(text)}, "features": NEURAL_FEATURES,
            "register_features": REGISTER_FEATURES, "doc_model": stage.doc_model.to_dict(),
            "threshold": stage.threshold, "span_threshold": stage.span_threshold,
            "display_threshold": stage.display_threshold, "display_threshold_short": stage.display_threshold_short,
            "repair_threshold": stage.repair_threshold, "band": list(stage.band), "lm": stage.lm,
            "info": stage.info or {}}


def _load_neural(folder: Path, entry: dict | None) -> NeuralStage | None:
    if not entry:
        return None
    if entry.get("features") != NEURAL_FEATURES or entry.get("register_features") != REGISTER_FEATURES:
        raise ModelError(f"the neural stage in {folder} was trained on other features; retrain it with "
                         "`detector train-neural`")
    short = entry.get("display_threshold_short")
    return NeuralStage(word_model=_load_trees(folder, entry["word_model"]),
                       doc_model=MonotoneLogistic.from_dict(entry["doc_model"]), threshold=float(entry["threshold"]),
                       span_threshold=float(entry["span_threshold"]),
                       display_threshold=float(entry["display_threshold"]),
                       display_threshold_short=float(short) if short is not None else None,
                       repair_threshold=float(entry["repair_threshold"]),
                       band=(float(entry["band"][0]), float(entry["band"][1])), lm=str(entry["lm"]),
                       info=dict(entry.get("info", {})))


def _load(folder: Path) -> Model:
    data = _read_json(folder)
    path = folder / "model.json"
    try:
        return Model(
            name=str(data["name"]), version=str(data["version"]),
            token_model=_load_trees(folder, data["token_model"]),
            doc_model=MonotoneLogistic.from_dict(data["doc_model"]),
            threshold=float(data["threshold"]), span_threshold=float(data["span_threshold"]),
            display_threshold=float(data["display_threshold"]), repair_threshold=float(data["repair_threshold"]),
            display_threshold_short=(float(data["display_threshold_short"])
                                     if data.get("display_threshold_short") is not None else None),
            short_words=int(data.get("short_words", 80)),
            tables=Tables.load(folder / "tables.npz"), min_words=int(data.get("min_words", 25)),
            base_rate=float(data["base_rate"]),
            cand_model=_load_trees(folder, data["cand_model"]) if data.get("cand_model") else None,
            context_model=_load_trees(folder, data["context_model"]) if data.get("context_model") else None,
            info=dict(data.get("info", {})), folder=folder, token_sha256=str(data["token_model"]["sha256"]),
            suggestion_threshold=float(data.get("suggestion_threshold", DEFAULT_THRESHOLD)),
            suggestion_calibrator=(SuggestionCalibrator.from_dict(data["suggestion_calibrator"])
                                   if data.get("suggestion_calibrator") else None),
            neural=_load_neural(folder, data.get("neural")),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ModelError(f"model file {path} is damaged ({type(err).__name__}: {err})") from err
