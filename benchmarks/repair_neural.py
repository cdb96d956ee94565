"""Repair and suggestions with and without the neural candidates, side by side on one sample.

    python benchmarks/repair_neural.py                    # writes results/repair_neural.{json,md}
    python benchmarks/repair_neural.py --per-corpus 2     # a smoke run (written, marked as such)

The same measures as ``benchmarks/repair.py`` (whose full n-gram run stays in ``results/repair.md``),
on a sample small enough for the neural model on a laptop core: ``--per-corpus`` documents of each
held-out corpus (never trained on, never used to calibrate: OneStopEnglish adv, GUM, PLOS, Stack
Exchange, Reuters TEST), cut at ``--words`` words, spun at 0.1 by every spinner (the five
training spinners and the two held out, distributional and GloVe), and each run twice: with the
n-gram stage's suggestions (``Scorer(reread=False)``) and with the sentence re-read by the neural
model (:mod:`detector.detection.rereading`, ``Scorer(reread=True)``). Measured:

* suggestions on the shown spans (judged by :func:`detector.detection.suggestions.judge`): the
  share of shown suggestions exactly the original, and the share of true shown spans with one;
* exact restoration without a reference, per spinner (held-out spinners apart);
* single sentences (one swap each, repaired on their own);
* clean documents repaired: words changed per genre (``--clean-per-corpus`` documents each);
* seed 000 repaired with 001 as reference: the share of paragraph 11's original words restored.
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
import time
from pathlib import Path

from common import ROOT, write_results
from repair import HELD_OUT_SPINNERS, SPINNERS, add, compare, one_swap, spin_config, suggestion_counts

from detector.detection.corpora import HELD_OUT, cut_at_paragraph, default_root, held_out_documents
from detector.detection.scoring import Scorer
from detector.repair.align import sentence_spans
from detector.repair.repair import repair
from detector.spinner.spinner import Spinner

RATE = 0.1
MODES = ("ngram", "neural")


# Seed 000's paragraph 11 was rewritten by the correction its note describes, so 001 (the story before it)
# has no counterpart. Its unspun wording: the note's "foreign phone number", the second sentence as in 001,
# and the plain words the spinner's phrases stand for elsewhere in the seed ("Whereas" for "While",
# "reminiscent of" for "such as", "normally" for "usually", "worldwide variations" for "international versions").
PARAGRAPH_11 = ("While many Chinese social media platforms such as Weibo (NASDAQ:) allow foreign phone numbers to "
                "register, they usually restrict such users to the international versions. ByteDance restricts TikTok "
                "to foreign users and runs a separate version for mainland Chinese residents called Douyin.")


def paragraph_11(scorer: Scorer) -> dict:
    """Seed 000 repaired with 001 as reference: paragraph 11 against its unspun wording."""
    spun = (ROOT / "seeds" / "000_306ce13da61d699f.txt").read_text(encoding="utf-8")
    original = (ROOT / "seeds" / "001_a4410474596b79a4.txt").read_text(encoding="utf-8")
    fixed = repair(spun, reference=original, scorer=scorer)
    got = next((p for p in fixed.text.split("\n") if "to register" in p), "")
    want = PARAGRAPH_11
    a, b = re.findall(r"\w+", want.lower()), re.findall(r"\w+", got.lower())
    same = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    changed = [c for c in fixed.changes if c.source != "reference" and spun.find("Whereas many") <= c.start
               < spun.find("\n", spun.find("Whereas many"))]
    return {"share_of_original_words": round(same / max(len(a), 1), 4), "paragraph": got.strip()[:220],
            "model_changes_there": [f"{c.before!r} -> {c.after!r} ({c.source}: {c.why})" for c in changed],
            "left_there": [f"{x.text!r}: {x.why}" for x in fixed.left
                           if spun.find("Whereas many") <= x.start < spun.find("\n", spun.find("Whereas many"))]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--per-corpus", type=int, default=6)
    parser.add_argument("--clean-per-corpus", type=int, default=20)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--sentences", type=int, default=140)
    args = parser.parse_args()
    rng = random.Random(0)
    docs, clean_docs = [], []
    for name in HELD_OUT:
        found = held_out_documents(args.corpus, name)
        picked = rng.sample(found, min(args.per_corpus + args.clean_per_corpus, len(found)))
        docs += picked[: args.per_corpus]
        clean_docs += picked[args.per_corpus :]
    texts = [(cut_at_paragraph(d.text, args.words), d.genre.split("/")[0]) for d in docs]
    clean = [(cut_at_paragraph(d.text, 800), d.genre.split("/")[0]) for d in clean_docs]
    sentences = []
    for text, genre in texts:
        for a, b in sentence_spans(text):
            s = text[a:b].strip()
            if 8 <= len(s.split()) <= 40 and s[-1:] in ".!?\"'":
                sentences.append((s, genre))
    sentences = random.Random(1).sample(sentences, min(args.sentences, len(sentences)))
    scorers = {"ngram": Scorer(reread=False), "neural": Scorer(reread=True)}
    results: dict = {"sample": {"documents": len(texts), "words_cut_at": args.words, "rate": RATE,
                                "clean_documents": len(clean), "sentences": len(sentences)}}
    start = time.perf_counter()
    for mode in MODES:
        scorer = scorers[mode]
        out: dict = {"spinners": {}, "suggestions": {}, "clean": {}, "sentences": {}}
        for name in SPINNERS:
            spinner = Spinner(spin_config(name, RATE, seed=3))
            for i, (text, _genre) in enumerate(texts):
                spun = spinner.spin(text, seed=i)
                if not spun.substitutions:
                    continue
                scored = scorer.score(spun.text)
                fixed = repair(spun.text, scorer=scorer, scored=scored)
                add(out["spinners"].setdefault(name, {}), compare(text, spun, fixed.text))
                add(out["suggestions"].setdefault(name, {}), suggestion_counts(scored, spun))
            print(f"{mode} {name} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        for k, (sentence, _genre) in enumerate(sentences):
            name = SPINNERS[k % len(SPINNERS)]
            swapped = one_swap(sentence, Spinner(spin_config(name, 0.3, seed=11)), seed=k)
            if swapped is None:
                continue
            group = "held-out" if name in HELD_OUT_SPINNERS else "trained"
            add(out["sentences"].setdefault(group, {}), compare(sentence, swapped, repair(swapped.text,
                                                                                           scorer=scorer).text))
            add(out["sentences"].setdefault("clean", {}), compare(sentence, None, repair(sentence, scorer=scorer).text))
        print(f"{mode} sentences ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        for text, genre in clean:
            add(out["clean"].setdefault(genre, {}), compare(text, None, repair(text, scorer=scorer).text))
        print(f"{mode} clean ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        out["paragraph_11"] = paragraph_11(scorer)
        out["seconds"] = round(time.perf_counter() - start)
        results[mode] = out
    write_results("repair_neural", results, render(results))
    return 0


def _share(a: float, b: float) -> str:
    return f"{a / b:.1%}" if b else "n/a"


def render(results: dict) -> str:
    sample = results["sample"]
    lines = [f"Sample: {sample['documents']} held-out documents (OneStopEnglish adv, GUM, PLOS, Stack Exchange, "
             f"Reuters TEST; cut at {sample['words_cut_at']} words) spun at {sample['rate']} by every spinner; "
             f"{sample['sentences']} single sentences; {sample['clean_documents']} clean documents (cut at 800 words). "
             "Without a reference. *ngram*: the n-gram stage's suggestions (as `benchmarks/repair.py`); *neural*: "
             "each shown span's sentence re-read by the neural model (`detector/detection/rereading.py`).", "",
             "Suggestions on shown spans, and exact restoration without a reference:", "",
             "| spinner | mode | shown spans | true spans | suggestions shown | exactly the original | true spans "
             "with a suggestion | substitutions | restored exactly | untouched words changed |", "|" + " --- |" * 10]
    pools = {"trained spinners": [s for s in SPINNERS if s not in HELD_OUT_SPINNERS],
             "held-out spinners": list(HELD_OUT_SPINNERS), "all spinners": list(SPINNERS)}
    summary = {}
    for name in [*SPINNERS, *pools]:
        for mode in MODES:
            names = pools.get(name, [name])
            s, r = {}, {}
            for n in names:
                add(s, results[mode]["suggestions"].get(n, {}))
                add(r, results[mode]["spinners"].get(n, {}))
            label = f"**{name}**" if name in pools else (f"{name} (held out)" if name in HELD_OUT_SPINNERS else name)
            lines.append(f"| {label} | {mode} | {s.get('shown', 0)} | {s.get('true', 0)} | {s.get('suggestions', 0)} | "
                         f"{_share(s.get('right', 0), s.get('suggestions', 0))} | "
                         f"{_share(s.get('true_suggested', 0), s.get('true', 0))} | {r.get('subs', 0)} | "
                         f"{_share(r.get('restored', 0), r.get('subs', 0))} | {r.get('changed', 0)} of "
                         f"{r.get('untouched', 0)} |")
            if name in pools:
                summary[f"{mode}|{name}"] = {"accuracy": s.get("right", 0) / max(s.get("suggestions", 0), 1),
                                             "coverage": s.get("true_suggested", 0) / max(s.get("true", 0), 1),
                                             "restored": r.get("restored", 0) / max(r.get("subs", 0), 1)}
    results["summary"] = summary
    lines += ["", "Single sentences (one swap each, repaired on their own), and the same sentences unspun:", "",
              "| swaps by | mode | swaps | restored exactly | untouched words changed |", "|" + " --- |" * 5]
    for group in ("trained", "held-out", "clean"):
        for mode in MODES:
            r = results[mode]["sentences"].get(group, {})
            lines.append(f"| {group} | {mode} | {r.get('subs', 0)} | "
                         f"{_share(r.get('restored', 0), r.get('subs', 0))} | "
                         f"{r.get('changed', 0)} of {r.get('untouched', 0)} |")
    for mode in MODES:
        tr, ho = results[mode]["sentences"].get("trained", {}), results[mode]["sentences"].get("held-out", {})
        subs = tr.get("subs", 0) + ho.get("subs", 0)
        lines.append(f"| **all swaps** | {mode} | {subs} | "
                     f"{_share(tr.get('restored', 0) + ho.get('restored', 0), subs)} | |")
    lines += ["", "Clean documents repaired (words changed; target at most 0.05% in every held-out genre):", "",
              "| corpus | mode | words | words changed |", "| --- | --- | --- | --- |"]
    for genre in sorted(results["ngram"]["clean"]):
        for mode in MODES:
            r = results[mode]["clean"].get(genre, {})
            lines.append(f"| {genre} | {mode} | {r.get('untouched', 0)} | {r.get('changed', 0)} "
                         f"({r.get('changed', 0) / max(r.get('untouched', 0), 1):.3%}) |")
    lines += ["", "Seed 000 repaired with 001 as reference, paragraph 11 (share of the original paragraph's words "
              "in place; target 0.85):", ""]
    for mode in MODES:
        p = results[mode]["paragraph_11"]
        lines.append(f"- {mode}: {p['share_of_original_words']:.2f}: {p['paragraph']!r}")
        for c in p["model_changes_there"]:
            lines.append(f"  - changed {c}")
        for x in p["left_there"]:
            lines.append(f"  - left {x}")
    lines += ["", f"Time: n-gram {results['ngram']['seconds']} s, both {results['neural']['seconds']} s "
              "(one core, shared machine)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
