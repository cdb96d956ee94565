"""Trace benchmark: does ``detector.trace`` find which document derives from which, the direction and the kind?

    python benchmarks/trace.py                # held-out families (generated if absent): results/trace.md/.json
    python benchmarks/trace.py --split train  # the tuning split: results/trace-train.md/.json

>>> pair_key("b", "a")
('a', 'b')

The families come from ``benchmarks/trace_families.py`` (JSONL under /work/scratch/trace/; see its
docstring): pools of ~35 documents, each mixing 4-6 families (an original and what was made from
it: duplicate, spun copy, rewrite, summary, round trip, sometimes a chain) with same-topic
distractors. :func:`detector.trace.trace_documents` runs once per pool, and:

* **derived from**: every generated (source, derived) pair is a true edge. A predicted edge with
  another kind than ``same-story`` is *found* when its pair is a true pair in either orientation; a
  duplicate of a source stands for the source (the two texts are the same up to formatting), and
  OneStopEnglish's ``int`` level stands for the ``adv`` as the source of ``ele`` (which may have been
  made from it). Pairs
  of one family that are not an edge (two copies of one original, OneStopEnglish's ``int`` and ``ele``,
  an original and the summary of its spun copy) are *related, not scored*: neither right nor wrong.
  Every other predicted edge is false. Precision, recall and F1 overall, by true kind (recall) and
  predicted kind (precision), by genre and by spinner or translation system.
* **direction**: among found true pairs, the share whose predicted source is the true one (the
  duplicate's own direction is reported apart: the two texts differ only by formatting).
* **kind**: among found true pairs, the share with the right kind, and the confusion matrix.
* **unrelated pairs**: every pair of documents of one pool from different families (distractor
  pairs and cross-family pairs, all same corpus and mostly same topic): the share with no
  derived-from edge (target >= 99%) and the share labelled ``same-story``.
* **time** per 1,000 documents, with and without the detector's spun score (``spun_scores=False``).
* **seeds**: every relation the tracer finds among the five seeds, beside the issue's targets.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ROOT, write_results  # noqa: E402

KINDS = ("duplicate", "spun-copy", "rewrite", "summary", "translation")
ALL_KINDS = (*KINDS, "same-story")
TARGETS = {"f1": 0.95, "direction": 0.95, "kind": 0.90, "unrelated_no_edge": 0.99}
SEED_TARGETS = {("001", "000"): ("spun-copy",), ("001", "003"): ("rewrite",), ("001", "002"): ("summary", "rewrite")}
EXAMPLES = 6
HELD_OUT_NOTE = ("Held out from the trace model's fitting: the genres (the `train` split is Reuters TRAIN and "
                 "Wikipedia) and OneStopEnglish's human rewrites (`rewrite/ose-int`, `rewrite/ose-ele`). The "
                 "spinners, the sentence rewrites, summaries and round trips come from the same generators on "
                 "both splits.")


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def load(path: Path) -> dict[str, list[dict]]:
    pools: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                pools[r["pool"]].append(r)
    return dict(pools)


class Truth:
    """The true edges of one pool, duplicate classes and families."""

    def __init__(self, docs: list[dict]):
        self.docs = {d["id"]: d for d in docs}
        self.edges = {d["id"]: (d["source"], d["kind"]) for d in docs if d["source"]}  # derived -> (source, kind)
        self.pairs = {pair_key(s, d): (s, d) for d, (s, _) in self.edges.items()}
        # duplicate classes: an original and its duplicates
        self.canon = {d: d for d in self.docs}
        for d, (s, kind) in self.edges.items():
            if kind == "duplicate":
                self.canon[d] = s
        # OneStopEnglish's ele level may have been made from the int level: int is an acceptable source
        self.also_source: dict[str, set[str]] = defaultdict(set)
        levels = {(d["family"], d["system"]): i for i, d in self.docs.items() if d["system"] in ("ose-int", "ose-ele")}
        for (fam, system), i in levels.items():
            if system == "ose-ele" and (fam, "ose-int") in levels:
                self.also_source[i].add(levels[(fam, "ose-int")])

    def same(self, a: str, b: str) -> bool:
        return self.canon.get(a, a) == self.canon.get(b, b)

    def stands_for(self, candidate: str, derived: str) -> bool:
        """Whether ``candidate`` is an acceptable source of ``derived``: its true source, a duplicate
        of it, or (OneStopEnglish ele) the int level."""
        source = self.edges[derived][0]
        return self.same(candidate, source) or candidate in self.also_source.get(derived, ())

    def true_edge_for(self, a: str, b: str) -> tuple[str, str] | None:
        """The true (source, derived) this pair stands for: the pair itself, or one whose source is a
        duplicate of ``a`` or ``b``."""
        if pair_key(a, b) in self.pairs:
            return self.pairs[pair_key(a, b)]
        for x, y in ((a, b), (b, a)):  # y derived, x a duplicate of its source (or ele's int level)
            edge = self.edges.get(y)
            if edge and edge[1] != "duplicate" and self.stands_for(x, y):
                return edge[0], y
        return None

    def family(self, doc_id: str) -> str:
        return self.docs[doc_id]["family"]


def score_pool(docs: list[dict], relations: list[dict], stats: dict) -> None:
    """Add one pool's counts to ``stats``."""
    truth = Truth(docs)
    genre = docs[0]["genre"] if docs else "?"
    best: dict[tuple[str, str], dict] = {}  # true (source, derived) -> best predicted relation
    predicted_pairs: dict[tuple[str, str], dict] = {}
    for rel in relations:
        a, b, kind = rel["source"], rel["derived"], rel["kind"]
        if a not in truth.docs or b not in truth.docs:
            stats["unknown_ids"] += 1
            continue
        key = pair_key(a, b)
        prev = predicted_pairs.get(key)
        if prev is None or (prev["kind"] == "same-story" and kind != "same-story"):
            predicted_pairs[key] = rel
        if kind == "same-story":
            continue
        true = truth.true_edge_for(a, b)
        if true is not None:
            if true not in best or rel.get("score", 0) > best[true].get("score", 0):
                best[true] = rel
            stats["predicted"]["tp"][kind] += 1
            stats["predicted_genre"]["tp"][genre] += 1
        elif truth.family(a) == truth.family(b):
            stats["related_edges"][kind] += 1
            _keep(stats, "related", "", _example(truth, rel, None), EXAMPLES)
        else:
            stats["predicted"]["fp"][kind] += 1
            stats["predicted_genre"]["fp"][genre] += 1
            stats["false_by_pair"][_pair_type(truth, a, b)] += 1
            _keep(stats, "false", kind, _example(truth, rel, None), EXAMPLES)
    for derived, (source, kind) in truth.edges.items():
        d = truth.docs[derived]
        groups = [("kind", kind), ("genre", genre), ("system", f"{kind}/{d['system']}"),
                  ("chain", "(edges from a derived document: chains)" if "chain" in (d["how"] or "")
                   else "(edges from an original)")]
        rel = best.get((source, derived))
        for group in groups:
            stats["recall"][group]["total"] += 1
        if rel is None:
            _keep(stats, "missed", f"{kind}/{d['system']}", {
                "source": source, "derived": derived, "kind": kind, "how": d["how"], "genre": genre,
                "words": [truth.docs[source]["words"], d["words"]],
                "partner_found": _partners(relations, derived)}, 3)
            stats["missed_went"][kind][_went(truth, relations, derived)] += 1
            continue
        right_dir = truth.stands_for(rel["source"], derived) and rel["derived"] == derived
        right_kind = rel["kind"] == kind
        stats["confusion"][kind][rel["kind"]] += 1
        for group in groups:
            stats["recall"][group]["found"] += 1
            stats["recall"][group]["direction"] += right_dir
            stats["recall"][group]["kind"] += right_kind
        if not right_dir:
            _keep(stats, "direction", f"{kind}/{d['system']}", _example(truth, rel, (source, derived)), 3)
        if not right_kind:
            _keep(stats, "kind", f"{kind} as {rel['kind']}", _example(truth, rel, (source, derived)), 3)
    # unrelated pairs: different families
    ids = sorted(truth.docs)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if truth.family(a) == truth.family(b):
                continue
            ptype = _pair_type(truth, a, b)
            rel = predicted_pairs.get((a, b))
            stats["unrelated"][ptype]["pairs"] += 1
            stats["unrelated"][ptype]["edge"] += rel is not None and rel["kind"] != "same-story"
            stats["unrelated"][ptype]["same-story"] += rel is not None and rel["kind"] == "same-story"


