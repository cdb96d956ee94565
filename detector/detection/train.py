"""Training: spin clean text, label every token, fit the token and document models, pick thresholds.

    detector train --corpus ../shared/corpus/reuters21578/articles.jsonl -o detector/data/model

>>> split_of("123", seed=0) in ("fit", "docs", "calibration")
True

The corpus is a JSONL file with a ``body`` (or ``text``) field; where records carry a
``lewissplit`` field only ``TRAIN`` records are used, so Reuters ``TEST`` stays unseen for the
benchmark. Training records are split by a hash of their id into three disjoint parts:

* ``fit`` (85%): counted into the news unigram, bigram and trigram tables, and (a sample of them)
  spun to train the token model. Their features are *cross-fitted*: the records are dealt into
  four folds, and a record's features come from tables counted without its own fold. A text
  whose own n-grams were counted looks cleaner than any new text; a model trained on that would
  flag every unseen article.
* ``docs`` (7.5%): spun at several rates, scored by the token model, train the document model;
* ``calibration`` (7.5%): chooses the document threshold (the 99.7th percentile of clean scores,
  aiming at <= 0.5% false positives) and the span threshold (best span F1), and gives the metrics
  in the model card.

"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector import __version__
from detector.detection.features import FEATURE_NAMES, candidate_features, context, encode, token_features
from detector.detection.linear import BinnedLogistic
from detector.detection.model import DOC_FEATURES, MODEL_FORMAT, Model, scorable
from detector.detection.trees import BoostedTrees
from detector.errors import InputError
from detector.lexicon.lexicon import get_lexicon
from detector.lexicon.tables import NewsCounts, add_candidates, base_tables, news_neighbours, with_news
from detector.lexicon.thesaurus import TableThesaurus
from detector.spinner.spinner import SpinConfig, Spinner
from detector.text.tokenize import token_spans

# "news-neighbours" is built during training from the news corpus (detector.lexicon.neighbours)
THESAURI = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases", "news-neighbours")
TRAIN_RATES = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
PARTS = (("fit", 0.85), ("docs", 0.925), ("calibration", 1.0))
FOLDS = 4


@dataclass(frozen=True)
class TrainConfig:
    """Training parameters, all recorded in the model card."""

    seed: int = 0
    min_words: int = 40
    trees: int = 100
    leaves: int = 31
    doc_bins: int = 1  # 1: a plain logistic regression, monotone in every aggregate
    C: float = 1.0
    max_docs: int | None = None  # cap on training records (for quick runs and tests)
    token_docs: int = 10000  # fit records spun (and kept clean) to train the token model
    target_fpr: float = 0.003


def split_of(record_id: str, seed: int) -> str:
    h = int(hashlib.sha256(f"{seed}:{record_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return next(name for name, cut in PARTS if h <= cut)


def read_corpus(path: Path, min_words: int) -> Iterator[tuple[str, str]]:
    """(id, text) of usable training records; a clear error for a missing or malformed corpus."""
    if not path.is_file():
        raise InputError(f"corpus not found: {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as err:
                raise InputError(f"{path} line {number}: not valid JSON ({err.msg})") from err
            if record.get("lewissplit", "TRAIN") != "TRAIN":
                continue
            text = record.get("body") or record.get("text") or ""
            if len(text.split()) >= min_words:
                yield str(record.get("newid", record.get("id", number))), text


def token_labels(spun: str, substitutions, positions: np.ndarray) -> np.ndarray:
    """1 for word tokens inside a substitution of the spun text, else 0."""
    spans = token_spans(spun)
    starts = np.array([spans[i][0] for i in positions.tolist()], dtype=np.int64)
    labels = np.zeros(len(positions), dtype=np.int8)
    for sub in substitutions:
        labels[(starts >= sub.start) & (starts < sub.end)] = 1
    return labels


def original_ids(spun: str, substitutions, positions: np.ndarray, tables) -> tuple[np.ndarray, np.ndarray]:
    """Word positions replaced one word for one word whose original is among their candidates,
    and those originals' ids (the training rows of the candidate ranker)."""
    spans = token_spans(spun)
    row_of = {spans[p][0]: k for k, p in enumerate(positions.tolist())}
    rows, originals = [], []
    for sub in substitutions:
        if " " in sub.original.strip() or " " in sub.replacement.strip() or sub.start not in row_of:
            continue
        k = row_of[sub.start]
        word = tables.vocab.id(sub.replacement)
        original = tables.vocab.id(sub.original)
        if original > 1 and original in tables.candidates(word):
            rows.append(k)
            originals.append(original)
    return np.array(rows, dtype=np.int64), np.array(originals, dtype=np.int64)


