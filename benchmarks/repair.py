"""Repair benchmark: how many substitutions come back exactly, and how many untouched words change.

    python benchmarks/repair.py            # Reuters TEST articles; writes results/repair.{json,md}

(a) seed 000 repaired with 001 as reference: changes by source, and whether the correction note
and the rewritten paragraph 11 keep their own words. (b) Reuters TEST articles spun by this
project's spinner (ground truth known): with the reference, and without one (the detector's
confident suggestions only). A substitution is *restored* when the repaired text has exactly the
original's words in its place; an *untouched word changed* is a word of the original that the
spinner left alone and that is no longer in place after the repair. Retrieval from a corpus is
not built yet.
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

from common import ROOT, reuters, write_results

from detector.repair import repair
from detector.scoring import Scorer
from detector.spinner import SpinConfig, Spinner
from detector.tokenize import tokenize

RATES = (0.05, 0.1, 0.2, 0.35)


def restored_and_damaged(original: str, spun, repaired) -> tuple[int, int, int, int]:
    """(substitutions, restored exactly, untouched words, untouched words changed).

    Both counts compare the repaired text with the original, word by word (difflib): a
    substitution is restored when all the original words it replaced are matched in place; an
    untouched word (one the spinner left alone) is changed when it is no longer matched. Comparing
    with the original rather than pointing at spun offsets keeps "natural natural gas" (a spinner
    echo) from counting as damage when either copy is removed.
    """
    o_tokens = tokenize(original)
    r_tokens = tokenize(repaired.text)
    matcher = difflib.SequenceMatcher(None, [t.text for t in o_tokens], [t.text for t in r_tokens], autojunk=False)
    equal = [False] * len(o_tokens)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            for i in range(i1, i2):
                equal[i] = True
    inside_sub = [any(s.original_start <= t.start < s.original_end for s in spun.substitutions) for t in o_tokens]
    restored = 0
    for sub in spun.substitutions:
        inside = [equal[i] for i, t in enumerate(o_tokens) if sub.original_start <= t.start < sub.original_end]
        restored += bool(inside) and all(inside)
    untouched = [i for i, t in enumerate(o_tokens) if t.kind == "word" and not inside_sub[i]]
    changed = sum(not equal[i] for i in untouched)
    return len(spun.substitutions), restored, len(untouched), changed


def main() -> None:
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}
    seed = repair(seeds["000"], reference=seeds["001"])
    by_source = {s: sum(c.source == s for c in seed.changes) for s in ("reference", "dictionary", "model")}
    note_kept = seed.text.startswith("(This Jan. 15 story has been corrected")
    para_kept = "permit overseas telephone numbers to register" in seed.text

    texts = [r["body"] for r in reuters("TEST", min_words=40)][:300]
    scorer = Scorer()
    rows = {}
    for mode in ("reference", "none"):
        for rate in RATES:
            spinner = Spinner(SpinConfig(rate=rate, seed=5, thesaurus="wordnet,phrases"))
            totals = [0, 0, 0, 0]
            start = time.perf_counter()
            for i, text in enumerate(texts):
                spun = spinner.spin(text, seed=i)
                if not spun.substitutions:
                    continue
                repaired = repair(spun.text, reference=text if mode == "reference" else None, scorer=scorer)
                totals = [a + b for a, b in zip(totals, restored_and_damaged(text, spun, repaired))]
            rows[(mode, rate)] = totals + [time.perf_counter() - start]
        print(f"  {mode} done", file=sys.stderr)

    table = [
        f"(a) seed 000 with 001 as reference: {len(seed.changes)} changes ({by_source}), similarity "
        f"{seed.reference['similarity']:.2f}; correction note kept: {note_kept}; rewritten paragraph 11 kept: "
        f"{para_kept}",
        "",
        f"(b) {len(texts)} Reuters TEST articles spun with wordnet,phrases",
        "",
        "| reference | rate | substitutions | restored exactly | untouched words changed | seconds |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    results = {}
    for (mode, rate), (subs, restored, untouched, changed, seconds) in rows.items():
        label = "given" if mode == "reference" else "none"
        table.append(f"| {label} | {rate} | {subs} | {restored / subs:.1%} | {changed} of {untouched} "
                     f"({changed / untouched:.2%}) | {seconds:.1f} |")
        results[f"{label}@{rate}"] = {"substitutions": subs, "restored": restored / subs,
                                      "untouched_changed": changed / untouched, "untouched_changed_n": changed}
    text = "\n".join(table)
    print(text)
    write_results("repair", {"seed_000": {"changes": len(seed.changes), "by_source": by_source,
                                          "note_kept": note_kept, "paragraph_kept": para_kept},
                             "spun_test": results}, text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