def _keep(stats: dict, name: str, key: str, example: dict, most: int) -> None:
    kept = stats["examples"][name].setdefault(key, [])
    stats["counts"][name][key] += 1
    if len(kept) < most:
        kept.append(example)


def _partners(relations: list[dict], doc_id: str) -> list[str]:
    """What the tracer related ``doc_id`` to instead (for a missed edge)."""
    return [f"{r['source']} -> {r['derived']} {r['kind']} {r.get('score', 0):.2f}" for r in relations
            if doc_id in (r["source"], r["derived"])][:3]


def _went(truth: Truth, relations: list[dict], derived: str) -> str:
    """Where the tracer hung a document whose true edge it missed."""
    parents = [r for r in relations if r["derived"] == derived and r["kind"] != "same-story"]
    if not parents:
        children = [r for r in relations if r["source"] == derived and r["kind"] != "same-story"]
        if any(truth.family(r["derived"]) == truth.family(derived) for r in children):
            return "made the source of a relative"
        if any(derived in (r["source"], r["derived"]) for r in relations):
            return "same-story only"
        return "no relation"
    parent = max(parents, key=lambda r: r.get("score", 0))["source"]
    if truth.family(parent) != truth.family(derived):
        return "under another family"
    true_source = truth.edges[derived][0]
    if parent in truth.edges and truth.stands_for(truth.edges[parent][0], derived) or \
            (parent in truth.edges and truth.same(truth.edges[parent][0], true_source)):
        return "under a sibling"
    node = parent
    while node in truth.edges:  # is the parent a descendant of the derived document?
        node = truth.edges[node][0]
        if node == derived:
            return "under its own descendant"
    return "under another relative"


