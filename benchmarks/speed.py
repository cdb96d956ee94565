"""Crawl-speed benchmark: the screen and the full model beside ftfy, on one core, with the same verdicts.

    python benchmarks/speed.py             # writes results/speed.{json,md}; about 10 minutes on an idle 2-core machine
    python benchmarks/speed.py --quick     # a quarter of the documents, smaller scaling runs; not written

Documents: the *report* half of the held-out corpora (``scripts/calibrate_screen.py``: split by a
hash of the id; the screen was calibrated on the other half), cut at 3,000 words; each scored
untouched and in two spun versions (training spinners, rates 0.02-0.2, chosen by index).

Reported, in this order:

1. quality, screened (the default of ``Scorer.score_many``) beside exhaustive: document ROC AUC per
   rate and overall, TPR and FPR at the model's threshold, span precision / recall / F1, and the
   share of documents the full model calls spun that the screen settles without it (its misses);
2. throughput on one core (the process pinned to one CPU), wall clock and CPU time, MB/s of
   ``score_many`` in batches of 64 (screened and exhaustive, LightGBM and, when the ``fast`` extra
   compiles, lleaves) and of ``ftfy.fix_text`` on the same texts, with ratios: clean Reuters TEST
   news (modern clean text), the same spun at 10%, and clean text of every held-out genre;
3. the token model's trees three ways (LightGBM, lleaves, a vectorised numpy evaluation);
4. cProfile of ``score_many`` on news, exhaustive and screened (top functions by own time);
5. scaling: MB/s for document sizes 1 KB to 1 MB (concatenated held-out text) and for 100 to
   ``--max-docs`` documents, peak memory of this process;
6. ``detector clean`` with 1 and 2 workers (peak memory per worker from its unit records), and the
   model load time in a fresh process.

Run it on an otherwise idle machine: the ftfy ratio is measured in the same run, but other load
changes the 2-worker speed-up and, through shared caches, the ratios too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, write_results
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(ROOT / "scripts"))
from calibrate_screen import RATES, documents, spun_versions  # noqa: E402

from detector.detection.features import concat, context, phrase_swaps, token_features  # noqa: E402
from detector.detection.model import default_model_dir, load_model, scorable  # noqa: E402
from detector.detection.scoring import Scorer  # noqa: E402
from detector.spinner.spinner import SpinConfig, Spinner  # noqa: E402

BATCH = 64


# -- quality --------------------------------------------------------------------------------------
def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def span_counts(spans, substitutions) -> np.ndarray:
    pred = [(s.start, s.end) for s in spans]
    true = [(s.start, s.end) for s in substitutions]
    return np.array([len(pred), sum(any(overlaps(p, t) for t in true) for p in pred), len(true),
                     sum(any(overlaps(t, p) for p in pred) for t in true)])


def quality(results: list, n_clean: int, rates: np.ndarray, subs: list, threshold: float) -> dict:
    """Metrics over clean documents (the first ``n_clean``) and spun versions (``rates``, ``subs``)."""
    ok = np.array([r.verdict in ("spun", "clean") for r in results])
    scores = np.array([r.score for r in results])
    clean, spun = slice(0, n_clean), slice(n_clean, len(results))
    out = {}
    for rate in [*RATES, None]:
        sel = ok[spun] & (rates == rate if rate is not None else True)
        y = np.r_[np.zeros(ok[clean].sum()), np.ones(sel.sum())]
        out[f"auc_{rate if rate is not None else 'all'}"] = float(roc_auc_score(
            y, np.r_[scores[clean][ok[clean]], scores[spun][sel]]))
    out["tpr"] = float((scores[spun][ok[spun]] >= threshold).mean())
    out["fpr"] = float((scores[clean][ok[clean]] >= threshold).mean())
    counts = np.sum([span_counts(r.spans, s) for r, s in zip(results[n_clean:], subs)], axis=0)
    counts = counts + np.sum([span_counts(r.spans, []) for r in results[:n_clean]], axis=0)
    pred, hit, true, found = counts
    p, r = hit / max(pred, 1), found / max(true, 1)
    out.update(span_p=float(p), span_r=float(r), span_f1=float(2 * p * r / (p + r) if p + r else 0.0))
    return out


def score_all(scorer: Scorer, texts: list[str], exhaustive: bool) -> list:
    out = []
    for i in range(0, len(texts), BATCH):
        out += scorer.score_many(texts[i : i + BATCH], exhaustive=exhaustive)
    return out


def same(a, b, tol: float = 1e-9) -> bool:
    """Equal results up to float summation order (1e-17 differences between batch compositions)."""
    return (a.verdict == b.verdict and abs(a.score - b.score) <= tol and len(a.spans) == len(b.spans)
            and all((x.start, x.end, x.suggestion) == (y.start, y.end, y.suggestion) and abs(x.score - y.score) <= tol
                    for x, y in zip(a.spans, b.spans)))


# -- throughput ------------------------------------------------------------------------------------
def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput(scorer: Scorer, texts: list[str], compiled: Scorer | None) -> dict:
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    import ftfy

    def run(s: Scorer, exhaustive: bool):
        def go():
            for i in range(0, len(texts), BATCH):
                for r in s.score_many(texts[i : i + BATCH], exhaustive=exhaustive):
                    json.dumps(r.to_dict())
        return go

    row = {"megabytes": round(mb, 3), "documents": len(texts)}
    for s in (scorer, compiled):  # first calls load the broad model and the compiled code: not timed
        if s is not None:
            s.score_many(texts[:8], exhaustive=True)
            s.score_many(texts[:8])
    ftfy.fix_text(texts[0])
    wall, cpu = timed(lambda: [ftfy.fix_text(t) for t in texts])
    row["ftfy"] = {"wall": mb / wall, "cpu": mb / cpu}
    runs = [("screened", scorer, False), ("exhaustive", scorer, True)]
    if compiled is not None:
        runs += [("screened_compiled", compiled, False), ("exhaustive_compiled", compiled, True)]
    for name, s, exhaustive in runs:
        wall, cpu = timed(run(s, exhaustive))
        row[name] = {"wall": mb / wall, "cpu": mb / cpu, "ratio_wall": (mb / wall) / row["ftfy"]["wall"],
                     "ratio_cpu": (mb / cpu) / row["ftfy"]["cpu"]}
    row["screened_share"] = float(np.mean([r.extra.get("screened", False) for r in score_all(scorer, texts, False)]))
    return row


# -- trees -----------------------------------------------------------------------------------------
class NumpyTrees:
    """LightGBM trees evaluated level by level over all rows and all trees at once (numpy only)."""

    def __init__(self, booster):
        trees = booster.dump_model()["tree_info"]
        nodes = [self._flatten(t["tree_structure"]) for t in trees]
        n_int = max(len(n[0]) for n in nodes) or 1
        n_leaf = max(len(n[5]) for n in nodes)
        T = len(trees)
        self.feat = np.zeros((T, n_int), dtype=np.int64)
        self.thr = np.zeros((T, n_int))
        self.left = np.full((T, n_int), -1, dtype=np.int64)
        self.right = np.full((T, n_int), -1, dtype=np.int64)
        self.default_left = np.zeros((T, n_int), dtype=bool)
        self.leaf = np.zeros((T, n_leaf))
        for t, (f, th, lft, rgt, dl, lv) in enumerate(nodes):
            k = len(f)
            self.feat[t, :k], self.thr[t, :k], self.left[t, :k], self.right[t, :k] = f, th, lft, rgt
            self.default_left[t, :k] = dl
            self.leaf[t, : len(lv)] = lv

    @staticmethod
    def _flatten(root):
        feat, thr, left, right, dleft, leaves = [], [], [], [], [], []

        def walk(node) -> int:
            if "leaf_value" in node:
                leaves.append(node["leaf_value"])
                return ~(len(leaves) - 1)
            i = len(feat)
            feat.append(node["split_feature"])
            thr.append(node["threshold"])
            dleft.append(node.get("default_left", True))
            left.append(0)
            right.append(0)
            left[i] = walk(node["left_child"])
            right[i] = walk(node["right_child"])
            return i

        top = walk(root)
        if top < 0:  # a single leaf
            feat, thr, left, right, dleft = [0], [np.inf], [top], [top], [True]
        return feat, thr, left, right, dleft, leaves

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        n, T = len(X), len(self.feat)
        node = np.zeros((n, T), dtype=np.int64)
        tree = np.broadcast_to(np.arange(T), (n, T))
        rows = np.broadcast_to(np.arange(n)[:, None], (n, T))
        active = np.ones((n, T), dtype=bool)
        while active.any():
            r, t = rows[active], tree[active]
            k = node[active]
            x = X[r, self.feat[t, k]]
            go_left = np.where(np.isnan(x), self.default_left[t, k], x <= self.thr[t, k])
            nxt = np.where(go_left, self.left[t, k], self.right[t, k])
            node[active] = nxt
            active[active] = nxt >= 0
        raw = self.leaf[tree, ~node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


def trees_table(model, texts: list[str]) -> dict:
    scorer = Scorer(model, screen=False)
    prepared = [scorer._prepare(t) for t in texts]
    joined, _, _ = concat([p.doc for p in prepared])
    ctx = context(joined, model.tables)
    features = token_features(joined, model.tables, ctx, phrase_swaps(joined, model.tables))
    X = features[scorable(features)]
    out = {"rows": int(len(X)), "all_rows": int(len(features))}
    reference = model.token_model.predict_proba(X)
    wall, cpu = timed(lambda: model.token_model.predict_proba(X))
    out["lightgbm_us_per_row"] = 1e6 * cpu / len(X)
    numpy_trees = NumpyTrees(model.token_model.booster)
    sample = X[:5000]
    wall, cpu = timed(lambda: numpy_trees.predict_proba(sample))
    out["numpy_us_per_row"] = 1e6 * cpu / len(sample)
    out["numpy_max_diff"] = float(np.abs(numpy_trees.predict_proba(sample) - reference[:5000]).max())
    if model.token_model.compile():
        wall, cpu = timed(lambda: model.token_model.predict_proba(X))
        out["lleaves_us_per_row"] = 1e6 * cpu / len(X)
        out["lleaves_max_diff"] = float(np.abs(model.token_model.predict_proba(X) - reference).max())
    return out


# -- profile ---------------------------------------------------------------------------------------
def profile(scorer: Scorer, texts: list[str], exhaustive: bool, top: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    score_all(scorer, texts, exhaustive)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = stats.total_tt
    lines = [f"{'own s':>7} {'share':>6}  function"]
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for (path, line, name), (_, _, tottime, _, _) in rows:
        lines.append(f"{tottime:7.3f} {tottime / total:6.1%}  {Path(path).name}:{line}({name})")
    return f"total {total:.2f} s\n" + "\n".join(lines)


# -- scaling ---------------------------------------------------------------------------------------
def pieces(texts: list[str], size: int, count: int, seed: int = 0) -> list[str]:
    """``count`` documents of about ``size`` bytes, made of whole paragraphs of ``texts`` in turn."""
    paragraphs = [p for t in texts for p in t.split("\n") if len(p.split()) >= 8]
    rng = random.Random(seed)
    rng.shuffle(paragraphs)
    out, k = [], 0
    for _ in range(count):
        taken, n = [], 0
        while n < size:
            p = paragraphs[k % len(paragraphs)]
            k += 1
            taken.append(p)
            n += len(p.encode("utf-8")) + 1
        out.append("\n".join(taken))
    return out


def scaling(scorer: Scorer, texts: list[str], budget_mb: float, max_docs: int) -> dict:
    out = {"sizes": [], "counts": []}
    for size in (1_000, 10_000, 100_000, 1_000_000):
        docs = pieces(texts, size, max(1, int(budget_mb * 1e6 / size)), seed=size)
        mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
        wall, cpu = timed(lambda docs=docs: score_all(scorer, docs, False))
        ex_wall, ex_cpu = timed(lambda docs=docs: score_all(scorer, docs, True))
        out["sizes"].append({"bytes": size, "documents": len(docs), "megabytes": round(mb, 3),
                             "mb_s_wall": mb / wall, "mb_s_cpu": mb / cpu, "exhaustive_mb_s_wall": mb / ex_wall,
                             "exhaustive_mb_s_cpu": mb / ex_cpu})
    count = 100
    while count <= max_docs:
        docs = pieces(texts, 600, count, seed=count)
        mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
        wall, cpu = timed(lambda docs=docs: score_all(scorer, docs, False))
        out["counts"].append({"documents": count, "megabytes": round(mb, 3), "mb_s_wall": mb / wall,
                              "mb_s_cpu": mb / cpu})
        count *= 10
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# -- detector clean, model load -------------------------------------------------------------------
def clean_runs(texts: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix="detector-speed-"))
    inputs = work / "in"
    inputs.mkdir()
    for shard in range(4):
        lines = "".join(json.dumps({"id": f"{shard}-{i}", "text": t}) + "\n" for i, t in enumerate(texts[shard::4]))
        (inputs / f"part-{shard}.jsonl").write_text(lines, encoding="utf-8")
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    out = {"megabytes": round(mb, 3), "documents": len(texts)}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for workers in (1, 2):
        dest = work / f"out-{workers}"
        command = [sys.executable, "-m", "detector", "clean", str(inputs), "--out", str(dest), "--quiet",
                   "--workers", str(workers), "--chunk", "100"]
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env)
        wall = time.perf_counter() - start
        summary = json.loads((dest / "summary.json").read_text(encoding="utf-8"))
        out[f"workers_{workers}"] = {"wall_s": round(wall, 2), "mb_s": mb / wall,
                                     "scoring_mb_s": summary["throughput"]["mb_per_second"],
                                     "mb_s_per_worker": summary["throughput"]["mb_per_second_per_worker"],
                                     "peak_rss_mb_per_worker": summary["peak_rss_mb"]["worker"],
                                     "verdicts": summary["verdicts"]}
    out["speedup"] = out["workers_2"]["scoring_mb_s"] / out["workers_1"]["scoring_mb_s"]
    return out


def worker_peak_mb(texts: list[str]) -> float:
    """Peak RSS of a fresh process that loads the model as a `detector clean` worker does (compiled
    trees when the extra is there) and scores ``texts`` one batch of 64 at a time."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(texts, handle)
    code = ("import json, resource, sys; from detector.detection.model import load_model; "
            "from detector.detection.scoring import Scorer; m = load_model(); m.compile(); s = Scorer(m); "
            "t = json.load(open(sys.argv[1], encoding='utf-8')); "
            "[s.score_many(t[i : i + 64]) for i in range(0, len(t), 64)]; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    done = subprocess.run([sys.executable, "-c", code, handle.name], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.unlink(handle.name)
    return float(done.stdout.strip().splitlines()[-1])


def model_load_seconds() -> float:
    code = ("import time; t = time.perf_counter(); from detector.detection.scoring import Scorer; Scorer(); "
            "print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return float(done.stdout.strip().splitlines()[-1])


# -- report ----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max-docs", type=int, default=10_000, help="largest batch of the scaling table")
    args = parser.parse_args()
    scale = 0.25 if args.quick else 1.0
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731

    results: dict = {"note": "other processes shared the machine unless stated otherwise"}
    docs = documents(args.corpus, "report", scale)
    texts = [t for _, _, t in docs]
    news = [t for _, g, t in docs if g == "reuters-test"]
    results["clean"] = clean_runs(news + texts)
    results["model_load_s"] = model_load_seconds()
    results["worker_peak_mb"] = {"1 MB documents x 3": worker_peak_mb(pieces(texts, 1_000_000, 3, seed=5)),
                                 "64 documents of 100 KB": worker_peak_mb(pieces(texts, 100_000, 64, seed=6))}
    log(f"clean runs and load done: {results['clean']['speedup']:.2f}x")
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core from here on
    model_dir = args.model or default_model_dir()
    model = load_model(model_dir)  # its own copy: compiling another copy below must not change this one
    scorer = Scorer(model)
    if scorer.screen is None:
        log("warning: no screen calibrated for this model; run scripts/calibrate_screen.py (screened = exhaustive)")
    results["screen"] = scorer.screen.info if scorer.screen is not None else None

    spun = spun_versions(docs, per_doc=2, seed=7)
    spinner_texts = [t for _, t, _, _ in spun]
    rates = np.array([r for _, _, r, _ in spun])
    subs = [x for _, _, _, x in spun]
    all_texts = texts + spinner_texts
    exhaustive = score_all(scorer, all_texts, True)
    screened = score_all(scorer, all_texts, False)
    log("quality scored")
    results["quality"] = {"exhaustive": quality(exhaustive, len(texts), rates, subs, scorer.threshold),
                          "screened": quality(screened, len(texts), rates, subs, scorer.threshold)}
    called = np.array([r.verdict == "spun" for r in exhaustive])
    settled = np.array([r.extra.get("screened", False) for r in screened])
    agree = all(same(a, b) for a, b, s in zip(exhaustive, screened, settled) if not s)
    results["screen_report"] = {
        "called_spun": int(called.sum()), "called_spun_screened": int((called & settled).sum()),
        "miss_rate": float((called & settled).sum() / max(called.sum(), 1)),
        "spun_texts_screened": float(settled[len(texts) :].mean()),
        "clean_screened": float(settled[: len(texts)].mean()),
        "passed_documents_identical": bool(agree)}

    spun_news = [Spinner(SpinConfig(rate=0.1, seed=2)).spin(t, seed=i).text for i, t in enumerate(news)]
    compiled_model = load_model(model_dir)
    compiled = Scorer(compiled_model) if compiled_model.compile() else None
    results["throughput"] = {"news_clean": throughput(scorer, news, compiled),
                             "news_spun_0.1": throughput(scorer, spun_news, compiled),
                             "all_genres_clean": throughput(scorer, texts, compiled)}
    log("throughput done")
    results["trees"] = trees_table(load_model(model_dir), news[:200])
    profile_docs = news[:100]
    results["profile"] = {"exhaustive": profile(scorer, profile_docs, True),
                          "screened": profile(scorer, profile_docs, False)}
    results["scaling"] = scaling(scorer, texts, 0.3 if args.quick else 1.0, min(args.max_docs, 1000)
                                 if args.quick else args.max_docs)
    log("scaling done")
    table = report(results, model)
    print(table)
    if not args.quick:
        write_results("speed", results, table)


def report(r: dict, model) -> str:
    q, s = r["quality"], r["screen_report"]
    lines = [f"Model {model.label}, threshold {model.threshold:.4f}. Report half of the held-out corpora (the screen "
             f"was calibrated on the other half). **{r['note']}.**", "",
             "## Quality, screened (default) vs exhaustive", "",
             "| mode | AUC 0.02 | AUC 0.05 | AUC 0.1 | AUC 0.2 | AUC all | TPR @thr | FPR @thr | span P | span R | "
             "span F1 |", "|" + " --- |" * 11]
    for mode in ("exhaustive", "screened"):
        m = q[mode]
        lines.append(f"| {mode} | " + " | ".join(f"{m[k]:.4f}" for k in ("auc_0.02", "auc_0.05", "auc_0.1", "auc_0.2",
                                                                        "auc_all", "tpr", "fpr"))
                     + f" | {m['span_p']:.3f} | {m['span_r']:.3f} | {m['span_f1']:.3f} |")
    lines += ["", f"Documents the full model calls spun: {s['called_spun']}; settled by the screen without the "
              f"full model: {s['called_spun_screened']} ({s['miss_rate']:.2%}). Spun texts settled by the screen: "
              f"{s['spun_texts_screened']:.1%}; clean texts settled: {s['clean_screened']:.1%}. Documents the screen "
              f"passes get the exhaustive result (to 1e-9): {s['passed_documents_identical']}.", "",
              "## Throughput on one core (MB/s; wall clock / CPU time of the process; ratio to ftfy.fix_text)", "",
              "| text | MB | ftfy | screened | exhaustive | screened, lleaves | exhaustive, lleaves | "
              "ratio screened (wall / CPU) | ratio exhaustive | ratio screened, lleaves | screened share |",
              "|" + " --- |" * 11]
    for name, t in r["throughput"].items():
        def cell(key, t=t):
            return f"{t[key]['wall']:.2f} / {t[key]['cpu']:.2f}" if key in t else "-"

        def ratio(key, t=t):
            return f"{t[key]['ratio_wall']:.2f} / {t[key]['ratio_cpu']:.2f}" if key in t else "-"

        lines.append(f"| {name} | {t['megabytes']:.2f} | {cell('ftfy')} | {cell('screened')} | {cell('exhaustive')} | "
                     f"{cell('screened_compiled')} | {cell('exhaustive_compiled')} | {ratio('screened')} | "
                     f"{ratio('exhaustive')} | {ratio('screened_compiled')} | {t['screened_share']:.1%} |")
    tr = r["trees"]
    lines += ["", f"## Token-model trees ({tr['rows']:,} scorable rows of {tr['all_rows']:,} words, "
              "CPU µs per row)", "",
              f"LightGBM {tr['lightgbm_us_per_row']:.2f}; numpy (all trees level by level) "
              f"{tr['numpy_us_per_row']:.2f} (max difference {tr['numpy_max_diff']:.1e}); lleaves "
              + (f"{tr['lleaves_us_per_row']:.2f} (max difference {tr['lleaves_max_diff']:.1e})"
                 if "lleaves_us_per_row" in tr else "not available"), "",
              "## Profile of score_many on 100 news articles", "", "Exhaustive:", "", "```",
              r["profile"]["exhaustive"], "```", "", "Screened:", "", "```", r["profile"]["screened"], "```", "",
              "## Scaling (one core)", "", "Documents longer than the screen's calibration documents "
              "(`max_words`) are never screened.", "",
              "| document size | documents | MB | screened MB/s wall | screened MB/s CPU | exhaustive MB/s wall | "
              "exhaustive MB/s CPU |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in r["scaling"]["sizes"]:
        lines.append(f"| {row['bytes']:,} B | {row['documents']} | {row['megabytes']:.2f} | {row['mb_s_wall']:.2f} | "
                     f"{row['mb_s_cpu']:.2f} | {row['exhaustive_mb_s_wall']:.2f} | {row['exhaustive_mb_s_cpu']:.2f} |")
    lines += ["", "| documents (about 600 B each), screened | MB | MB/s wall | MB/s CPU |",
              "| --- | --- | --- | --- |"]
    for row in r["scaling"]["counts"]:
        lines.append(f"| {row['documents']:,} | {row['megabytes']:.2f} | {row['mb_s_wall']:.2f} | "
                     f"{row['mb_s_cpu']:.2f} |")
    c = r["clean"]
    lines += ["", "Peak memory of a fresh worker-like process (model loaded, trees compiled when possible): "
              + "; ".join(f"{k}: {v:.0f} MB" for k, v in r["worker_peak_mb"].items())
              + f". This benchmark's own process (three model copies, every text and result kept): "
              f"{r['scaling']['peak_rss_mb']:.0f} MB.", "",
              f"## detector clean ({c['documents']} records, {c['megabytes']:.2f} MB, screened)", "",
              "| workers | wall s (with start-up) | MB/s (scoring step) | MB/s per worker (unit time) | "
              "peak RSS per worker MB |", "| --- | --- | --- | --- | --- |"]
    for w in (1, 2):
        x = c[f"workers_{w}"]
        lines.append(f"| {w} | {x['wall_s']:.1f} | {x['scoring_mb_s']:.2f} | {x['mb_s_per_worker']:.2f} | "
                     f"{x['peak_rss_mb_per_worker']:.0f} |")
    lines += ["", f"Speed-up 1 -> 2 workers: {c['speedup']:.2f}x. Model load (fresh process, Scorer with its screen): "
              f"{r['model_load_s']:.2f} s."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
