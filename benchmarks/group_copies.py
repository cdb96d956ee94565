"""`detector clean --group-copies` at crawl size: time against the same run without grouping, and the
kinds of the planted copies it groups.

    python benchmarks/group_copies.py                  # 100,000 documents, 2 workers (about half an hour)
    python benchmarks/group_copies.py --documents 20000

The corpus (written to a temporary folder, never into the repository): every Reuters article with
text (~19k), then Wikipedia excerpts (the 2021 slice, then 2015; whole paragraphs of 60-600 words)
up to the number asked for, plus planted copies of 1% of them, made from Reuters ``TEST`` articles (held
out): reformatted duplicates, spun copies (WordNet at 0.2, phrase table at 0.1, the held-out
distributional thesaurus at 0.3), sentence-level rewrites and summaries (``trace_rewrites.py``).
Shuffled with a fixed seed into eight ``.jsonl.gz`` shards. Both runs use the same workers and
the batch screen (the default); the grouped run's extra time is the facts indexed per record,
the candidate search and the comparison of candidate pairs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import ROOT, reuters, write_results

sys.path.insert(0, str(Path(__file__).resolve().parent))

WIKI = [ROOT.parent / "shared" / "corpus" / name for name in
        ("wikipedia-en-2021-slice/wikipedia-en-2021-slice.jsonl.gz", "wikipedia-en-2015/wikipedia-en-2015.jsonl.gz")]
SPINS = [("wordnet", 0.2), ("phrases", 0.1), (str(ROOT / "benchmarks" / "results" / "heldout-thesaurus.tsv"), 0.3)]


def wikipedia_excerpts(limit: int, rng: random.Random):
    for path in WIKI:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                paragraphs = [p for p in json.loads(line)["text"].split("\n") if len(p.split()) >= 20]
                chunk: list[str] = []
                target = rng.randint(60, 600)
                for p in paragraphs:
                    chunk.append(p)
                    if sum(len(c.split()) for c in chunk) >= target:
                        if limit <= 0:
                            return
                        yield "\n".join(chunk)
                        limit -= 1
                        chunk, target = [], rng.randint(60, 600)


def planted(sources: list[dict], rng: random.Random) -> list[dict]:
    import trace_rewrites as rw

    from detector.spinner.spinner import SpinConfig, Spinner

    spinners = {name: Spinner(SpinConfig(rate=rate, thesaurus=name)) for name, rate in SPINS}
    out = []
    for k, src in enumerate(sources):
        kind = ("duplicate", "spun-copy", "rewrite", "summary")[k % 4]
        if kind == "duplicate":
            text, how = rw.reformat(src["text"], rng)
        elif kind == "spun-copy":
            name = list(spinners)[k // 4 % len(spinners)]
            text, how = spinners[name].spin(src["text"], seed=k).text, f"spun ({Path(name).stem})"
        elif kind == "rewrite":
            text, ops = rw.rewrite_sentences(src["text"], rng, strength=0.7)
            how = "rewrite"
        else:
            text, how = rw.summarise(src["text"], rng)
        out.append({"id": f"copy-{k}", "text": text, "planted_kind": kind, "planted_source": src["id"], "how": how})
    return out


def build(folder: Path, documents: int, seed: int) -> tuple[dict, int]:
    rng = random.Random(seed)
    records = [{"id": f"r{r['newid']}", "text": r["body"]} for r in reuters() if r["body"].strip()]
    test = [{"id": f"r{r['newid']}", "text": r["body"]} for r in reuters("TEST", min_words=120)]
    copies_wanted = max(4, documents // 100)
    sources = rng.sample(test, min(copies_wanted, len(test)))
    copies = planted(sources, rng)
    room = max(0, documents - len(records) - len(copies))
    records += [{"id": f"w{i}", "text": t} for i, t in enumerate(wikipedia_excerpts(room, rng))]
    records = records[: documents - len(copies)] + copies
    rng.shuffle(records)
    for part in range(8):
        with gzip.open(folder / f"part-{part}.jsonl.gz", "wt", encoding="utf-8") as shard:
            for r in records[part::8]:
                shard.write(json.dumps({"id": r["id"], "text": r["text"]}) + "\n")
    truth = {c["id"]: (c["planted_kind"], c["planted_source"]) for c in copies}
    return truth, len(records)


def run(folder: Path, out: Path, workers: int, group: bool) -> float:
    command = [sys.executable, "-m", "detector", "clean", str(folder), "--out", str(out), "--workers", str(workers),
               "--quiet", "--no-batch-learning"] + (["--group-copies"] if group else [])
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        truth, n = build(folder, args.documents, args.seed)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{n:,} documents ({size:.0f} MB gzipped), {len(truth)} planted copies", flush=True)
        plain = run(folder, Path(tmp) / "plain", args.workers, group=False)
        print(f"without grouping: {plain:.0f} s", flush=True)
        grouped = run(folder, Path(tmp) / "grouped", args.workers, group=True)
        print(f"with --group-copies: {grouped:.0f} s", flush=True)
        marks = {}
        for file in (Path(tmp) / "grouped").glob("*.jsonl.gz"):
            with gzip.open(file, "rt", encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    marks[record["id"]] = record.get("detector", {}).get("copies")
        summary = json.loads((Path(tmp) / "grouped" / "summary.json").read_text())
    found = Counter()
    right_kind = Counter()
    right_source = Counter()
    total = Counter(kind for kind, _ in truth.values())
    for copy_id, (kind, source) in truth.items():
        mark, source_mark = marks.get(copy_id), marks.get(source)
        if mark and source_mark and mark["group"] == source_mark["group"]:
            found[kind] += 1
            right_kind[kind] += mark["kind"] == kind or source_mark["kind"] == kind
            right_source[kind] += mark["source_id"] == source
    grouped_records = sum(1 for m in marks.values() if m)
    ratio = grouped / plain
    table = [f"{n:,} documents, {args.workers} workers: without grouping {plain:.0f} s, with `--group-copies` "
             f"{grouped:.0f} s: **{ratio:.2f}x** (target: at most 2x).", "",
             "| planted copies | count | grouped with their source | kind right | source right |",
             "|---|---|---|---|---|"]
    for kind in sorted(total):
        table.append(f"| {kind} | {total[kind]} | {found[kind]} | {right_kind[kind]} | {right_source[kind]} |")
    table += ["", f"Records in a group: {grouped_records:,} (the corpus's own near-copies included); kinds counted "
                  f"in summary.json: {json.dumps(summary.get('copies', {}))}."]
    print("\n".join(table))
    write_results("group_copies", {"documents": n, "workers": args.workers, "seconds_plain": round(plain, 1),
                                   "seconds_grouped": round(grouped, 1), "ratio": round(ratio, 3),
                                   "planted": dict(total), "grouped_with_source": dict(found),
                                   "kind_right": dict(right_kind), "source_right": dict(right_source),
                                   "records_in_groups": grouped_records, "copies": summary.get("copies", {})},
                  "\n".join(table))


if __name__ == "__main__":
    main()