def _pair_type(truth: Truth, a: str, b: str) -> str:
    roles = {truth.docs[a]["role"], truth.docs[b]["role"]}
    return "distractor pairs" if "distractor" in roles else "cross-family pairs"


def _example(truth: Truth, rel: dict, true: tuple[str, str] | None) -> dict:
    def describe(doc_id: str) -> str:
        d = truth.docs[doc_id]
        if d["role"] == "derived":
            return f"{d['kind']} of {d['source']} ({d['how']}; {d['words']} words)"
        return f"{d['role']} {d['corpus_id']} ({d['genre']}/{d['topic']}; {d['words']} words)"
    out = {"predicted": f"{rel['source']} -> {rel['derived']} {rel['kind']} {rel.get('score', 0):.2f}",
           "source_is": describe(rel["source"]), "derived_is": describe(rel["derived"]),
           # numbers only: the evidence's sentences quote corpus words, which stay out of the repository
           "evidence": {k: v for k, v in (rel.get("evidence") or {}).items() if isinstance(v, (int, float))}}
    if true:
        out["true"] = f"{true[0]} -> {true[1]} {truth.edges[true[1]][1]}"
    return out


def new_stats() -> dict:
    return {"predicted": {"tp": Counter(), "fp": Counter()}, "predicted_genre": {"tp": Counter(), "fp": Counter()},
            "recall": defaultdict(Counter), "confusion": defaultdict(Counter), "related_edges": Counter(),
            "missed_went": defaultdict(Counter),
            "unrelated": defaultdict(Counter), "false_by_pair": Counter(), "unknown_ids": 0, "errors": [],
            "examples": {"missed": {}, "false": {}, "kind": {}, "direction": {}, "related": {}},
            "counts": defaultdict(Counter)}


def run(pools: dict[str, list[dict]], spun_scores: bool, stats: dict | None, log=print) -> tuple[float, int]:
    """Trace every pool; score into ``stats`` (when given); return (seconds, documents)."""
    from detector.trace import trace_documents

    seconds, count = 0.0, 0
    for n, (name, docs) in enumerate(sorted(pools.items())):
        started = time.perf_counter()
        try:
            result = trace_documents([(d["id"], d["text"]) for d in docs], spun_scores=spun_scores).to_dict()
        except Exception as err:  # noqa: BLE001 (one failing pool is reported, not fatal)
            log(f"{name}: trace_documents failed: {type(err).__name__}: {err}")
            if stats is not None:
                stats["errors"].append(f"{name}: {type(err).__name__}: {err}")
            continue
        seconds += time.perf_counter() - started
        count += len(docs)
        if stats is not None:
            score_pool(docs, result["relations"], stats)
        if n % 10 == 0:
            log(f"  {name}: {len(docs)} documents, {len(result['relations'])} relations "
                f"({seconds:.0f}s so far, spun_scores={spun_scores})")
    return seconds, count


