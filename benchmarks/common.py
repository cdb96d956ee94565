"""Helpers shared by the benchmarks: the corpus, the machine description, and result files.

>>> machine()["cores"] >= 1
True
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("DETECTOR_CORPUS", ROOT.parent / "shared" / "corpus" / "reuters21578" / "articles.jsonl"))
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError, IndexError):
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return {"cpu": cpu, "cores": os.cpu_count() or 1, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "date": _dt.date.today().isoformat()}


def reuters(split: str | None = None, limit: int | None = None, min_words: int = 0) -> Iterator[dict]:
    """Reuters-21578 articles (``split``: TRAIN, TEST or NOT-USED), or a clear error when absent."""
    if not CORPUS.exists():
        raise SystemExit(f"benchmark needs the Reuters corpus at {CORPUS} (set DETECTOR_CORPUS)")
    count = 0
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if split and record.get("lewissplit") != split:
                continue
            if len(record["body"].split()) < min_words:
                continue
            yield record
            count += 1
            if limit and count >= limit:
                return


def write_results(name: str, results: dict, table: str) -> None:
    """Write ``results/NAME.json`` and ``results/NAME.md`` (the printed table), with the machine."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), **results}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    m = payload["machine"]
    header = (f"# {name}\n\nMeasured {m['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), "
              f"Python {m['python']}.\n\n")
    (RESULTS / f"{name}.md").write_text(header + table + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS / (name + '.json')} and .md")
