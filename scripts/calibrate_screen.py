"""Fit the batch screen (:mod:`detector.detection.screen`) against a model, and store it beside the model.

    PYTHONPATH=. python scripts/calibrate_screen.py                       # the shipped model, ../shared/corpus
    PYTHONPATH=. python scripts/calibrate_screen.py --model DIR --corpus /path/to/corpus

Re-run it whenever the model is retrained (the screen records the token model's SHA-256 and is not
used with another model). About two minutes on one core.

Documents: the held-out corpora (``detector.detection.corpora.HELD_OUT``), at most ``CAPS`` each
(seeded sample), cut at 3,000 words, split by a hash of their id into ``calibration`` (used here)
and ``report`` (used by ``benchmarks/speed.py``; never seen here). Each calibration document is
scored untouched and spun by two of the training spinners at two rates (spinner and rate chosen
by its index), exhaustively by the full model. The screen's weights are a least-squares fit of
the full model's document log-odds (clipped to +-8) on the screen features; ``cut`` is set so that
at most ``--miss`` (default 0.4%, under the issue's 0.5% for a margin) of the documents the full
model calls spun fall below it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path

import numpy as np

from detector.detection.corpora import HELD_OUT, cut_at_paragraph, held_out_documents
from detector.detection.features import concat, context
from detector.detection.model import default_model_dir, load_model
from detector.detection.scoring import Scorer, token_model_sha256
from detector.detection.screen import SCREEN_FEATURES, Screen, screen_features
from detector.spinner.spinner import SpinConfig, Spinner

CAPS = {"onestopenglish": 189, "gum": 263, "plos": 60, "stackexchange": 400, "reuters-test": 600}
SPINNERS = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases", "wordnet-naive")
RATES = (0.02, 0.05, 0.1, 0.2)
MAX_WORDS = 3000
CLIP = 8.0


def part_of(doc_id: str) -> str:
    """``calibration`` or ``report``, by a hash of the document id (independent of training's split)."""
    return "calibration" if int(hashlib.sha256(f"screen:{doc_id}".encode()).hexdigest()[:8], 16) % 2 else "report"


def cut(text: str, max_words: int = MAX_WORDS) -> str:
    return cut_at_paragraph(text, max_words)


def spin_config(name: str, rate: float, seed: int) -> SpinConfig:
    if name == "wordnet-naive":
        return SpinConfig(rate=rate, seed=seed, thesaurus="wordnet", match_case=False, inflect=False)
    return SpinConfig(rate=rate, seed=seed, thesaurus=name)


def documents(corpus: Path, part: str, scale: float = 1.0, seed: int = 0) -> list[tuple[str, str, str]]:
    """(id, genre, text) of the held-out documents of one part, cut at ``MAX_WORDS``."""
    rng = random.Random(seed)
    out = []
    for name in HELD_OUT:
        found = held_out_documents(corpus, name)
        for d in rng.sample(found, min(int(CAPS[name] * scale), len(found))):
            if part_of(d.id) == part:
                out.append((d.id, d.genre, cut(d.text)))
    return out


def spun_versions(docs: list[tuple[str, str, str]], per_doc: int = 2, seed: int = 1) -> list[tuple]:
    """(document index, spun text, rate, substitutions): ``per_doc`` versions of each document that
    the spinner changed, spinner and rate chosen by index."""
    spinners: dict[tuple[str, float], Spinner] = {}
    out = []
    for i, (_, _, text) in enumerate(docs):
        for k in range(per_doc):
            name = SPINNERS[(i + k) % len(SPINNERS)]
            rate = RATES[(i + 2 * k) % len(RATES)]
            spinner = spinners.setdefault((name, rate), Spinner(spin_config(name, rate, seed)))
            result = spinner.spin(text, seed=i * per_doc + k)
            if result.substitutions:
                out.append((i, result.text, rate, result.substitutions))
    return out


def features_of(scorer: Scorer, texts: list[str], batch: int = 64) -> np.ndarray:
    rows = []
    for i in range(0, len(texts), batch):
        prepared = [scorer._prepare(t) for t in texts[i : i + batch]]
        joined, _, offsets = concat([p.doc for p in prepared])
        rows.append(screen_features(joined, scorer.model.tables, context(joined, scorer.model.tables), offsets))
    return np.vstack(rows) if rows else np.zeros((0, len(SCREEN_FEATURES)))


def fit(X: np.ndarray, logit: np.ndarray, spun: np.ndarray, miss: float) -> tuple[np.ndarray, float, float]:
    """Least-squares weights and bias, and the cut that screens out at most ``miss`` of ``spun``."""
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, np.clip(logit, -CLIP, CLIP), rcond=None)
    pred = A @ coef
    allowed = int(np.floor(miss * spun.sum()))
    ranked = np.sort(pred[spun])
    cut_value = float(ranked[allowed]) if len(ranked) else float("inf")  # the (allowed+1)-th lowest passes
    return coef[:-1], float(coef[-1]), cut_value


