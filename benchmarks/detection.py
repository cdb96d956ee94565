"""Detection benchmark on genres and spinners held out from training.

    python benchmarks/detection.py                # writes results/detection.{json,md}
    python benchmarks/detection.py --quick        # a smaller development run (not written)

Corpora (``detector.detection.corpora.HELD_OUT``, none read by training): OneStopEnglish ``adv``,
GUM in four genre groups, PLOS, Stack Exchange, and Reuters ``TEST``. Every document is scored
untouched (the negatives) and spun at each rate (0.02, 0.05, 0.1, 0.2) by each spinner:

* the training spinners (WordNet strict and broad, the phrase table, both together, and WordNet
  pasted without case or inflection); "mixed" = document ``i`` spun by spinner ``i mod 5``;
* two spinners never used in training (``benchmarks/heldout_spinner.py``): ``distributional``
  (neighbours in web-bigram contexts) and ``glove`` (GloVe word-vector neighbours).

A document the spinner could not change is left out of the positives. Reported per corpus:
false-positive rate at the model's default threshold, document ROC AUC per rate (spinners mixed),
span precision / recall / F1 (a predicted span counts when it overlaps a true substitution, a
substitution is found when a predicted span overlaps it), and spans *shown* (over the display
threshold) per 100 words of clean text; per spinner: ROC AUC and span F1 over all corpora and
rates. Then the seeds, throughput of ``Scorer.score_many`` on held-out genre text beside ftfy's
``fix_text`` (same run, same text), and model load time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import sentences
from common import ROOT, write_results
from sklearn.metrics import roc_auc_score

from detector.detection.corpora import HELD_OUT, cut_at_paragraph, default_root, held_out_documents
from detector.detection.model import load_model
from detector.detection.scoring import Scorer
from detector.spinner.spinner import SpinConfig, Spinner

RATES = (0.02, 0.05, 0.1, 0.2)
TRAINED = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases", "wordnet-naive")
HELD_OUT_SPINNERS = ("distributional", "glove")
CAPS = {"onestopenglish": 189, "gum": 263, "plos": 60, "stackexchange": 400, "reuters-test": 600}
MAX_WORDS = 3000  # long articles (PLOS) are cut here, at a paragraph end


def spin_config(name: str, rate: float, seed: int) -> SpinConfig:
    if name in HELD_OUT_SPINNERS:
        from heldout_spinner import GLOVE_OUT, OUT, build, build_glove

        path = OUT if name == "distributional" else GLOVE_OUT
        if not path.exists():
            path = build() if name == "distributional" else build_glove()
        return SpinConfig(rate=rate, seed=seed, thesaurus=str(path))
    if name == "wordnet-naive":
        return SpinConfig(rate=rate, seed=seed, thesaurus="wordnet", match_case=False, inflect=False)
    return SpinConfig(rate=rate, seed=seed, thesaurus=name)


def cut(text: str, max_words: int = MAX_WORDS) -> str:
    return cut_at_paragraph(text, max_words)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_counts(spans, substitutions) -> np.ndarray:
    """(predicted spans, predicted spans that hit, true substitutions, substitutions found)."""
    pred = [(s.start, s.end) for s in spans]
    true = [(s.start, s.end) for s in substitutions]
    hit = sum(any(overlaps(p, t) for t in true) for p in pred)
    found = sum(any(overlaps(t, p) for p in pred) for t in true)
    return np.array([len(pred), hit, len(true), found])


def prf(counts: np.ndarray) -> tuple[float, float, float]:
    pred, hit, true, found = counts
    p = hit / pred if pred else 0.0
    r = found / true if true else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def auc(clean: np.ndarray, spun: np.ndarray) -> float:
    if not len(clean) or not len(spun):
        return float("nan")
    return float(roc_auc_score(np.r_[np.zeros(len(clean)), np.ones(len(spun))], np.r_[clean, spun]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--quick", action="store_true", help="a quarter of the documents; results not written")
    args = parser.parse_args()

    start = time.perf_counter()
    model = load_model(args.model)
    load_s = time.perf_counter() - start
    scorer = Scorer(model, screen=False)  # the full model; benchmarks/speed.py compares the screened default
    rng = random.Random(0)
    docs = []
    for name in HELD_OUT:
        found = held_out_documents(args.corpus, name)
        cap = CAPS[name] // (4 if args.quick else 1)
        docs += rng.sample(found, min(cap, len(found)))
    groups = sorted({d.genre for d in docs})
    genre = np.array([d.genre for d in docs])
    texts = [cut(d.text) for d in docs]
    words = np.array([len(t.split()) for t in texts])
    clean = scorer.score_many(texts)
    clean_scores = np.array([r.score for r in clean])
    shown = np.array([len(r.shown_spans) for r in clean])
    print(f"clean: {len(texts)} documents scored", file=sys.stderr)

    # spun[(spinner, rate)] = (doc index, score, span counts) for documents the spinner changed
    spun: dict[tuple[str, float], list[tuple[int, float, np.ndarray]]] = {}
    for name in TRAINED + HELD_OUT_SPINNERS:
        for rate in RATES:
            spinner = Spinner(spin_config(name, rate, seed=1))
            results = [spinner.spin(t, seed=i) for i, t in enumerate(texts)]
            keep = [i for i, r in enumerate(results) if r.substitutions]
            scored = scorer.score_many([results[i].text for i in keep])
            spun[(name, rate)] = [(i, s.score, span_counts(s.spans, results[i].substitutions))
                                  for i, s in zip(keep, scored)]
        print(f"  {name} done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    def mixed(rate: float, corpus: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Scores and span counts of the documents of ``corpus``, document i spun by TRAINED[i % 5]."""
        scores, counts = [], []
        for k, name in enumerate(TRAINED):
            for i, score, c in spun[(name, rate)]:
                if i % len(TRAINED) == k and (corpus is None or genre[i] == corpus):
                    scores.append(score)
                    counts.append(c)
        return np.array(scores), (np.sum(counts, axis=0) if counts else np.zeros(4))

    per_corpus = {}
    for g in groups + ["all"]:
        m = genre == g if g != "all" else np.ones(len(docs), dtype=bool)
        row = {"documents": int(m.sum()), "words": int(words[m].sum()),
               "fpr": float((clean_scores[m] >= model.threshold).mean()),
               "shown_per_100": float(100 * shown[m].sum() / words[m].sum())}
        counts = np.zeros(4)
        for rate in RATES:
            scores, c = mixed(rate, None if g == "all" else g)
            row[f"auc_{rate}"] = auc(clean_scores[m], scores)
            row[f"tpr_{rate}"] = float((scores >= model.threshold).mean()) if len(scores) else float("nan")
            counts = counts + c
        row["span_p"], row["span_r"], row["span_f1"] = prf(counts)
        per_corpus[g] = row

    per_spinner = {}
    for name in TRAINED + HELD_OUT_SPINNERS:
        counts = np.sum([c for rate in RATES for _, _, c in spun[(name, rate)]], axis=0)
        row = {f"auc_{rate}": auc(clean_scores, np.array([s for _, s, _ in spun[(name, rate)]])) for rate in RATES}
        row.update({f"tpr_{rate}": float(np.mean([s >= model.threshold for _, s, _ in spun[(name, rate)]]))
                    for rate in RATES})
        row["auc_all"] = auc(clean_scores, np.array([s for rate in RATES for _, s, _ in spun[(name, rate)]]))
        # span F1 averaged over held-out corpora (each corpus's F1 over all rates)
        f1s = []
        for g in groups:
            cg = np.sum([c for rate in RATES for i, _, c in spun[(name, rate)] if genre[i] == g], axis=0)
            f1s.append(prf(cg)[2])
        row["span_p"], row["span_r"], row["span_f1"] = prf(counts)
        row["span_f1_mean_over_corpora"] = float(np.mean(f1s))
        row["held_out"] = name in HELD_OUT_SPINNERS
        per_spinner[name] = row

    head = ("| corpus | docs | words | FPR @thr | AUC 0.02 | AUC 0.05 | AUC 0.1 | AUC 0.2 | TPR 0.02 | TPR 0.05 | "
            "TPR 0.1 | TPR 0.2 | span P | span R | span F1 | shown / 100 clean words |")
    table = [f"Model {model.label}: document threshold {model.threshold:.4f}, span threshold "
             f"{model.span_threshold}, display threshold {model.display_threshold}. Held-out corpora (never "
             f"trained on), each document untouched and spun at each rate; AUC, and TPR at the default threshold, "
             f"with training spinners mixed.", "", head, "|" + " --- |" * 16]
    for g, r in per_corpus.items():
        table.append(f"| {g} | {r['documents']} | {r['words']:,} | {r['fpr']:.4f} | {r['auc_0.02']:.4f} | "
                     f"{r['auc_0.05']:.4f} | {r['auc_0.1']:.4f} | {r['auc_0.2']:.4f} | {r['tpr_0.02']:.3f} | "
                     f"{r['tpr_0.05']:.3f} | {r['tpr_0.1']:.3f} | {r['tpr_0.2']:.3f} | {r['span_p']:.3f} | "
                     f"{r['span_r']:.3f} | {r['span_f1']:.3f} | {r['shown_per_100']:.3f} |")
    table += ["", "Per spinner, all held-out corpora (held-out spinners were never used in training):", "",
              "| spinner | AUC 0.02 | AUC 0.05 | AUC 0.1 | AUC 0.2 | AUC all | TPR 0.02 | TPR 0.05 | span P | span R | "
              "span F1 | span F1, mean over corpora |", "|" + " --- |" * 12]
    for name, r in per_spinner.items():
        label = f"{name} (held out)" if r["held_out"] else name
        table.append(f"| {label} | {r['auc_0.02']:.4f} | {r['auc_0.05']:.4f} | {r['auc_0.1']:.4f} | "
                     f"{r['auc_0.2']:.4f} | {r['auc_all']:.4f} | {r['tpr_0.02']:.3f} | {r['tpr_0.05']:.3f} | "
                     f"{r['span_p']:.3f} | {r['span_r']:.3f} | "
                     f"{r['span_f1']:.3f} | {r['span_f1_mean_over_corpora']:.3f} |")
    f1_all = float(np.mean([per_spinner[n]["span_f1_mean_over_corpora"] for n in TRAINED + HELD_OUT_SPINNERS]))
    table += ["", f"Span F1 averaged over held-out corpora and all spinners: {f1_all:.3f}"]

    sentence_figures, sentence_table = sentences.run(scorer, TRAINED + HELD_OUT_SPINNERS, spin_config, args.corpus,
                                                     per_corpus=sentences.PER_CORPUS // (4 if args.quick else 1))
    table += sentence_table

    seeds = {}
    table += ["", "| seed | score | verdict | spans (JSON) | spans shown |", "| --- | --- | --- | --- | --- |"]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        r = scorer.score(path.read_text(encoding="utf-8"))
        seeds[path.name] = {"score": r.score, "verdict": r.verdict, "spans": len(r.spans),
                            "shown": len(r.shown_spans)}
        table.append(f"| {path.name} | {r.score:.3f} | {r.verdict} | {len(r.spans)} | {len(r.shown_spans)} |")

    speed = throughput(scorer, [t for t, g in zip(texts, genre) if g != "reuters-test"])
    table += ["", f"throughput (one core, `Scorer.score_many` in batches of 64, held-out genre text, half of it spun, "
              f"{speed['megabytes']:.1f} MB): detector {speed['detector_mb_s']:.2f} MB/s, ftfy.fix_text "
              f"{speed['ftfy_mb_s']:.2f} MB/s (ratio {speed['detector_mb_s'] / speed['ftfy_mb_s']:.2f}); model load "
              f"{load_s:.2f} s"]
    if model.compile():  # the `fast` extra (lleaves): the same trees compiled to native code
        compiled = throughput(scorer, [t for t, g in zip(texts, genre) if g != "reuters-test"], ftfy_too=False)
        speed["compiled_mb_s"] = compiled["detector_mb_s"]
        ratio = compiled["detector_mb_s"] / speed["ftfy_mb_s"]
        table.append(f"with the `fast` extra (trees compiled by lleaves): detector "
                     f"{compiled['detector_mb_s']:.2f} MB/s (ratio to ftfy {ratio:.2f})")
    text = "\n".join(table)
    print(text)
    if not args.quick:
        write_results("detection", {"model": model.label, "threshold": model.threshold,
                                    "display_threshold": model.display_threshold, "per_corpus": per_corpus,
                                    "per_spinner": per_spinner, "span_f1_mean": f1_all, "seeds": seeds,
                                    "single_sentences": sentence_figures,
                                    "throughput": speed, "model_load_s": load_s}, text)


def throughput(scorer: Scorer, texts: list[str], ftfy_too: bool = True) -> dict:
    """``Scorer.score_many`` on one core over held-out text (half spun), with ftfy on the same text."""
    rng = random.Random(0)
    spinner = Spinner(SpinConfig(rate=0.1, seed=2))
    docs = [t if rng.random() < 0.5 else spinner.spin(t).text for t in texts]
    megabytes = sum(len(t.encode()) for t in docs) / 1e6
    start = time.perf_counter()
    for i in range(0, len(docs), 64):
        for r in scorer.score_many(docs[i : i + 64]):
            json.dumps(r.to_dict())
    detector_s = time.perf_counter() - start
    try:
        import ftfy
    except ImportError:
        ftfy = None
    if not ftfy_too:
        ftfy = None
    ftfy_s = float("nan")
    if ftfy is not None:
        start = time.perf_counter()
        for t in docs:
            ftfy.fix_text(t)
        ftfy_s = time.perf_counter() - start
    return {"megabytes": megabytes, "detector_mb_s": megabytes / detector_s, "ftfy_mb_s": megabytes / ftfy_s}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
