"""Training the human-judgement damage model: ``detector train-judged``.

>>> balanced_weights(np.array(["a", "a", "a", "b"]), np.array([1, 0, 0, 1])).round(2).tolist()
[1.33, 0.67, 0.67, 1.33]

"A person marked an error here", learnt from the records of :mod:`detector.damage.judged` whose
role is ``train`` (bio-mqm, MLQE-PE and DEMETR minus their held-out language pairs; every
research-only set and held-out pair is left out), over the evidence of
:mod:`detector.damage.mt_features` and the round-trip model's own word and sentence probabilities
(so this model refines the round-trip model rather than replacing it):

1. Word model: P(a person marked this word), from ``WORD_FEATURES`` and the round-trip word
   model's P(changed). Labels: inside a visible error span, or a BAD word tag.
2. Sentence model: P(a person marked a major visible error), from ``SENTENCE_FEATURES``, the
   judged word model's aggregates (out of fold: two folds by source segment) and the round-trip
   model's sentence log-odds; trained on major (1) against no error at all (0), minor-only
   sentences left out.
3. Every data set weighs the same, and within it both classes weigh the same: the data sets'
   base rates (86% of MLQE-PE sentences are major, 9% of bio-mqm's) must not become a cue of
   genre.
4. Thresholds from clean text of the training genres (the originals of ``roundtrip-more``): a
   sentence is shown from the 99.5th percentile of clean sentences' probability, a document is
   damaged from the 99.9th percentile of clean documents' mean log-odds (shrunk as the round-trip
   model's for short documents).
"""

from __future__ import annotations

import hashlib
import time
from datetime import date
from pathlib import Path

import numpy as np

from detector.damage.judged import HELD_OUT_PAIRS, TRAIN_SETS, Judged, read_all, token_bad
from detector.damage.mt_features import evidence_for_sentences
from detector.damage.mt_model import MIN_SENTENCES, document_statistic, get_mt_model, logit
from detector.detection.trees import BoostedTrees

VERSION = "0.1.0"
WORD_SAMPLE = 150_000  # words each word model is fitted on (a seeded sample)
BATCH = 2000
SENTENCE_QUANTILE = 0.995
DOCUMENT_QUANTILE = 0.999


