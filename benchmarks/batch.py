"""Batch cleaning benchmark: throughput with 1 and 2 workers, peak memory, resume overhead, and
spun copies found by ``--group-copies`` against word-shingle MinHash.

    python benchmarks/batch.py            # ~20k documents, a few minutes on 2 cores

The corpus: every Reuters article with text (~19k), plus spun copies of 1,000 TEST articles made
with three spinners (WordNet at rate 0.2, WordNet + phrase table at 0.35, and the held-out
distributional thesaurus of heldout_spinner.py at 0.3), shuffled with a fixed seed and written as
four ``.jsonl.gz`` shards in a temporary folder (never into the repository).

MinHash baseline: datatrove's defaults for its MinHash deduplication (word 5-gram shingles,
14 bands of 8 hashes); two records are duplicates when any band matches, and clusters are the
connected components, as in datatrove.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import RESULTS, reuters, write_results

from detector.spinner.spinner import SpinConfig, Spinner

SPINNERS = [("wordnet", 0.2), ("wordnet,phrases", 0.35), (str(RESULTS / "heldout-thesaurus.tsv"), 0.3)]


def build_corpus(folder: Path, sources: int, seed: int) -> tuple[list[dict], dict[str, str]]:
    records = [{"id": f"r{r['newid']}", "text": r["body"]} for r in reuters() if r["body"].strip()]
    rng = random.Random(seed)
    test = [r for r in records if len(r["text"].split()) >= 60]
    planted: dict[str, str] = {}
    spinners = [Spinner(SpinConfig(rate=rate, seed=seed + i, thesaurus=t)) for i, (t, rate) in enumerate(SPINNERS)]
    for k, source in enumerate(rng.sample(test, sources)):
        spinner = spinners[k % len(spinners)]
        copy_id = f"copy{k}-{source['id']}"
        records.append({"id": copy_id, "text": spinner.spin(source["text"]).text})
        planted[copy_id] = source["id"]
    rng.shuffle(records)
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(4):
        lines = "".join(json.dumps(r) + "\n" for r in records[shard::4])
        (folder / f"part-{shard}.jsonl.gz").write_bytes(gzip.compress(lines.encode("utf-8"), mtime=0))
    return records, planted


def run_clean(inputs: Path, out: Path, workers: int, extra: list[str] = (), kill_after_units: int | None = None):
    """Run `detector clean` in a child process; returns wall seconds."""
    command = [sys.executable, "-m", "detector", "clean", str(inputs), "--out", str(out), "--quiet",
               "--workers", str(workers), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    if kill_after_units is not None:
        units = out / ".detector" / "units"
        while process.poll() is None and len(list(units.glob("*.done.json"))) < kill_after_units:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    process.wait()
    seconds = time.perf_counter() - start
    if kill_after_units is None and process.returncode != 0:
        raise SystemExit(f"detector clean failed with status {process.returncode}")
    return seconds


def minhash_clusters(texts: list[str], n: int = 5, bands: int = 14, rows: int = 8, seed: int = 1) -> np.ndarray:
    """Cluster ids by MinHash LSH over word n-gram shingles (datatrove's default parameters)."""
    import hashlib

    rng = np.random.default_rng(seed)
    prime = np.uint64((1 << 61) - 1)
    a = rng.integers(1, 1 << 61, bands * rows, dtype=np.uint64)
    b = rng.integers(0, 1 << 61, bands * rows, dtype=np.uint64)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple, int] = {}
    for i, text in enumerate(texts):
        words = text.lower().split()
        grams = {" ".join(words[j : j + n]) for j in range(max(len(words) - n + 1, 1))}
        h = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") >> 4
                      for g in grams], dtype=np.uint64)
        with np.errstate(over="ignore"):
            sig = ((np.outer(h, a) + b) % prime).min(axis=0)
        for band in range(bands):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            if key in buckets:
                x, y = root(i), root(buckets[key])
                if x != y:
                    parent[max(x, y)] = min(x, y)
            else:
                buckets[key] = i
    return np.array([root(i) for i in range(len(texts))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000, help="articles given a planted spun copy")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="detector-batch-"))
    inputs = work / "in"
    records, planted = build_corpus(inputs, args.sources, args.seed)
    size = sum(len(r["text"].encode("utf-8")) for r in records) / 1e6
    compressed = sum(p.stat().st_size for p in inputs.iterdir()) / 1e6
    print(f"corpus: {len(records):,} records, {size:.1f} MB of text ({compressed:.1f} MB gzipped), "
          f"{len(planted):,} planted copies")

    results: dict = {"records": len(records), "text_mb": round(size, 2), "planted_copies": len(planted)}
    rows = []
    for workers in (1, 2):
        out = work / f"out-{workers}"
        seconds = run_clean(inputs, out, workers)
        summary = json.loads((out / "summary.json").read_text())
        speed = summary["throughput"]
        peak = summary["peak_rss_mb"]["worker"]
        results[f"workers_{workers}"] = {"wall_seconds": round(seconds, 2), "scoring_seconds": speed["seconds"],
                                         "mb_per_second": speed["mb_per_second"],
                                         "mb_per_second_per_worker": speed["mb_per_second_per_worker"],
                                         "docs_per_second": speed["docs_per_second"],
                                         "peak_rss_mb": summary["peak_rss_mb"],
                                         "verdicts": summary["verdicts"], "errors": summary["records"]["errors"]}
        rows.append(f"| {workers} | {seconds:.1f} | {speed['seconds']:.1f} | {speed['mb_per_second']:.2f} | "
                    f"{speed['mb_per_second_per_worker']:.2f} | {speed['docs_per_second']:.0f} | {peak:.0f} |")
        print(rows[-1])
    speedup = results["workers_2"]["mb_per_second"] / results["workers_1"]["mb_per_second"]
    results["speedup_1_to_2"] = round(speedup, 2)
    same = all((work / "out-1" / f"part-{i}.jsonl.gz").read_bytes() == (work / "out-2" / f"part-{i}.jsonl.gz")
               .read_bytes() for i in range(4))
    results["identical_output_1_vs_2_workers"] = same

    # resume: kill half-way, resume, compare with the uninterrupted run
    out = work / "out-resume"
    total_units = sum(-(-count // 1000) for count in json.loads(
        (work / "out-2" / ".detector" / "run.json").read_text())["records"])
    killed_seconds = run_clean(inputs, out, 2, kill_after_units=total_units // 2)
    resumed_seconds = run_clean(inputs, out, 2)
    identical = all((out / f"part-{i}.jsonl.gz").read_bytes() == (work / "out-2" / f"part-{i}.jsonl.gz").read_bytes()
                    for i in range(4))
    rerun_seconds = run_clean(inputs, out, 2)
    overhead = killed_seconds + resumed_seconds - results["workers_2"]["wall_seconds"]
    results["resume"] = {"units": total_units, "killed_after_seconds": round(killed_seconds, 2),
                         "resumed_seconds": round(resumed_seconds, 2), "overhead_seconds": round(overhead, 2),
                         "identical_to_uninterrupted": identical, "finished_rerun_seconds": round(rerun_seconds, 2)}

    # copies: --group-copies against MinHash on word shingles
    out = work / "out-copies"
    seconds = run_clean(inputs, out, 2, ["--group-copies"])
    grouped: dict[str, dict] = {}
    for i in range(4):
        for line in gzip.decompress((out / f"part-{i}.jsonl.gz").read_bytes()).decode().splitlines():
            record = json.loads(line)
            grouped[record["id"]] = record["detector"].get("copies")
    found = sum(1 for copy, source in planted.items()
                if grouped.get(copy) and grouped.get(source) and grouped[copy]["group"] == grouped[source]["group"])
    in_groups = sum(1 for mark in grouped.values() if mark)
    canonical_right = sum(1 for copy, source in planted.items() if grouped.get(copy) and grouped.get(source)
                          and grouped[copy]["group"] == grouped[source]["group"] and not grouped[copy]["canonical"])
    start = time.perf_counter()
    ids = [r["id"] for r in records]
    clusters = minhash_clusters([r["text"] for r in records])
    minhash_seconds = time.perf_counter() - start
    position = {rid: i for i, rid in enumerate(ids)}
    minhash_found = sum(1 for copy, source in planted.items() if clusters[position[copy]] == clusters[position[source]])
    sizes = np.bincount(clusters)
    minhash_in_groups = int((sizes[clusters] > 1).sum())
    planted_ids = set(planted) | set(planted.values())
    other_grouped = sum(1 for rid, mark in grouped.items() if mark and rid not in planted_ids)
    other_minhash = sum(1 for rid in ids if sizes[clusters[position[rid]]] > 1 and rid not in planted_ids)
    per_spinner = {}
    for k, (thesaurus, rate) in enumerate(SPINNERS):
        mine = [(c, s) for c, s in planted.items() if int(c[4:].split("-")[0]) % len(SPINNERS) == k]
        per_spinner[f"{Path(thesaurus).stem}@{rate}"] = {
            "planted": len(mine),
            "group_copies": sum(1 for c, s in mine if grouped.get(c) and grouped.get(s)
                                and grouped[c]["group"] == grouped[s]["group"]),
            "minhash": sum(1 for c, s in mine if clusters[position[c]] == clusters[position[s]])}
    results["copies"] = {
        "planted": len(planted), "group_copies_found": found, "minhash_found": minhash_found,
        "group_copies_canonical_is_the_source": canonical_right,
        "records_in_groups": in_groups, "minhash_records_in_groups": minhash_in_groups,
        "unplanted_records_grouped": other_grouped, "minhash_unplanted_records_grouped": other_minhash,
        "group_copies_run_seconds": round(seconds, 2), "minhash_seconds": round(minhash_seconds, 2),
        "per_spinner": per_spinner}

    table = ["| workers | wall s | scoring s | MB/s | MB/s per worker (unit time) | docs/s "
             "| peak RSS per worker MB |",
             "|---|---|---|---|---|---|---|", *rows, "",
             f"Speed-up 1 -> 2 workers: {speedup:.2f}x; output identical with 1 and 2 workers: {same}.", "",
             f"Resume: killed after half of {total_units} units ({killed_seconds:.1f} s), resumed in "
             f"{resumed_seconds:.1f} s; overhead {overhead:.1f} s over an uninterrupted run; output identical: "
             f"{identical}; rerunning a finished run: {rerun_seconds:.1f} s.", "",
             "| copies of planted sources found | --group-copies | MinHash 5-gram 14x8 |", "|---|---|---|",
             f"| all ({len(planted)}) | {found} ({found / len(planted):.1%}) | {minhash_found} "
             f"({minhash_found / len(planted):.1%}) |"]
    for name, row in per_spinner.items():
        table.append(f"| {name} ({row['planted']}) | {row['group_copies']} | {row['minhash']} |")
    table += [f"| records of the corpus's own (unplanted) near-duplicates grouped | {other_grouped} | "
              f"{other_minhash} |",
              f"| canonical record = the clean source | {canonical_right} of {found} | - |"]
    text = "\n".join(table)
    print(text)
    write_results("batch", results, text)


if __name__ == "__main__":
    main()
