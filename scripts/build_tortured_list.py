"""Build the shipped tortured-phrase list from the PPS fingerprints (``detector/data/tortured/``).

    PYTHONPATH=. python scripts/build_tortured_list.py            # about 3 minutes on one core

Reads ``../shared/corpus/tortured-phrases/tortured-phrases.jsonl``, cleans it
(:mod:`detector.tortured.clean`), counts every listed phrase in clean scientific text that the
detector may be fitted on (arXiv 2024-26 abstracts, ACL Anthology abstracts without the LREC
venues, ClinicalTrials.gov 1990s: about 27 million words; PLOS stays held out), marks the
entries seen there ``ORDINARY_MIN`` times or more as ordinary prose (flagged only with context,
see :mod:`detector.tortured.phrases`), marks the fifth held out for measuring new-phrase finding
(:func:`detector.tortured.phrases.held_out`), and writes ``phrases.jsonl``, ``manifest.json`` and
``left-out.tsv`` (what was dropped, and why).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.detection.corpora import science_abstracts  # noqa: E402
from detector.tortured.clean import clean_entries  # noqa: E402
from detector.tortured.match import Document, PhraseMatcher, words_of  # noqa: E402
from detector.tortured.phrases import DATA, FORMAT, ORDINARY_MIN, held_out  # noqa: E402

LIST = "tortured-phrases/tortured-phrases.jsonl"


def count(matcher: PhraseMatcher, texts, n: int) -> tuple[Counter, int]:
    found: Counter = Counter()
    words = 0
    for text in texts:
        doc = Document(text)
        words += len(doc)
        for m in matcher.find(doc):
            found[m.key] += 1
    return found, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="abstracts to count (quick runs)")
    args = parser.parse_args()
    raw_path = args.corpus / LIST
    raw = [json.loads(line) for line in raw_path.open(encoding="utf-8") if line.strip()]
    entries, dropped = clean_entries(raw)
    matcher = PhraseMatcher([e.tortured for e in entries] + [e.expected or "" for e in entries])
    n = len(entries)
    t0 = time.time()
    texts = (text for i, (_, text) in enumerate(
        t for counted in (True, False) for t in science_abstracts(args.corpus, counted))
        if args.limit is None or i < args.limit)
    found, words = count(matcher, texts, n)
    print(f"counted {words:,} words in {time.time() - t0:.0f} s", file=sys.stderr)
    kept, out_dropped = [], list(dropped)
    for key, e in enumerate(entries):
        seen = found.get(key, 0)
        seen_expected = found.get(n + key, 0) if e.expected else 0
        guard_only = any("only a guard" in note for note in e.notes)
        if guard_only and seen >= ORDINARY_MIN:
            out_dropped.append((e.tortured, f"a real term PPS names in other entries' guards (seen {seen} times "
                                             "in clean science)"))
            continue
        record = {"tortured": e.tortured, "expected": e.expected, "alternatives": e.alternatives,
                  "papers": e.papers, "queries": e.queries, "uncertain": e.uncertain,
                  "ordinary": seen >= ORDINARY_MIN, "clean_count": seen, "expected_count": seen_expected,
                  "held_out": held_out(e.tortured), "sources": e.sources}
        if e.notes:
            record["notes"] = e.notes
        kept.append(record)
    args.out.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
    (args.out / "phrases.jsonl").write_text(body, encoding="utf-8")
    (args.out / "left-out.tsv").write_text("tortured\twhy\n" + "".join(f"{t}\t{why}\n" for t, why in out_dropped),
                                           encoding="utf-8")
    manifest = {"format": FORMAT, "version": "1.0.0", "entries": len(kept), "left_out": len(out_dropped),
                "ordinary": sum(r["ordinary"] for r in kept), "held_out": sum(r["held_out"] for r in kept),
                "guarded": sum(bool(r["queries"]) and any(" AND " in q or " NOT " in q for q in r["queries"])
                               for r in kept),
                "no_expected": sum(r["expected"] is None for r in kept),
                "ordinary_min": ORDINARY_MIN, "counted_words": words,
                "counted_in": ["arxiv-abstracts-2025", "acl-anthology-abstracts (no LREC venues)",
                               "clinicaltrials-gov-1990s"],
                "source": "Problematic Paper Screener (Cabanac, Labbe, Magazinov), via ../shared/corpus/" + LIST,
                "source_sha256": hashlib.sha256(raw_path.read_bytes()).hexdigest(),
                "licence": "CC BY 4.0 (attribution: the Problematic Paper Screener, G. Cabanac, C. Labbe, "
                           "A. Magazinov)",
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in manifest.items() if isinstance(v, int)}), file=sys.stderr)
    assert all(words_of(r["tortured"]) for r in kept)


if __name__ == "__main__":
    main()
