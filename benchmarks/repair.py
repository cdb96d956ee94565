"""Repair benchmark: how many substitutions come back exactly, and how many untouched words change.

    python benchmarks/repair.py            # Reuters TEST articles; writes results/repair.{json,md}

(a) seed 000 repaired with 001 as reference: changes by source, and whether the correction note
and the rewritten paragraph 11 keep their own words. (b) Reuters TEST articles spun by this
project's spinner (ground truth known): with the reference, and without one (the detector's
confident suggestions only). A substitution is *restored* when the repaired text has exactly the
original's words in its place; an *untouched word changed* is a word of the original that the
spinner left alone and that is no longer in place after the repair. (c) Retrieval: every Reuters
article indexed by immutable fingerprints (detector/repair/fingerprint.py); spun TEST articles are the
queries; top-1 counts when the retrieved article has the same text as the source (Reuters holds
exact duplicates under different ids). Baseline: MinHash over 5-word shingles, without immutables.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, reuters, write_results

from detector.detection.scoring import Scorer
from detector.repair.repair import repair
from detector.spinner.spinner import SpinConfig, Spinner
from detector.text.tokenize import tokenize

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


class MinHash:
    """Word-shingle MinHash (the baseline): 64 hash functions over 5-word shingles."""

    def __init__(self, texts: list[str], perms: int = 64, k: int = 5, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.k, self.a = k, rng.integers(1, 2**31 - 1, perms, dtype=np.int64)
        self.b = rng.integers(0, 2**31 - 1, perms, dtype=np.int64)
        self.signatures = np.vstack([self.signature(t) for t in texts])

    def signature(self, text: str) -> np.ndarray:
        words = text.lower().split()
        grams = {" ".join(words[i : i + self.k]) for i in range(max(len(words) - self.k + 1, 1))}
        h = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams],
                     dtype=np.int64)
        return ((np.outer(h, self.a) + self.b) % 2147483647).min(axis=0)

    def best(self, text: str) -> int:
        return int(np.argmax((self.signatures == self.signature(text)).mean(axis=1)))


def retrieval(texts: list[str]) -> dict:
    from detector.repair.fingerprint import SourceIndex

    corpus = {str(r["newid"]): r["body"] for r in reuters()}
    start = time.perf_counter()
    index = SourceIndex.build(corpus.items())
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp))
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        start = time.perf_counter()
        SourceIndex.load(Path(tmp))
        load_s = time.perf_counter() - start
    ids = list(corpus)
    minhash = MinHash([corpus[i] for i in ids])
    out = {"build_s": build_s, "size_mb": size_mb, "load_s": load_s, "articles": len(corpus)}
    for rate in (0.1, 0.35):
        spinner = Spinner(SpinConfig(rate=rate, seed=7, thesaurus="wordnet,phrases"))
        ours = base = 0
        elapsed = 0.0
        for i, text in enumerate(texts):
            spun = spinner.spin(text, seed=i).text
            start = time.perf_counter()
            hits = index.search(spun, top=1)
            elapsed += time.perf_counter() - start
            ours += bool(hits) and corpus[hits[0][0]].strip() == text.strip()
            base += corpus[ids[minhash.best(spun)]].strip() == text.strip()
        out[str(rate)] = {"top1": ours / len(texts), "minhash_top1": base / len(texts),
                          "ms_per_query": 1000 * elapsed / len(texts)}
    return out


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
    found = retrieval(texts)
    table += ["", f"(c) retrieval over {found['articles']:,} Reuters articles: index built in "
              f"{found['build_s']:.1f} s, {found['size_mb']:.1f} MB on disk (texts included), loads in "
              f"{found['load_s']:.2f} s", "",
              "| rate | top-1 (immutable fingerprints) | top-1 (5-word-shingle MinHash) | ms per query |",
              "| --- | --- | --- | --- |"]
    table += [f"| {rate} | {found[rate]['top1']:.1%} | {found[rate]['minhash_top1']:.1%} | "
              f"{found[rate]['ms_per_query']:.1f} |" for rate in ("0.1", "0.35")]
    text = "\n".join(table)
    print(text)
    write_results("repair", {"seed_000": {"changes": len(seed.changes), "by_source": by_source,
                                          "note_kept": note_kept, "paragraph_kept": para_kept},
                             "spun_test": results, "retrieval": found}, text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