def trade_off(screen: Screen, X: np.ndarray, scores: np.ndarray, called: np.ndarray, spun: np.ndarray) -> list[dict]:
    """For other cuts, on these documents: share of documents called spun that are screened out,
    of clean and spun texts settled, and the ROC AUC of clean vs spun texts with screened texts
    scored by the screen's estimate (exhaustive: every text by the full model)."""
    from sklearn.metrics import roc_auc_score

    logit, estimate = screen.logit(X), screen.estimate(X)
    rows = [{"cut": "exhaustive", "auc": round(float(roc_auc_score(spun, scores)), 4)}]
    for cut_value in sorted({-2.0, -1.0, float(np.sort(logit[called])[0]) - 1e-9, screen.cut}):
        passes = logit >= cut_value
        rows.append({"cut": round(cut_value, 3), "called_screened": round(float((~passes[called]).mean()), 4),
                     "clean_settled": round(float((~passes[~spun]).mean()), 3),
                     "spun_settled": round(float((~passes[spun]).mean()), 3),
                     "auc": round(float(roc_auc_score(spun, np.where(passes, scores, estimate))), 4)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped one)")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--miss", type=float, default=0.004)
    parser.add_argument("--scale", type=float, default=1.0, help="share of CAPS documents to read")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write screen.json")
    parser.add_argument("--save-arrays", type=Path, default=None, help="also save features and scores (.npz)")
    args = parser.parse_args()
    folder = args.model or default_model_dir()
    start = time.perf_counter()
    model = load_model(args.model)
    scorer = Scorer(model, screen=False)
    docs = documents(args.corpus, "calibration", args.scale)
    spun = spun_versions(docs)
    texts = [t for _, _, t in docs] + [t for _, t, _, _ in spun]
    is_spun_text = np.r_[np.zeros(len(docs), bool), np.ones(len(spun), bool)]
    print(f"{len(docs)} calibration documents, {len(spun)} spun versions ({time.perf_counter() - start:.0f} s)",
          file=sys.stderr)
    results = []
    for i in range(0, len(texts), 64):
        results += scorer.score_many(texts[i : i + 64])
    scoreable = np.array([r.verdict in ("spun", "clean") for r in results])
    scores = np.clip(np.array([r.score for r in results]), 1e-6, 1 - 1e-6)
    logit = np.log(scores / (1 - scores))
    called = np.array([r.verdict == "spun" for r in results])
    X = features_of(scorer, texts)[scoreable]
    if args.save_arrays:
        np.savez(args.save_arrays, X=X, logit=logit[scoreable], called=called[scoreable],
                 spun=is_spun_text[scoreable])
    weights, bias, cut_value = fit(X, logit[scoreable], called[scoreable], args.miss)
    max_words = int(np.expm1(X[:, 0]).round().max())  # the longest document calibrated on
    screen = Screen(weights=weights.tolist(), bias=bias, cut=cut_value, model_sha256=token_model_sha256(model),
                    max_words=max_words)
    passes = screen.passes(X)
    sweep = trade_off(screen, X, scores[scoreable], called[scoreable], is_spun_text[scoreable])
    clean_pass = float(passes[~is_spun_text[scoreable]].mean())
    info = {"documents": len(docs), "spun_versions": len(spun), "called_spun": int(called.sum()),
            "miss_target": args.miss, "clean_passed": round(clean_pass, 4),
            "spun_text_passed": round(float(passes[is_spun_text[scoreable]].mean()), 4),
            "trade_off": sweep,
            "corr": round(float(np.corrcoef(screen.logit(X), np.clip(logit[scoreable], -CLIP, CLIP))[0, 1]), 4),
            "command": "PYTHONPATH=. python scripts/calibrate_screen.py" + (f" --model {args.model}" if args.model
                                                                            else "")}
    screen = Screen(weights=screen.weights, bias=bias, cut=cut_value, model_sha256=screen.model_sha256,
                    max_words=max_words, info=info)
    print(info, f"cut {cut_value:.3f}", f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    if not args.dry_run:
        print(f"wrote {screen.save(folder)}")


if __name__ == "__main__":
    main()