def _spinners(seed: int, extra: dict | None = None) -> dict[tuple[str, bool], Spinner]:
    """A spinner per training thesaurus and naivety; ``extra`` adds thesauri built during training."""
    lex = get_lexicon()
    extra = extra or {}
    out = {}
    for thesaurus in THESAURI:
        for naive in (False, True):
            cfg = SpinConfig(thesaurus=thesaurus, seed=seed, match_case=not naive, inflect=not naive)
            out[(thesaurus, naive)] = Spinner(cfg, lexicon=lex, thesaurus=extra.get(thesaurus))
    return out


def spin_random(text: str, spinners, rng: random.Random, rate: float | None = None):
    thesaurus = rng.choice(THESAURI)
    naive = rng.random() < 0.15
    spinner = spinners[(thesaurus, naive)]
    rate = rng.choice(TRAIN_RATES) if rate is None else rate
    result = Spinner(SpinConfig(rate=rate, seed=rng.randrange(2**31), thesaurus=thesaurus,
                                match_case=not naive, inflect=not naive),
                     lexicon=spinner.lex, thesaurus=spinner.thesaurus).spin(text)
    return result, thesaurus, naive


def _log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def train(corpus: Path, out: Path, config: TrainConfig | None = None) -> Model:
    """Train a model on ``corpus`` and write it to ``out``; returns the model."""
    cfg = config or TrainConfig()
    started = time.time()
    parts: dict[str, list[tuple[str, str]]] = {name: [] for name, _ in PARTS}
    for n, (rid, text) in enumerate(read_corpus(corpus, cfg.min_words)):
        if cfg.max_docs and n >= cfg.max_docs:
            break
        parts[split_of(rid, cfg.seed)].append((rid, text))
    if min(len(v) for v in parts.values()) < 5:
        raise InputError(f"corpus {corpus} has too few usable records ({sum(map(len, parts.values()))})")
    _log("records: " + ", ".join(f"{k} {len(v)}" for k, v in parts.items()))

    lex = get_lexicon()
    base = base_tables(lex)
    fold_of = {rid: int(hashlib.sha256(f"fold:{rid}".encode()).hexdigest(), 16) % FOLDS for rid, _ in parts["fit"]}
    fold_counts = [NewsCounts.count(base.vocab, (t for rid, t in parts["fit"] if fold_of[rid] == k))
                   for k in range(FOLDS)]
    total = fold_counts[0]
    for extra in fold_counts[1:]:
        total = total + extra
    neighbours = news_neighbours(base, total)
    base = add_candidates(base, neighbours)
    tables = with_news(base, total)
    _log(f"news neighbours: {len(neighbours):,} words ({time.time() - started:.0f} s)")
    _log(f"tables: {len(tables.vocab):,} words, {len(tables.cand_ids):,} candidates, "
         f"{len(tables.bigrams['news'][0]):,} news bigrams ({time.time() - started:.0f} s)")
    words = base.vocab.words
    neighbour_table = {words[w]: [words[c] for c in cs] for w, cs in neighbours.items()}
    spinners = _spinners(cfg.seed, {"news-neighbours": TableThesaurus("news-neighbours", neighbour_table, lex)})
    rng = random.Random(cfg.seed)

    # token model: a sample of fit records, each clean and spun once, with cross-fitted features
    sample = rng.sample(parts["fit"], min(cfg.token_docs, len(parts["fit"])))
    X, y = [], []
    Xc, yc = [], []  # candidate ranking rows: every candidate of a spun word whose original is known
    for k in range(FOLDS):
        fold_tables = with_news(base, total - fold_counts[k])
        for rid, text in sample:
            if fold_of[rid] != k:
                continue
            result, _, _ = spin_random(text, spinners, rng)
            for version, subs in ((text, ()), (result.text, result.substitutions)):
                doc = encode(version, fold_tables)
                ctx = context(doc, fold_tables)
                feats = token_features(doc, fold_tables, ctx)
                X.append(feats)
                y.append(token_labels(version, subs, doc.word_positions) if subs else np.zeros(len(feats), np.int8))
                if subs:
                    rows, originals = original_ids(version, subs, doc.word_positions, fold_tables)
                    if len(rows):
                        cx, cand, counts = candidate_features(doc, fold_tables, ctx, rows)
                        Xc.append(cx)
                        yc.append((cand == np.repeat(originals, counts)).astype(np.int8))
    X_tok, y_tok = np.vstack(X), np.concatenate(y)
    mask = scorable(X_tok)
    base_rate = float(y_tok[~mask].mean()) if (~mask).any() else 0.0
    _log(f"token rows: {len(y_tok):,} ({y_tok.mean():.1%} spun), {mask.mean():.0%} scorable; "
         f"{base_rate:.1%} of the rest spun ({time.time() - started:.0f} s)")
    token_model = BoostedTrees(n_estimators=cfg.trees, num_leaves=cfg.leaves, random_state=cfg.seed).fit(
        X_tok[mask], y_tok[mask])
    X_cand, y_cand = np.vstack(Xc), np.concatenate(yc)
    _log(f"candidate rows: {len(y_cand):,} ({y_cand.mean():.1%} originals) ({time.time() - started:.0f} s)")
    cand_model = BoostedTrees(n_estimators=cfg.trees, num_leaves=cfg.leaves, random_state=cfg.seed).fit(
        X_cand, y_cand)

    placeholder = BinnedLogistic()
    model = Model(name="detector-reuters", version=__version__, token_model=token_model, doc_model=placeholder,
                  threshold=0.5, span_threshold=0.5, tables=tables, min_words=25, base_rate=base_rate,
                  cand_model=cand_model)

    def doc_rows(records, rates):
        rows, labels, token_sets = [], [], []
        for _, text in records:
            versions = [(text, (), 0, 0.0)]
            for rate in rates:
                spun = spin_random(text, spinners, rng, rate)[0]
                versions.append((spun.text, spun.substitutions, 1, rate))
            for version, subs, label, rate in versions:
                doc = encode(version, tables)
                feats = token_features(doc, tables)
                probs = model.token_probs(feats)
                rows.append(model.doc_features(probs))
                labels.append(label)
                truth = token_labels(version, subs, doc.word_positions) if subs else np.zeros(len(probs), np.int8)
                token_sets.append((probs, truth, label, rate))
        return np.vstack(rows), np.array(labels), token_sets

    eval_rates = (0.02, 0.05, 0.1, 0.2, 0.35)
    Xd, yd, _ = doc_rows(parts["docs"], eval_rates)
    # clean documents are outnumbered 5:1; weight them up so the score is balanced
    weights = np.where(yd == 0, len(eval_rates), 1.0)
    model.doc_model = BinnedLogistic(n_bins=cfg.doc_bins, C=cfg.C, random_state=cfg.seed).fit(Xd, yd, weights)
    _log(f"doc rows: {len(yd):,} ({time.time() - started:.0f} s)")

    Xc, yc, token_sets = doc_rows(parts["calibration"], eval_rates)
    scores = model.doc_model.predict_proba(Xc)
    clean = np.sort(scores[yc == 0])
    model.threshold = float(np.quantile(clean, 1 - cfg.target_fpr)) + 1e-6
    model.span_threshold, span_f1 = _best_span_threshold(token_sets)
    metrics = _calibration_metrics(scores, yc, model.threshold, token_sets, model.span_threshold)
    metrics["span_f1_at_threshold"] = span_f1
    model.info = {
        "trained": time.strftime("%Y-%m-%d"), "detector": __version__, "format": MODEL_FORMAT,
        "corpus": str(corpus.name), "records": {k: len(v) for k, v in parts.items()},
        "config": cfg.__dict__, "thesauri": list(THESAURI), "rates": list(TRAIN_RATES),
        "calibration": metrics, "seconds": round(time.time() - started),
    }
    model.save(out, model_card(model, corpus))
    _log(f"saved {out} ({time.time() - started:.0f} s): {json.dumps(metrics)}")
    return model


