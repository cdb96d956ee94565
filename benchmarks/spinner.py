"""Spinner benchmark: start-up time of the command, lexicon load time, and spinning throughput.

    python benchmarks/spinner.py            # Reuters TEST articles when ../shared is there, else the seeds

Prints a table and writes benchmarks/results/spinner.{json,md}.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CORPUS, ROOT, reuters, write_results

from detector.lexicon.lexicon import get_lexicon
from detector.lexicon.resources import load_tables
from detector.spinner.spinner import SpinConfig, Spinner


def command_seconds(args: list[str], stdin: bytes = b"", runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "detector", *args], input=stdin, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    get_lexicon()  # make sure the cache exists: we measure start-up after the first run
    start = time.perf_counter()
    load_tables()
    load_seconds = time.perf_counter() - start

    small = b"Users of the app said the phone number was popular among people in the city.\n"
    help_s = command_seconds(["--help"])
    spin_small_s = command_seconds(["spin", "-", "--seed", "1"], small)

    if CORPUS.exists():
        texts = [r["body"] for r in reuters("TEST", limit=1500, min_words=40)]
        source = f"{len(texts)} Reuters TEST articles"
    else:
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))] * 20
        source = "the seeds x20 (corpus not found)"
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    rows = []
    for thesaurus in ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases"):
        spinner = Spinner(SpinConfig(rate=0.2, seed=1, thesaurus=thesaurus))
        spinner.spin(texts[0])
        start = time.perf_counter()
        subs = sum(len(spinner.spin(t).substitutions) for t in texts)
        seconds = time.perf_counter() - start
        rows.append({"thesaurus": thesaurus, "mb_per_s": megabytes / seconds, "substitutions": subs})

    table = [
        f"input: {source}, {megabytes:.2f} MB; rate 0.2; one core",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| lexicon load (cached tables) | {load_seconds:.2f} s |",
        f"| `detector --help` | {help_s:.2f} s |",
        f"| `detector spin` of one sentence (start-up + load + spin) | {spin_small_s:.2f} s |",
    ]
    table += [f"| spin throughput, {r['thesaurus']} | {r['mb_per_s']:.2f} MB/s ({r['substitutions']:,} substitutions) |"
              for r in rows]
    text = "\n".join(table)
    print(text)
    write_results("spinner", {"source": source, "megabytes": megabytes, "lexicon_load_s": load_seconds,
                              "help_s": help_s, "spin_one_sentence_s": spin_small_s, "throughput": rows}, text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    with tempfile.TemporaryDirectory():
        main()
