"""Detection with and without the neural stage, side by side, on genres and spinners held out from training.

    python benchmarks/detection_neural.py              # writes results/detection_neural.{json,md}
    python benchmarks/detection_neural.py --quick      # a smaller development run (not written)

Reading with the neural model costs about a thousand times more than the n-gram stage, so this
runs on a sample of ``benchmarks/detection.py``'s held-out set (OneStopEnglish ``adv``, GUM in four
genre groups, PLOS, Stack Exchange, Reuters ``TEST``; documents cut to ``MAX_WORDS`` words). Each
document is scored untouched and spun at 0.02 and 0.05 (a third of them also at 0.1) by one
spinner, document ``i`` by spinner ``i mod 7``: the five training spinners and the two never used
in training (distributional, GloVe). Every text is scored as a single document is (the full model,
never screened), once by the n-gram stage alone and once with the neural stage.

Reported, for both: false positives at the default threshold and shown spans per 100 clean words
per genre; AUC and TPR per rate per genre; TPR by band of the share of words actually substituted;
per spinner AUC, TPR and span P/R/F1; a short-text set (one paragraph of 30-90 words, spun at 10-30%
of words, and the same number of untouched paragraphs); single sentences (one swap each, the
spinners of ``benchmarks/sentences.py``); the seeds. Then cost: the neural model's tokens per
second on one core, an 800-word article end to end on one core, load times, and the batch cascade
(share of clean documents that reach the neural stage, throughput with and without it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from common import ROOT, write_results
from detection import HELD_OUT_SPINNERS, TRAINED, auc, prf, span_counts, spin_config

from detector.detection.corpora import HELD_OUT, cut_at_paragraph, default_root, held_out_documents
from detector.spinner.spinner import Spinner

SPINNERS = TRAINED + HELD_OUT_SPINNERS
CAPS = {"onestopenglish": 30, "gum/fiction": 24, "gum/informational": 22, "gum/news": 22, "gum/spoken": 22,
        "plos": 12, "stackexchange": 60, "reuters-test": 60}  # every GUM fiction document: the hardest clean genre
MAX_WORDS = 500
RATES = (0.02, 0.05, 0.1)
BANDS = ((0.0, 0.02), (0.02, 0.04), (0.04, 0.08), (0.08, 1.0))
PARAGRAPHS = 40  # per held-out corpus, and as many untouched
SENTENCES = 30  # per held-out corpus, for the single-sentence set

_W: dict = {}


def _init() -> None:
    from detector.detection.scoring import Scorer

    _W["ngram"] = Scorer(screen=False, neural=False)
    _W["neural"] = Scorer(screen=False, neural=True, neural_threads=1)


def _score(args: tuple[str, list[str]]) -> list[dict]:
    mode, texts = args
    out = []
    for r in _W[mode].score_many(texts, exhaustive=True):
        out.append({"score": r.score, "verdict": r.verdict, "words": r.words,
                    "spans": [(s.start, s.end) for s in r.spans], "shown": [(s.start, s.end) for s in r.shown_spans],
                    "evidence": r.evidence})
    return out


def score_all(pool, mode: str, texts: list[str], chunk: int = 8) -> list[dict]:
    jobs = [(mode, texts[i : i + chunk]) for i in range(0, len(texts), chunk)]
    return [r for got in pool.imap(_score, jobs) for r in got]


class _Span(NamedTuple):
    start: int
    end: int


def paragraphs(root: Path, rng: random.Random) -> list[str]:
    out = []
    for name in HELD_OUT:
        pool = [p for d in held_out_documents(root, name) for p in d.text.split("\n") if 30 <= len(p.split()) <= 90]
        out += rng.sample(pool, min(PARAGRAPHS, len(pool)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--quick", action="store_true", help="a quarter of the documents; results not written")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    rng = random.Random(0)
    docs = []
    for name in HELD_OUT:
        found = held_out_documents(args.corpus, name)
        for group in sorted({d.genre for d in found}):
            pool = [d for d in found if d.genre == group]
            docs += rng.sample(pool, min(CAPS[group] // (4 if args.quick else 1), len(pool)))
    genre = np.array([d.genre for d in docs])
    texts = [cut_at_paragraph(d.text, MAX_WORDS) for d in docs]
    versions = []  # (doc, spinner, rate, text, substitutions, substituted share)
    for i, text in enumerate(texts):
        name = SPINNERS[i % len(SPINNERS)]
        for rate in RATES:
            if rate == 0.1 and i % 3:
                continue
            result = Spinner(spin_config(name, rate, seed=1)).spin(text, seed=i)
            if result.substitutions:
                changed = sum(len(result.text[s.start : s.end].split()) for s in result.substitutions)
                versions.append((i, name, rate, result.text, result.substitutions,
                                 changed / max(len(result.text.split()), 1)))
    para = paragraphs(args.corpus, rng)
    para_spun = []
    for j, p in enumerate(para):
        result = Spinner(spin_config(SPINNERS[j % len(SPINNERS)], rng.uniform(0.1, 0.3), seed=3)).spin(p, seed=j)
        para_spun.append((SPINNERS[j % len(SPINNERS)], result.text, result.substitutions))
    single = single_sentences(args.corpus, 10 if args.quick else SENTENCES)
    all_texts = texts + [v[3] for v in versions] + para + [t for _, t, _ in para_spun] + single["texts"]
    print(f"{len(all_texts)} texts, {sum(len(t.split()) for t in all_texts):,} words", file=sys.stderr)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.workers, _init) as pool:
        results = {}
        for mode in ("ngram", "neural"):
            results[mode] = score_all(pool, mode, all_texts)
            print(f"{mode}: scored ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    from detector.detection.model import load_model

    model = load_model()
    thresholds = {"ngram": model.threshold, "neural": model.neural.threshold}
    figures: dict = {}
    lines: list[str] = []
    n_docs, n_ver, n_para = len(texts), len(versions), len(para)
    for mode in ("ngram", "neural"):
        r = results[mode]
        clean, spun = r[:n_docs], r[n_docs : n_docs + n_ver]
        paras = r[n_docs + n_ver : n_docs + n_ver + 2 * n_para]
        sent = r[n_docs + n_ver + 2 * n_para :]
        figures[mode] = evaluate(clean, spun, versions, genre, texts, thresholds[mode], paras, para_spun, sent, single)
    lines += tables(figures, thresholds)
    lines += seeds_table()
    lines += cost_lines(texts, genre)
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        write_results("detection_neural", {"figures": figures, "thresholds": thresholds,
                                           "documents": n_docs, "versions": n_ver}, text)


def evaluate(clean, spun, versions, genre, texts, threshold, paras, para_spun, sent, single) -> dict:
    cs = np.array([c["score"] for c in clean])
    out: dict = {"per_genre": {}, "per_spinner": {}, "bands": {}, "short": {}, "sentences": {}}
    words = np.array([len(t.split()) for t in texts])
    shown = np.array([len(c["shown"]) for c in clean])
    for g in sorted(set(genre.tolist())) + ["all"]:
        m = genre == g if g != "all" else np.ones(len(genre), bool)
        row = {"docs": int(m.sum()), "fpr": float((cs[m] >= threshold).mean()),
               "shown_per_100": float(100 * shown[m].sum() / max(words[m].sum(), 1))}
        counts = np.zeros(4)
        for rate in RATES:
            k = [j for j, v in enumerate(versions) if v[2] == rate and (g == "all" or genre[v[0]] == g)]
            s = np.array([spun[j]["score"] for j in k])
            row[f"auc_{rate}"] = auc(cs[m], s)
            row[f"tpr_{rate}"] = float((s >= threshold).mean()) if len(s) else float("nan")
            counts = counts + sum((span_counts(_spans(spun[j]["spans"]), versions[j][4]) for j in k), np.zeros(4))
        row["span_p"], row["span_r"], row["span_f1"] = prf(counts)
        out["per_genre"][g] = row
    for name in SPINNERS:
        k = [j for j, v in enumerate(versions) if v[1] == name]
        row = {}
        for rate in RATES:
            s = np.array([spun[j]["score"] for j in k if versions[j][2] == rate])
            row[f"auc_{rate}"] = auc(cs, s)
            row[f"tpr_{rate}"] = float((s >= threshold).mean()) if len(s) else float("nan")
        counts = sum((span_counts(_spans(spun[j]["spans"]), versions[j][4]) for j in k), np.zeros(4))
        row["span_p"], row["span_r"], row["span_f1"] = prf(counts)
        row["held_out"] = name in HELD_OUT_SPINNERS
        out["per_spinner"][name] = row
    share = np.array([v[5] for v in versions])
    for lo, hi in BANDS:
        k = np.flatnonzero((share >= lo) & (share < hi))
        s = np.array([spun[j]["score"] for j in k])
        out["bands"][f"{lo:.2f}-{hi:.2f}"] = {"n": int(len(k)),
                                             "tpr": float((s >= threshold).mean()) if len(k) else float("nan")}
    n = len(para_spun)
    ps_clean = np.array([p["score"] for p in paras[:n]])
    ps_spun = np.array([p["score"] for p, (_, _, subs) in zip(paras[n:], para_spun) if subs])
    cut_1pct = float(np.quantile(ps_clean, 0.99))
    out["short"] = {"paragraphs": n, "fpr": float((ps_clean >= threshold).mean()),
                    "tpr": float((ps_spun >= threshold).mean()), "auc": auc(ps_clean, ps_spun),
                    "tpr_at_1pct_fpr": float((ps_spun > cut_1pct).mean()),
                    "clean_with_shown_span": float(np.mean([bool(p["shown"]) for p in paras[:n]]))}
    hits = {}
    for res, (name, swap) in zip(sent[len(single["clean"]) :], single["swaps"]):
        inside = any(a < swap[1] and swap[0] < b for a, b in res["shown"])
        hits.setdefault(name, []).append(inside)
    out["sentences"] = {name: {"swaps": len(v), "inside_shown_span": float(np.mean(v))} for name, v in hits.items()}
    flat = [x for v in hits.values() for x in v]
    out["sentences"]["all"] = {"swaps": len(flat), "inside_shown_span": float(np.mean(flat)) if flat else float("nan")}
    untouched = sent[: len(single["clean"])]
    out["sentences_untouched_with_shown_span"] = float(np.mean([bool(r["shown"]) for r in untouched]))
    return out


def _spans(spans) -> list[_Span]:
    return [_Span(a, b) for a, b in spans]


def single_sentences(root: Path, per_corpus: int) -> dict:
    """Held-out sentences untouched, then each spun once by every spinner (and the science-term spinner)."""
    import sentences as sset

    from detector.detection.scoring import Scorer

    by_corpus = sset.sentences(root, per_corpus=per_corpus)
    flat = [s for items in by_corpus.values() for s in items]
    texts, swaps = list(flat), []
    for name in SPINNERS:
        for x in sset._spinner_swaps(name, flat, spin_config):
            if x and x[1]:
                texts.append(x[0])
                swaps.append((name, (x[1][0].start, x[1][0].end)))
    rng = random.Random(7)
    scorer = Scorer(neural=False)
    for s in sset.sentences(root, seed=1, per_corpus=per_corpus * 2, corpora=("plos",))["plos"]:
        x = sset.science_term_swap(s, scorer, rng)
        if x:
            texts.append(x[0])
            swaps.append(("science-term (held out)", (x[1].start, x[1].end)))
    return {"texts": texts, "clean": flat, "swaps": swaps}


def tables(figures: dict, thresholds: dict) -> list[str]:
    out = [f"Held-out genres, documents of at most {MAX_WORDS} words; thresholds: n-gram {thresholds['ngram']:.4f}, "
           f"neural {thresholds['neural']:.4f}. Each cell: n-gram alone / with the neural stage.", "",
           "| genre | docs | FPR @thr | AUC 0.02 | AUC 0.05 | AUC 0.1 | TPR 0.02 | TPR 0.05 | TPR 0.1 | span P "
           "| span R | span F1 | shown / 100 clean words |", "|" + " --- |" * 13]
    a, b = figures["ngram"], figures["neural"]

    def pair(x, y, key, fmt=".3f"):
        return f"{x[key]:{fmt}} / {y[key]:{fmt}}"

    for g in a["per_genre"]:
        x, y = a["per_genre"][g], b["per_genre"][g]
        out.append(f"| {g} | {x['docs']} | {pair(x, y, 'fpr', '.4f')} | {pair(x, y, 'auc_0.02')} | "
                   f"{pair(x, y, 'auc_0.05')} | {pair(x, y, 'auc_0.1')} | {pair(x, y, 'tpr_0.02')} | "
                   f"{pair(x, y, 'tpr_0.05')} | {pair(x, y, 'tpr_0.1')} | {pair(x, y, 'span_p')} | "
                   f"{pair(x, y, 'span_r')} | {pair(x, y, 'span_f1')} | {pair(x, y, 'shown_per_100')} |")
    out += ["", "Per spinner (all held-out genres; distributional and GloVe never used in training):", "",
            "| spinner | AUC 0.02 | AUC 0.05 | TPR 0.02 | TPR 0.05 | TPR 0.1 | span P | span R | span F1 |",
            "|" + " --- |" * 9]
    for name in a["per_spinner"]:
        x, y = a["per_spinner"][name], b["per_spinner"][name]
        label = f"{name} (held out)" if x["held_out"] else name
        out.append(f"| {label} | {pair(x, y, 'auc_0.02')} | {pair(x, y, 'auc_0.05')} | {pair(x, y, 'tpr_0.02')} | "
                   f"{pair(x, y, 'tpr_0.05')} | {pair(x, y, 'tpr_0.1')} | {pair(x, y, 'span_p')} | "
                   f"{pair(x, y, 'span_r')} | {pair(x, y, 'span_f1')} |")
    out += ["", "TPR at the default threshold by the share of words actually substituted (all spinners):", "",
            "| substituted | documents | TPR n-gram | TPR neural |", "| --- | --- | --- | --- |"]
    for band in a["bands"]:
        out.append(f"| {band} | {a['bands'][band]['n']} | {a['bands'][band]['tpr']:.3f} | "
                   f"{b['bands'][band]['tpr']:.3f} |")
    sa, sb = a["short"], b["short"]
    out += ["", f"Short texts ({sa['paragraphs']} paragraphs of 30-90 words spun at 10-30% of words, and as many "
            "untouched):", "", "| | n-gram | neural |", "| --- | --- | --- |",
            f"| TPR at the default threshold | {sa['tpr']:.3f} | {sb['tpr']:.3f} |",
            f"| FPR at the default threshold | {sa['fpr']:.3f} | {sb['fpr']:.3f} |",
            f"| AUC | {sa['auc']:.3f} | {sb['auc']:.3f} |",
            f"| TPR at 1% FPR (threshold set on these paragraphs) | {sa['tpr_at_1pct_fpr']:.3f} | "
            f"{sb['tpr_at_1pct_fpr']:.3f} |",
            f"| untouched paragraphs with a shown span | {sa['clean_with_shown_span']:.3f} | "
            f"{sb['clean_with_shown_span']:.3f} |"]
    out += ["", "Single sentences (12-40 words, one swap each): share of swaps inside a shown span:", "",
            "| spinner | swaps | n-gram | neural |", "| --- | --- | --- | --- |"]
    for name in a["sentences"]:
        out.append(f"| {name} | {a['sentences'][name]['swaps']} | {a['sentences'][name]['inside_shown_span']:.3f} | "
                   f"{b['sentences'][name]['inside_shown_span']:.3f} |")
    out.append(f"| untouched sentences with a shown span | | {a['sentences_untouched_with_shown_span']:.3f} | "
               f"{b['sentences_untouched_with_shown_span']:.3f} |")
    return out


def seeds_table() -> list[str]:
    from detector.detection.scoring import Scorer

    out = ["", "| seed | n-gram score | verdict | shown | neural score | verdict | shown |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    plain, neural = Scorer(neural=False), Scorer(neural=True)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        a, b = plain.score(text), neural.score(text)
        out.append(f"| {path.name} | {a.score:.3f} | {a.verdict} | {len(a.shown_spans)} | {b.score:.3f} | "
                   f"{b.verdict} | {len(b.shown_spans)} |")
    return out


def cost_lines(texts: list[str], genre: np.ndarray) -> list[str]:
    """Speed on one core (one thread), measured in this process after the worker pool is gone."""
    from threadpoolctl import threadpool_limits

    from detector.detection.scoring import Scorer
    from detector.neural.reading import LanguageModel, _arrays

    os.environ["DETECTOR_NEURAL_THREADS"] = "1"
    start = time.perf_counter()
    arrays = _arrays()
    lm = LanguageModel(arrays, threads=1)
    load = time.perf_counter() - start
    long = " ".join(" ".join(texts).split()[:800])
    doc = lm.tokenize(long)
    lm.read([lm.tokenize("warm up the model")])
    start = time.perf_counter()
    lm.read([doc])
    per_s = len(doc) / (time.perf_counter() - start)
    with threadpool_limits(1):
        scorer = Scorer(neural=True, neural_threads=1)
        scorer.score("A short text to load everything before timing.")
        start = time.perf_counter()
        scorer.score(long)
        article = time.perf_counter() - start
        clean = [t for t, g in zip(texts, genre) if g != "reuters-test"][:120]
        plain = Scorer(neural=False)
        start = time.perf_counter()
        for i in range(0, len(clean), 32):
            plain.score_many(clean[i : i + 32])
        t_plain = time.perf_counter() - start
        start = time.perf_counter()
        reached = 0
        for i in range(0, len(clean), 32):
            reached += sum(r.evidence != "ngram" for r in scorer.score_many(clean[i : i + 32]))
        t_cascade = time.perf_counter() - start
    mb = sum(len(t.encode()) for t in clean) / 1e6
    return ["", f"Cost (one core, one thread): the neural model reads {per_s:.0f} tokens/s; an 800-word article "
            f"({len(doc)} tokens) scored with the neural stage in {article:.2f} s; neural model loaded from the cache "
            f"in {load:.2f} s. Batch cascade on {len(clean)} clean held-out documents ({mb:.2f} MB): "
            f"{reached / len(clean):.1%} reach the neural stage; `score_many` {mb / t_plain:.3f} MB/s without it, "
            f"{mb / t_cascade:.3f} MB/s with the cascade."]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
