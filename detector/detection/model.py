"""The detector's model: token model, document model, thresholds and tables, saved as data only.

>>> model = load_model()
>>> model.name.startswith("detector-") and model.threshold > 0
True

A model folder holds ``model.json`` (format, name, version, feature names, the document model
as numbers, thresholds, training facts), ``token_model.txt`` and ``cand_model.txt`` (LightGBM's
text format, each checked against a SHA-256 in ``model.json``; the second ranks candidate
originals for suggestions), ``tables.npz`` (see :mod:`detector.lexicon.tables`) and
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
from detector.detection.linear import BinnedLogistic
from detector.detection.trees import BoostedTrees
from detector.errors import ModelError
from detector.lexicon.tables import Tables

MODEL_FORMAT = 1
DOC_FEATURES = ["log_words", "mean", "top_mean", "share_over_half", "log_count_over_08", "log_count_over_095"]


def scorable(features: np.ndarray) -> np.ndarray:
    """Rows the token model scores: words with candidate originals or inside a replacement phrase."""
    return (features[:, FEATURE_NAMES.index("n_candidates")] > 0) | (features[:, FEATURE_NAMES.index("in_phrase")] > 0)


def default_model_dir() -> Path:
    return Path(str(resources.files("detector") / "data" / "model"))


@dataclass
class Model:
    """Everything scoring needs. ``threshold`` cuts document scores; ``span_threshold`` token scores."""

    name: str
    version: str
    token_model: BoostedTrees
    doc_model: BinnedLogistic
    threshold: float
    span_threshold: float
    tables: Tables
    min_words: int = 25
    base_rate: float = 0.0  # probability given to words the token model does not look at
    info: dict = field(default_factory=dict)
    cand_model: BoostedTrees | None = None  # ranks candidate originals (None: a fixed formula)

    def token_probs(self, features: np.ndarray) -> np.ndarray:
        """Probability that each word was put there by a spinner.

        Only words a spinner could have produced (they have candidate originals, or sit in a
        two-word replacement phrase) go through the trees; the rest get ``base_rate``.
        """
        probs = np.full(len(features), self.base_rate)
        mask = scorable(features)
        if mask.any():
            probs[mask] = self.token_model.predict_proba(features[mask])
        return probs

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def doc_features(self, probs: np.ndarray) -> np.ndarray:
        """Document-level aggregates of token probabilities (columns as in ``DOC_FEATURES``)."""
        n = len(probs)
        if n == 0:
            return np.zeros(len(DOC_FEATURES), dtype=np.float64)
        top = np.sort(probs)[-max(3, n // 10) :]
        return np.array([np.log(n), probs.mean(), top.mean(), (probs > 0.5).mean(), np.log1p((probs > 0.8).sum()),
                         np.log1p((probs > 0.95).sum())])

    def save(self, folder: Path, card: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        token_text = self.token_model.to_string()
        (folder / "token_model.txt").write_text(token_text, encoding="utf-8")
        cand_text = self.cand_model.to_string() if self.cand_model is not None else None
        if cand_text is not None:
            (folder / "cand_model.txt").write_text(cand_text, encoding="utf-8")
        data = {
            "format": MODEL_FORMAT, "name": self.name, "version": self.version,
            "features": FEATURE_NAMES, "doc_features": DOC_FEATURES,
            "token_model": {"file": "token_model.txt", "sha256": _sha256(token_text)},
            "cand_model": {"file": "cand_model.txt", "sha256": _sha256(cand_text)} if cand_text else None,
            "candidate_features": CANDIDATE_FEATURES,
            "doc_model": self.doc_model.to_dict(),
            "threshold": self.threshold, "span_threshold": self.span_threshold, "min_words": self.min_words,
            "base_rate": self.base_rate,
            "info": self.info,
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
            data.get("cand_model") and data.get("candidate_features") != CANDIDATE_FEATURES):
        raise ModelError(f"model file {path} was trained on other features; retrain it with `detector train`")
    return data


def _load(folder: Path) -> Model:
    data = _read_json(folder)
    path = folder / "model.json"
    try:
        return Model(
            name=str(data["name"]), version=str(data["version"]),
            token_model=_load_trees(folder, data["token_model"]),
            doc_model=BinnedLogistic.from_dict(data["doc_model"]),
            threshold=float(data["threshold"]), span_threshold=float(data["span_threshold"]),
            tables=Tables.load(folder / "tables.npz"), min_words=int(data.get("min_words", 25)),
            base_rate=float(data["base_rate"]),
            cand_model=_load_trees(folder, data["cand_model"]) if data.get("cand_model") else None,
            info=dict(data.get("info", {})),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ModelError(f"model file {path} is damaged ({type(err).__name__}: {err})") from err
