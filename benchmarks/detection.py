"""Detection benchmark: Reuters TEST articles (never seen in training), spun and untouched.

    python benchmarks/detection.py                       # the full run; writes results/detection.*
    python benchmarks/detection.py --split calibration   # a development run on held-out TRAIN records

For each thesaurus and rate (0.02, 0.05, 0.1, 0.2, 0.35) every article is spun once (an article
the spinner could not change at all, such as a table of figures, is left out of the positives);
the same articles untouched are the negatives. Printed per rate and per thesaurus: document ROC AUC,
recall and false-positive rate at the model's default threshold, and span precision / recall /
F1, where a predicted span counts when it overlaps a true substitution and a substitution counts
as found when a predicted span overlaps it. Then the seeds' scores, throughput on one core in
batch use (with ftfy's ``fix_text`` measured beside it in the same run), and model load time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from common import ROOT, reuters, write_results
from sklearn.metrics import roc_auc_score

from detector.detection.model import load_model
from detector.detection.scoring import Scorer
from detector.detection.train import read_corpus, split_of
from detector.spinner.spinner import SpinConfig, Spinner

RATES = (0.02, 0.05, 0.1, 0.2, 0.35)
THESAURI = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases")
# Spinners the model was not trained on, reported apart: a distributional thesaurus that shares
# nothing with WordNet (benchmarks/heldout_spinner.py), and WordNet pasted without inflection or case.
HELD_OUT = ("distributional", "wordnet-naive")


def spin_config(name: str, rate: float) -> SpinConfig:
    if name == "distributional":
        from heldout_spinner import OUT, build

        path = OUT if OUT.exists() else build()
        return SpinConfig(rate=rate, seed=1, thesaurus=str(path))
    if name == "wordnet-naive":
        return SpinConfig(rate=rate, seed=1, thesaurus="wordnet", match_case=False, inflect=False)
    return SpinConfig(rate=rate, seed=1, thesaurus=name)


def articles(split: str, limit: int) -> list[str]:
    if split == "TEST":
        return [r["body"] for r in reuters("TEST", min_words=40)][:limit]
    from common import CORPUS

    return [t for rid, t in read_corpus(CORPUS, 40) if split_of(rid, 0) == split][:limit]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_counts(result, substitutions) -> tuple[int, int, int, int]:
    """(predicted spans, predicted spans that hit, true substitutions, substitutions found)."""
    pred = [(s.start, s.end) for s in result.spans]
    true = [(s.start, s.end) for s in substitutions]
    hit = sum(any(overlaps(p, t) for t in true) for p in pred)
    found = sum(any(overlaps(t, p) for p in pred) for t in true)
    return len(pred), hit, len(true), found


def prf(counts: np.ndarray) -> tuple[float, float, float]:
    pred, hit, true, found = counts
    p = hit / pred if pred else 0.0
    r = found / true if true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="TEST", help="TEST (the benchmark) or calibration (development)")
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    model = load_model(args.model)
    load_s = time.perf_counter() - start
    scorer = Scorer(model)
    texts = articles(args.split, args.articles)
    clean = scorer.score_many(texts)
    clean_scores = np.array([r.score for r in clean])
    clean_fp = float((clean_scores >= model.threshold).mean())
    clean_spans = sum(len(r.spans) for r in clean)

    rows = {}
    for thesaurus in THESAURI + HELD_OUT:
        for rate in RATES:
            spinner = Spinner(spin_config(thesaurus, rate))
            spun = [spinner.spin(t, seed=i) for i, t in enumerate(texts)]
            spun = [s for s in spun if s.substitutions]  # a text the spinner could not touch is not spun
            results = scorer.score_many([s.text for s in spun])
            scores = np.array([r.score for r in results])
            counts = np.sum([span_counts(r, s.substitutions) for r, s in zip(results, spun)], axis=0)
            rows[(thesaurus, rate)] = (scores, counts)
        print(f"  {thesaurus} done", file=sys.stderr)

    def summarize(keys) -> dict:
        scores = np.concatenate([rows[k][0] for k in keys])
        counts = np.sum([rows[k][1] for k in keys], axis=0)
        labels = np.r_[np.zeros(len(clean_scores)), np.ones(len(scores))]
        auc = roc_auc_score(labels, np.r_[clean_scores, scores])
        p, r, f1 = prf(counts)
        return {"auc": auc, "recall": float((scores >= model.threshold).mean()), "fpr": clean_fp,
                "span_p": p, "span_r": r, "span_f1": f1}

    header = "| {} | doc ROC AUC | recall @thr | FPR @thr | span P | span R | span F1 |\n| --- |" + " --- |" * 6
    line = "| {} | {auc:.4f} | {recall:.3f} | {fpr:.4f} | {span_p:.3f} | {span_r:.3f} | {span_f1:.3f} |"
    table = [f"split {args.split}: {len(texts)} articles, each untouched and spun once per thesaurus and rate; "
             f"model {model.label}, threshold {model.threshold:.4f}", "", header.format("rate")]
    per_rate = {rate: summarize([(t, rate) for t in THESAURI]) for rate in RATES}
    table += [line.format(rate, **v) for rate, v in per_rate.items()]
    overall = summarize([(t, r) for t in THESAURI for r in RATES])
    table.append(line.format("**all**", **overall))
    table += ["", header.format("thesaurus")]
    per_thesaurus = {t: summarize([(t, r) for r in RATES]) for t in THESAURI}
    table += [line.format(t, **v) for t, v in per_thesaurus.items()]
    table += ["", "Held-out spinners (not used in training), all rates:", "", header.format("spinner")]
    held_out = {t: summarize([(t, r) for r in RATES]) for t in HELD_OUT}
    table += [line.format(t, **v) for t, v in held_out.items()]
    table += ["", header.format("distributional, rate")]
    table += [line.format(r, **summarize([("distributional", r)])) for r in RATES]
    table += ["", f"clean articles: {clean_fp:.2%} flagged spun, {clean_spans / len(texts):.2f} spans per article"]

    seeds = {}
    table += ["", "| seed | score | verdict | spans |", "| --- | --- | --- | --- |"]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        r = scorer.score(path.read_text(encoding="utf-8"))
        seeds[path.name] = {"score": r.score, "verdict": r.verdict, "spans": len(r.spans)}
        table.append(f"| {path.name} | {r.score:.3f} | {r.verdict} | {len(r.spans)} |")

    speed = throughput(scorer, texts)
    table += ["", f"throughput (one core, JSONL batch use, {speed['megabytes']:.1f} MB): "
              f"detector {speed['detector_mb_s']:.2f} MB/s, ftfy.fix_text {speed['ftfy_mb_s']:.2f} MB/s "
              f"(ratio {speed['detector_mb_s'] / speed['ftfy_mb_s']:.2f}); model load {load_s:.2f} s"]
    text = "\n".join(table)
    print(text)
    if args.split == "TEST":
        write_results("detection", {
            "split": args.split, "articles": len(texts), "model": model.label, "threshold": model.threshold,
            "per_rate": {str(k): v for k, v in per_rate.items()}, "per_thesaurus": per_thesaurus,
            "overall": overall, "held_out": held_out, "seeds": seeds, "throughput": speed,
            "model_load_s": load_s}, text)


def throughput(scorer: Scorer, texts: list[str]) -> dict:
    """Score JSONL lines end to end (parse, score, serialise) on one core; ftfy on the same text."""
    rng = random.Random(0)
    spinner = Spinner(SpinConfig(rate=0.1, seed=2))
    docs = [t if rng.random() < 0.5 else spinner.spin(t).text for t in texts]
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(docs)] * 2
    megabytes = sum(len(t.encode()) for t in docs) * 2 / 1e6
    start = time.perf_counter()
    for i in range(0, len(lines), 256):
        batch = [json.loads(x) for x in lines[i : i + 256]]
        for r in scorer.score_many([b["text"] for b in batch], [b["id"] for b in batch]):
            json.dumps(r.to_dict())
    detector_s = time.perf_counter() - start
    try:
        import ftfy
    except ImportError:
        ftfy = None
    ftfy_s = float("nan")
    if ftfy is not None:
        start = time.perf_counter()
        for x in lines:
            ftfy.fix_text(json.loads(x)["text"])
        ftfy_s = time.perf_counter() - start
    return {"megabytes": megabytes, "detector_mb_s": megabytes / detector_s, "ftfy_mb_s": megabytes / ftfy_s}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