def _span_prf(token_sets, threshold: float) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for probs, truth, _label, _rate in token_sets:
        pred = probs >= threshold
        tp += int((pred & (truth == 1)).sum())
        fp += int((pred & (truth == 0)).sum())
        fn += int((~pred & (truth == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _best_span_threshold(token_sets) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.91, 0.05):
        f1 = _span_prf(token_sets, float(t))[2]
        if f1 > best[1]:
            best = (round(float(t), 2), f1)
    return best


def _calibration_metrics(scores, labels, threshold, token_sets, span_threshold) -> dict:
    from sklearn.metrics import roc_auc_score

    p, r, f1 = _span_prf(token_sets, span_threshold)
    return {
        "doc_roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "doc_fpr": round(float((scores[labels == 0] >= threshold).mean()), 4),
        "doc_recall": round(float((scores[labels == 1] >= threshold).mean()), 4),
        "token_precision": round(p, 4), "token_recall": round(r, 4), "token_f1": round(f1, 4),
    }


def model_card(model: Model, corpus: Path) -> str:
    info = model.info
    cal = info["calibration"]
    return f"""# Model card: {model.label}

**What it does.** Scores English text for synonym-substitution spinning: a token model gives each
word the probability that a spinner put it there, a document model turns those into the
probability that the document is spun, and a candidate model ranks the words a flagged word may
have replaced (its suggestion). The token and candidate models are LightGBM gradient-boosted
trees (`token_model.txt`, `cand_model.txt`, LightGBM's text format); the document model a logistic regression over
aggregates of the token probabilities (`detector/detection/linear.py`, numbers in `model.json`); `tables.npz` holds
the vocabulary, candidate originals and n-gram counts. Nothing in this folder is executable.

**Data.** `{corpus.name}` (Reuters-21578, research-only licence), records with `lewissplit ==
TRAIN` and at least {info['config']['min_words']} words, split by a hash of their id
(seed {info['config']['seed']}): {json.dumps(info['records'])}. `fit` texts are counted into the
news n-gram tables and a sample of {info['config']['token_docs']} of them trains the token model,
with features cross-fitted over {FOLDS} folds (a record never sees its own n-grams; 1987 newswire
shorthand such as "mln" or "dlrs" is spelled out when counting); `docs` trains
the document model; `calibration` sets the thresholds and gives the metrics below. Reuters TEST
is never read.

**Training signal.** The project's own spinner (`detector spin`) with thesauri
{', '.join(info['thesauri'])} (the last: distributional neighbours computed on the `fit` texts,
see `detector/neighbours.py`), rates {info['rates']}, 15% of the time naive (no case or
inflection carried over). Token labels are exact: every word inside a substitution is spun.

**Features.** {', '.join(FEATURE_NAMES)} (token); {', '.join(DOC_FEATURES)} (document).
See `detector/features.py`.

**Parameters.** {json.dumps(info['config'])}; document threshold {model.threshold:.4f} (the
{100 * (1 - info['config']['target_fpr']):.1f}th percentile of clean calibration scores); span
threshold {model.span_threshold}.

**Calibration metrics** (held-out TRAIN records, each clean and spun at 0.02/0.05/0.1/0.2/0.35
by a random training thesaurus, news-neighbours included; token metrics are per word):
{json.dumps(cal, indent=1)}

Benchmarks on Reuters TEST are in `benchmarks/results/detection.md`.

**Limits.** Trained on 1987 newswire spun by this project's spinner only. Expect weaker recall
on spinners whose dictionaries share little with WordNet, on very low rates (< 2% of words), on
text with many rare names or jargon, and more false positives on informal or machine-translated
text. English only.

**Reproduce.**

```sh
pip install -e .
detector train --corpus ../shared/corpus/reuters21578/articles.jsonl \\
    --seed {info['config']['seed']} -o detector/data/model
```
Trained in {info['seconds']} s on 2 cores with detector {info['detector']}.
"""
