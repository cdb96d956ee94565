"""Trace direction by the neural model's preference, against today's evidence, on true pairs.

    python benchmarks/trace_neural.py                 # writes results/trace_neural.{json,md}
    python benchmarks/trace_neural.py --per-corpus 2  # a smoke run

"The version whose wording the model prefers is the likelier source": for pairs whose source is
known, is that so, kind by kind? Pairs (held-out text only):

* ``spun-copy``: ``--per-corpus`` documents of each held-out corpus (OneStopEnglish adv, GUM, PLOS,
  Stack Exchange, Reuters TEST), cut at 300 words, each spun at 0.1 by one spinner in turn (the
  five training spinners and the two held out);
* ``rewrite``: OneStopEnglish's human rewrites, the ``adv`` text as the source of its ``int`` and
  ``ele`` levels (first 300 words of each).

Direction is right when the evidence points to the true source: ``trace`` (what
:func:`detector.trace.relate.classify` decides today, the trace model or rules), ``ngram fluency``
(the sign of ``Comparison.fluency``, the broad trigram model) and ``neural fluency``
(:func:`detector.trace.neural_direction.neural_fluency`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from common import write_results
from repair import SPINNERS, spin_config

from detector.detection.corpora import HELD_OUT, cut_at_paragraph, default_root, held_out_documents
from detector.spinner.spinner import Spinner
from detector.trace.facts import profile
from detector.trace.neural_direction import neural_fluency
from detector.trace.relate import classify, compare


def pairs(root: Path, per_corpus: int, rewrites: int) -> list[tuple[str, str, str, str]]:
    """(kind, detail, source text, derived text)."""
    rng = random.Random(0)
    out = []
    k = 0
    for name in HELD_OUT:
        for doc in rng.sample(held_out_documents(root, name), per_corpus):
            text = cut_at_paragraph(doc.text, 300)
            spinner = SPINNERS[k % len(SPINNERS)]
            spun = Spinner(spin_config(spinner, 0.1, seed=5)).spin(text, seed=k)
            k += 1
            if spun.substitutions:
                out.append(("spun-copy", spinner, text, spun.text))
    levels: dict[str, dict[str, str]] = {}
    with (root / "onestopenglish" / "onestopenglish.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            level, _, topic = r["id"][4:].partition("-")
            levels.setdefault(topic, {})[level] = r["text"]
    topics = sorted(t for t, v in levels.items() if {"adv", "int", "ele"} <= set(v))
    for topic in rng.sample(topics, min(rewrites, len(topics))):
        first = " ".join(levels[topic]["adv"].split(" ")[:300])
        for level in ("int", "ele"):
            out.append(("rewrite", f"ose-{level}", first, " ".join(levels[topic][level].split(" ")[:300])))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--per-corpus", type=int, default=8)
    parser.add_argument("--rewrites", type=int, default=20)
    args = parser.parse_args()
    from detector.neural.reading import language_model

    found = pairs(args.corpus, args.per_corpus, args.rewrites)
    start = time.perf_counter()
    comparisons = [compare(profile("source", s), profile("derived", d)) for _, _, s, d in found]
    neural = neural_fluency(language_model(), comparisons)
    rows: dict[str, dict[str, int]] = {}
    for (kind, detail, _, _), c, n in zip(found, comparisons, neural):
        relation, with_neural = classify(c), classify(c, neural=n)
        for key in (kind, f"{kind} / {detail}"):
            r = rows.setdefault(key, {"pairs": 0, "trace": 0, "related": 0, "ngram": 0, "neural": 0,
                                      "trace_neural": 0, "kind": 0})
            r["pairs"] += 1
            r["related"] += relation is not None
            r["kind"] += relation is not None and relation.kind == kind
            r["trace"] += relation is not None and relation.source == "source"
            r["trace_neural"] += with_neural is not None and with_neural.source == "source"
            r["ngram"] += c.fluency > 0
            r["neural"] += n is not None and n > 0
    seconds = time.perf_counter() - start
    lines = ["Direction on true pairs of held-out text (source known): the share where each piece of evidence "
             "points to the true source. *trace*: `classify` today (a pair it does not relate counts as wrong); "
             "*ngram fluency*: the broad trigram model's preference where the two differ (`Comparison.fluency`); "
             "*neural fluency*: the neural model's, each changed place read in its sentence "
             "(`detector/trace/neural_direction.py`); *trace with neural*: `classify(c, neural=...)`, where the "
             "neural preference decides a spun copy's direction from 0.5 nats per place.", "",
             "| kind | pairs | related by trace | kind right | trace direction | ngram fluency | neural fluency | "
             "trace with neural |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key in sorted(rows, key=lambda k: (k.split(" / ")[0], " / " in k, k)):
        r = rows[key]
        n = r["pairs"]
        label = f"**{key}**" if " / " not in key else key
        lines.append(f"| {label} | {n} | {r['related'] / n:.0%} | {r['kind'] / n:.0%} | {r['trace'] / n:.1%} | "
                     f"{r['ngram'] / n:.1%} | {r['neural'] / n:.1%} | {r['trace_neural'] / n:.1%} |")
    lines += ["", f"Neural reading and comparison: {seconds:.0f} s for {len(found)} pairs (one core, shared machine)."]
    write_results("trace_neural", {"rows": rows, "seconds": round(seconds)}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