def _prf(tp: int, fp: int, total: int, found: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = found / total if total else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def report(stats: dict, timing: dict, seeds: list[dict], split: str, n_docs: int, n_pools: int) -> tuple[dict, str]:
    rec = stats["recall"]
    tp, fp = sum(stats["predicted"]["tp"].values()), sum(stats["predicted"]["fp"].values())
    total = sum(rec[("kind", k)]["total"] for k in KINDS)
    found = sum(rec[("kind", k)]["found"] for k in KINDS)
    p, r, f1 = _prf(tp, fp, total, found)
    nodup_found = sum(rec[("kind", k)]["found"] for k in KINDS if k != "duplicate")
    direction = sum(rec[("kind", k)]["direction"] for k in KINDS if k != "duplicate") / max(1, nodup_found)
    kind_acc = sum(rec[("kind", k)]["kind"] for k in KINDS) / max(1, found)
    unrel = stats["unrelated"]
    pairs = sum(c["pairs"] for c in unrel.values())
    no_edge = 1 - sum(c["edge"] for c in unrel.values()) / max(1, pairs)
    same_story = sum(c["same-story"] for c in unrel.values()) / max(1, pairs)
    headline = {"precision": p, "recall": r, "f1": f1, "direction": direction, "kind": kind_acc,
                "unrelated_no_edge": no_edge, "unrelated_same_story": same_story, "true_edges": total,
                "found": found, "false_edges": fp, "related_edges": sum(stats["related_edges"].values()),
                "unrelated_pairs": pairs}
    lines = [f"Split **{split}**: {n_pools} pools, {n_docs:,} documents, {total:,} true derived-from edges, "
             f"{pairs:,} unrelated same-corpus pairs. Families: `benchmarks/trace_families.py --split {split}` "
             f"(seed 0).", "",
             *([HELD_OUT_NOTE, ""] if split == "heldout" else []),
             "| measure | target | measured |", "|---|---|---|",
             f"| derived-from precision | | {_pct(p, 2)} ({tp:,} right, {fp:,} false edges) |",
             f"| derived-from recall | | {_pct(r, 2)} ({found:,} of {total:,}) |",
             f"| derived-from F1 | >= 0.95 | **{f1:.3f}** |",
             f"| direction (found pairs, duplicates apart) | >= 95% | **{_pct(direction, 2)}** |",
             f"| kind (found pairs) | >= 90% | **{_pct(kind_acc, 2)}** |",
             f"| unrelated pairs with no edge | >= 99% | **{_pct(no_edge, 2)}** |",
             f"| unrelated pairs labelled same-story | | {_pct(same_story, 2)} |",
             f"| edges between related, unscored pairs (siblings, grandparents) | | "
             f"{headline['related_edges']:,} |"]
    dup = rec[("kind", "duplicate")]
    if dup["found"]:
        share = _pct(dup["direction"] / dup["found"])
        lines.append(f"| duplicate direction (the copy has the reformatting) | | {share} |")
    for key, (secs, docs) in timing.items():
        if docs:
            lines.append(f"| time per 1,000 documents, {key} | | {1000 * secs / docs:.1f} s "
                         f"(pools of ~{docs / max(1, n_pools):.0f}) |")
    if stats["errors"]:
        lines.append(f"| pools where trace_documents failed | | {len(stats['errors'])} |")
    # by kind
    lines += ["", "### By kind (recall, direction and kind by true kind; precision by predicted kind: the share "
              "of edges so labelled that join a true pair)", "",
              "| kind | true edges | recall | precision | F1 | direction | kind right |",
              "|---|---|---|---|---|---|---|"]
    by_kind = {}
    for k in KINDS:
        c = rec[("kind", k)]
        kp, kr, kf = _prf(stats["predicted"]["tp"][k], stats["predicted"]["fp"][k], c["total"], c["found"])
        by_kind[k] = {"true": c["total"], "recall": kr, "precision": kp, "f1": kf,
                      "direction": c["direction"] / max(1, c["found"]), "kind": c["kind"] / max(1, c["found"])}
        predicted = stats["predicted"]["tp"][k] + stats["predicted"]["fp"][k]
        lines.append(f"| {k} | {c['total']} | {_pct(kr)} | {_pct(kp) if predicted else '-'} | {kf:.3f} | "
                     f"{_pct(by_kind[k]['direction'])} | {_pct(by_kind[k]['kind'])} |")
    ss = stats["predicted"]["fp"]["same-story"]
    if ss:
        lines.append(f"| (same-story) | | | | | | {ss} |")
    # by genre
    lines += ["", "### By genre", "", "| genre | true edges | recall | precision | F1 | direction | kind right |",
              "|---|---|---|---|---|---|---|"]
    by_genre = {}
    for g in sorted({g for (t, g) in rec if t == "genre"}):
        c = rec[("genre", g)]
        predicted = stats["predicted_genre"]["tp"][g] + stats["predicted_genre"]["fp"][g]
        gp, gr, gf = _prf(stats["predicted_genre"]["tp"][g], stats["predicted_genre"]["fp"][g], c["total"], c["found"])
        by_genre[g] = {"true": c["total"], "recall": gr, "precision": gp, "f1": gf,
                       "direction": c["direction"] / max(1, c["found"]), "kind": c["kind"] / max(1, c["found"])}
        lines.append(f"| {g} | {c['total']} | {_pct(gr)} | {_pct(gp) if predicted else '-'} | {gf:.3f} | "
                     f"{_pct(by_genre[g]['direction'])} | {_pct(by_genre[g]['kind'])} |")
    # by system
    lines += ["", "### By system (spinner, translation system, rewrite source; chains apart)", "",
              "| kind/system | true edges | recall | direction | kind right |", "|---|---|---|---|---|"]
    by_system = {}
    for _, s in sorted(k for k in rec if k[0] in ("system", "chain")):
        c = rec[("system", s)] if ("system", s) in rec else rec[("chain", s)]
        by_system[s] = {"true": c["total"], "recall": c["found"] / max(1, c["total"]),
                        "direction": c["direction"] / max(1, c["found"]), "kind": c["kind"] / max(1, c["found"])}
        lines.append(f"| {s} | {c['total']} | {_pct(by_system[s]['recall'])} | "
                     f"{_pct(by_system[s]['direction'])} | {_pct(by_system[s]['kind'])} |")
    # confusion
    lines += ["", "### Kind confusion (found true pairs: rows true, columns predicted)", "",
              "| true \\ predicted | " + " | ".join(ALL_KINDS) + " |", "|---" * (len(ALL_KINDS) + 1) + "|"]
    for k in KINDS:
        lines.append(f"| {k} | " + " | ".join(str(stats["confusion"][k][p2]) for p2 in ALL_KINDS) + " |")
    # missed edges
    places = sorted({w for c in stats["missed_went"].values() for w in c})
    if places:
        lines += ["", "### Missed edges: where the tracer put the derived document instead", "",
                  "| true kind | " + " | ".join(places) + " |", "|---" * (len(places) + 1) + "|"]
        for k in KINDS:
            if stats["missed_went"][k]:
                lines.append(f"| {k} | " + " | ".join(str(stats["missed_went"][k][w]) for w in places) + " |")
    # unrelated
    lines += ["", "### Unrelated same-corpus pairs", "", "| pairs | count | no edge | same-story |",
              "|---|---|---|---|"]
    for t, c in sorted(unrel.items()):
        lines.append(f"| {t} | {c['pairs']:,} | {_pct(1 - c['edge'] / max(1, c['pairs']))} | "
                     f"{_pct(c['same-story'] / max(1, c['pairs']))} |")
    # seeds
    lines += ["", "### Seeds (`seeds/`, all five traced together)", "",
              "| source | derived | kind | score | target |", "|---|---|---|---|---|"]
    for s in seeds:
        lines.append(f"| {s['source']} | {s['derived']} | {s['kind']} | {s['score']:.2f} | {s['target']} |")
    for t in seed_target_lines(seeds):
        lines.append(f"| | | | | {t} |")
    results = {"split": split, "pools": n_pools, "documents": n_docs, "targets": TARGETS, "headline": headline,
               "by_kind": by_kind, "by_genre": by_genre, "by_system": by_system,
               "confusion": {k: dict(v) for k, v in stats["confusion"].items()},
               "related_edges": dict(stats["related_edges"]),
               "missed_went": {k: dict(v) for k, v in stats["missed_went"].items()},
               "unrelated": {k: dict(v) for k, v in unrel.items()},
               "timing": {k: {"seconds": s, "documents": d, "per_1000": 1000 * s / max(1, d)}
                          for k, (s, d) in timing.items()},
               "seeds": seeds, "errors": stats["errors"], "examples": stats["examples"],
               "example_counts": {k: dict(v) for k, v in stats["counts"].items()}}
    return results, "\n".join(lines)


def seed_relations(seeds_dir: Path) -> list[dict]:
    from detector.trace import trace_documents

    files = sorted(seeds_dir.glob("*.txt"))
    result = trace_documents([(f.name[:3], f.read_text(encoding="utf-8")) for f in files]).to_dict()
    out = []
    for rel in result["relations"]:
        want = SEED_TARGETS.get((rel["source"], rel["derived"])) or SEED_TARGETS.get((rel["derived"], rel["source"]))
        if want:
            ok = rel["kind"] in want and (rel["source"], rel["derived"]) in SEED_TARGETS
            target = f"{' or '.join(want)} of {rel['source'] if ok else '001'}: {'met' if ok else 'NOT met'}"
        elif "004" in (rel["source"], rel["derived"]):
            target = f"004 same-story, not derived: {'met' if rel['kind'] == 'same-story' else 'NOT met'}"
        else:
            target = "(no target)"
        evidence = {k: v for k, v in (rel.get("evidence") or {}).items() if not isinstance(v, (list, dict))}
        out.append({"source": rel["source"], "derived": rel["derived"], "kind": rel["kind"],
                    "score": float(rel.get("score", 0)), "target": target, "evidence": evidence})
    return out


def seed_target_lines(seeds: list[dict]) -> list[str]:
    found = {(s["source"], s["derived"]): s["kind"] for s in seeds}
    lines = []
    for (src, der), want in SEED_TARGETS.items():
        if (src, der) not in found and (der, src) not in found:
            lines.append(f"{der} {' or '.join(want)} of {src}: NOT met (no relation)")
    if not any("004" in (s["source"], s["derived"]) for s in seeds):
        lines.append("004 same-story: no relation at all (not derived: met; same-story: not shown)")
    return lines


def print_examples(stats: dict) -> None:
    for name, by_key in stats["examples"].items():
        for key, examples in sorted(by_key.items()):
            print(f"\n{name} {key} ({stats['counts'][name][key]}; {len(examples)} shown):")
            for e in examples:
                print("  ", json.dumps(e, ensure_ascii=False)[:700])


def main(argv: list[str] | None = None) -> int:
    import trace_families

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("train", "heldout"), default="heldout")
    parser.add_argument("--families", type=Path, default=None,
                        help="families JSONL (default /work/scratch/trace/SPLIT.jsonl, generated when absent)")
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--pools", type=int, default=0, help="only the first N pools (0: all)")
    parser.add_argument("--no-timing", action="store_true", help="skip the second run without spun scores")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write results/")
    args = parser.parse_args(argv)
    path = args.families or trace_families.OUT_DIR / f"{args.split}.jsonl"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        if trace_families.main(["--split", args.split, "--out", str(path), "--corpus", str(args.corpus)]):
            return 2
    try:
        import detector.trace  # noqa: F401
    except ImportError as err:
        print(f"detector.trace is not available here: {err}", file=sys.stderr)
        return 2
    pools = load(path)
    if args.pools:
        pools = dict(sorted(pools.items())[: args.pools])
    n_docs = sum(len(d) for d in pools.values())
    stats = new_stats()

    def log(m: str) -> None:
        print(m, file=sys.stderr)
    timing = {"with spun scores": run(pools, True, stats, log)}
    if not args.no_timing:
        timing["spun_scores=False"] = run(pools, False, None, log)
    seeds = seed_relations(ROOT / "seeds")
    results, table = report(stats, timing, seeds, args.split, n_docs, len(pools))
    print(table)
    print_examples(stats)
    if not args.no_write:
        write_results("trace" if args.split == "heldout" and not args.pools else f"trace-{args.split}"
                      + (f"-{args.pools}pools" if args.pools else ""), results, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