def balanced_weights(groups: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights giving each (group, class) the same total, normalised to mean 1."""
    w = np.ones(len(y), dtype=np.float64)
    for group in np.unique(groups):
        for c in (0, 1):
            mask = (groups == group) & (y == c)
            if mask.any():
                w[mask] = 1.0 / mask.sum()
    return w / w.mean()


def word_trees(seed: int) -> BoostedTrees:
    return BoostedTrees(n_estimators=150, num_leaves=31, learning_rate=0.1, min_child_samples=200, subsample=0.5,
                        colsample=0.8, random_state=seed, n_jobs=1)


def sentence_trees(seed: int) -> BoostedTrees:
    return BoostedTrees(n_estimators=250, num_leaves=15, learning_rate=0.05, min_child_samples=100, subsample=0.8,
                        colsample=0.8, random_state=seed, n_jobs=1)


def judged_evidence(records: list, tables, log=print) -> dict:
    """Sentence rows, word rows (with the round-trip model's probabilities) and word labels."""
    from detector.detection.features import encode

    old = get_mt_model()
    S, W, seg, bad, old_s = [], [], [], [], []
    start = time.perf_counter()
    for i in range(0, len(records), BATCH):
        part = records[i : i + BATCH]
        found = evidence_for_sentences([r.text for r in part], tables)
        assessed = old.assess_evidence(found, len(part))
        S.append(found.sentences)
        W.append(np.column_stack([found.words, assessed.words]))
        seg.append(found.segment + i)
        old_s.append(assessed.sentences)
        if isinstance(part[0], Judged):
            bounds = np.r_[0, np.cumsum(np.bincount(found.segment, minlength=len(part)))]
            for k, r in enumerate(part):
                doc = encode(r.text, tables)
                spans = doc.spans()
                positions = doc.word_positions.tolist()[: bounds[k + 1] - bounds[k]]
                bad.append(token_bad(r.text, r, [spans[p] for p in positions]))
        log(f"  evidence {min(i + BATCH, len(records)):,}/{len(records):,} ({time.perf_counter() - start:.0f} s)")
    return {"S": np.vstack(S), "W": np.vstack(W), "segment": np.concatenate(seg),
            "bad": np.concatenate(bad).astype(np.int8) if bad else None, "old": np.concatenate(old_s)}


def sentence_rows(found: dict, word_p: np.ndarray, n: int) -> np.ndarray:
    from detector.damage.mt_model import word_aggregates

    return np.hstack([found["S"], word_aggregates(word_p, found["segment"], n), logit(found["old"])[:, None]])


def fold_of(unit: str) -> int:
    return int(hashlib.sha256(unit.encode()).hexdigest(), 16) % 2


def train_judged(corpus: Path, out: Path, seed: int = 13, log=print) -> dict:
    """Fit and save the judged word and sentence models with thresholds and a model card."""
    from detector.damage.judged_model import JudgedModel
    from detector.damage.pairs import read_more
    from detector.detection.model import load_model

    start = time.perf_counter()
    tables = load_model().tables
    records = [r for r in read_all(corpus, TRAIN_SETS) if r.role == "train"]
    n = len(records)
    log(f"{n:,} judged training sentences")
    found = judged_evidence(records, tables, log)
    segment, bad = found["segment"], found["bad"]
    dataset = np.array([r.dataset for r in records])
    folds = np.array([fold_of(r.unit) for r in records])
    rng = np.random.default_rng(seed)

    def fit_words(rows: np.ndarray) -> BoostedTrees:
        if len(rows) > WORD_SAMPLE:
            rows = np.sort(rng.choice(rows, WORD_SAMPLE, replace=False))
        weight = balanced_weights(dataset[segment[rows]], bad[rows])
        return word_trees(seed).fit(found["W"][rows], bad[rows], sample_weight=weight)

    word_p = np.zeros(len(bad))
    for k in (0, 1):
        model = fit_words(np.flatnonzero(folds[segment] != k))
        held = np.flatnonzero(folds[segment] == k)
        word_p[held] = model.predict_proba(found["W"][held])
        log(f"  word model, fold {k} ({time.perf_counter() - start:.0f} s)")
    final_words = fit_words(np.arange(len(bad)))
    X = sentence_rows(found, word_p, n)
    y = np.array([1 if r.major else 0 if r.clean else -1 for r in records])
    train = y >= 0
    final_sentences = sentence_trees(seed).fit(X[train], y[train],
                                               sample_weight=balanced_weights(dataset[train], y[train]))
    log(f"  sentence model ({time.perf_counter() - start:.0f} s)")

    clean = [r for r in read_more(corpus) if r.label == 0 and r.role == "train"]
    clean_found = judged_evidence(clean, tables, log)
    model = JudgedModel(final_words, final_sentences, {})
    p_clean = model.sentences_from(clean_found, len(clean))
    clean_mean = float(logit(p_clean).mean())
    docs: dict[str, list[float]] = {}
    for r, z in zip(clean, logit(p_clean)):
        docs.setdefault(r.unit, []).append(float(z))
    doc_scores = np.array([document_statistic(np.array(v), clean_mean) for v in docs.values()
                           if len(v) >= MIN_SENTENCES])
    meta = {
        "name": "mt-judged", "version": VERSION, "seed": seed, "trained": date.today().isoformat(),
        "spin_model": load_model().label, "spin_model_trained": load_model().info.get("trained"),
        "roundtrip_model": get_mt_model().label,
        "clean_mean_logit": round(clean_mean, 4),
        "sentence_threshold": round(float(np.quantile(p_clean, SENTENCE_QUANTILE)), 4),
        "document_threshold": round(float(np.quantile(doc_scores, DOCUMENT_QUANTILE)), 4),
        "word_threshold": 0.5,
        "training": {"sentences": n, "major": int((y == 1).sum()), "no_error": int((y == 0).sum()),
                     "words": len(bad), "marked_words": int(bad.sum()),
                     "data_sets": {name: int((dataset == name).sum()) for name in TRAIN_SETS},
                     "held_out_pairs": {k: list(v) for k, v in HELD_OUT_PAIRS.items()},
                     "clean_sentences": len(clean), "clean_documents": len(doc_scores)},
    }
    model = JudgedModel(final_words, final_sentences, meta)
    model.save(out, model_card(meta))
    log(f"done ({time.perf_counter() - start:.0f} s) -> {out}")
    return meta


def model_card(meta: dict) -> str:
    t = meta["training"]
    sets = ", ".join(f"{k} {v:,}" for k, v in t["data_sets"].items())
    held = "; ".join(f"{k}: {', '.join(v)}" for k, v in t["held_out_pairs"].items())
    return f"""# Human-judgement damage model (mt-judged {meta['version']})

Two LightGBM models in LightGBM's text format (`word.lgb.txt`, `sentence.lgb.txt`; parsed, never
executed) and `model.json`. Trained {meta['trained']} with seed {meta['seed']} over the tables of
`{meta['spin_model']}` (trained {meta.get('spin_model_trained') or 'on an unknown date'}) and the outputs of
the round-trip model `{meta['roundtrip_model']}` (its word and sentence probabilities are features here:
this model refines it and needs it).

- Word model: P(a person marked this word as an error), from the round-trip model's word evidence
  (`detector/damage/mt_features.py`) and its P(changed).
- Sentence model: P(a person marked a major error the English shows: fluency, grammar, style,
  spelling, unintelligible or untranslated words), against sentences with no error at all.
- Each data set weighs the same and, within it, both classes do (their base rates differ tenfold).
- Sentences are shown from {meta['sentence_threshold']} (99.5th percentile of {t['clean_sentences']:,} clean
  sentences of the training genres), documents damaged from {meta['document_threshold']} (99.9th
  percentile of {t['clean_documents']:,} clean training documents' mean log-odds, shrunk toward
  {meta['clean_mean_logit']} under 12 sentences); words from {meta['word_threshold']}.

Data, all with licences that allow a shipped model to be trained on them (no text of them is in
this repository): bio-mqm round 2 (Apache-2.0; WMT21 biomedical systems, expert MQM spans), MLQE-PE
(CC0; fairseq NMT, word tags from post-editing, HTER >= 0.3 counted as major) and DEMETR (MIT;
synthetic perturbations of Google Translate output). Sentences: {sets}; {t['major']:,} major and
{t['no_error']:,} without error; {t['words']:,} words ({t['marked_words']:,} marked). Held out (never
trained on): the language pairs {held}; and every research-only set (Google's MQM of WMT zh-en,
WMT QE 2022/23 zh/he/km/ps-en, the literary MQM set), whose systems are all unseen.

Results on the held-out data are in `benchmarks/results/mt_judged.md` (`python benchmarks/mt_damage.py --judged`).

Reproduce: `detector train-judged --corpus ../shared/corpus -o detector/data/mtjudged --seed {meta['seed']}`.
"""
