"""Batch-learning benchmark: lightly spun documents of one spinner, caught and repaired with and without
the swaps learned across their batch.

    python benchmarks/batch_learning.py --corpus ../shared/corpus   # writes results/batch_learning.{json,md}
    python benchmarks/batch_learning.py --quick                     # fewer documents; not written

From another benchmark: ``from batch_learning import run, render``; ``run(corpus_root)`` returns the
figures as a dict, ``render(figures)`` the Markdown table.

The *batch set* (issue 18, item 5; issue 19, item 3). Two spinners, each a fixed dictionary as real
spinners are:

* ``fixed-wordnet``: one WordNet synonym per word, picked once with a fixed seed
  (:func:`fixed_thesaurus`, written to ``results/fixed-wordnet-thesaurus.tsv``): the same word is
  always replaced by the same synonym;
* ``glove``: GloVe nearest neighbours (``benchmarks/heldout_spinner.py``), a spinner the model was
  never trained on (its five alternatives a word are picked at random per site).

Documents: held-out genres only (OneStopEnglish ``adv``, GUM, Stack Exchange, Reuters ``TEST``;
none read by training), at least 80 words, cut at 800; each spinner gets its own documents. Each
spinner's batch holds ``light`` documents spun at 1, 2 or 3% of words (the measured positives) and
as many untouched ones (the negatives), in two settings:

* ``light only``: just those; the first pass must find its teachers among the lightly spun ones;
* ``with heavier copies``: plus ``teachers`` other documents by the same spinner at 5, 10 or 15%
  (a batch where some copies were spun harder; they teach but are not counted).

Reported per spinner and setting, with batch learning off and on (:mod:`detector.detection.batch_learning`,
defaults; the same code as ``detector score`` over many files and ``detector clean``): TPR of the
light documents and FPR of the untouched ones at the model's default threshold (and, for context,
at 0.9 and 0.5); the swaps learned (and how many are the spinner's own); and repair without a
reference (``detector clean --repair``: the first pass's suggestions, then the learned swaps) as the
share of the light documents' substitutions restored exactly and the share of the untouched documents'
words changed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from common import RESULTS, write_results

from detector.detection.batch_learning import BatchLearner, apply_swaps, swaps_to_dictionary
from detector.detection.corpora import cut_at_paragraph, default_root, held_out_documents
from detector.detection.scoring import Scorer
from detector.repair.repair import repair
from detector.spinner.spinner import SpinConfig, Spinner

CORPORA = {"onestopenglish": 150, "gum": 150, "stackexchange": 450, "reuters-test": 450}
LIGHT_RATES = (0.01, 0.02, 0.03)
TEACHER_RATES = (0.05, 0.1, 0.15)
MAX_WORDS = 800
FIXED = RESULTS / "fixed-wordnet-thesaurus.tsv"
BATCH = 64


def fixed_thesaurus(path: Path = FIXED, words: int = 15_000, seed: int = 7) -> Path:
    """One WordNet synonym (a single common word) for each of the most frequent base-form words."""
    import re

    from detector.lexicon.lexicon import get_lexicon
    from detector.lexicon.morphology import analyze
    from detector.lexicon.thesaurus import STOPWORDS, WordNetThesaurus

    lex = get_lexicon()
    table = lex.frequency_table
    ranked = sorted((w for w in table if re.fullmatch(r"[a-z]{3,}", w) and w not in STOPWORDS),
                    key=lambda w: -table[w])[:words]
    wordnet = WordNetThesaurus(lex)
    rng = random.Random(seed)
    lines = [f"# One fixed WordNet synonym a word (seed {seed}), built by benchmarks/batch_learning.py; "
             "not used in training"]
    for word in ranked:
        if any(r.tag != "base" for r in analyze(word, lex)):
            continue  # inflected forms find their lemma's entry
        alts = [a for a in wordnet.alternatives(word) if " " not in a and "-" not in a and lex.zipf(a) >= 2.5]
        if alts:
            lines.append(f"{word}\t{rng.choice(alts)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def spinner_path(name: str) -> Path:
    if name == "fixed-wordnet":
        return FIXED if FIXED.exists() else fixed_thesaurus()
    from heldout_spinner import GLOVE_OUT, build_glove

    return GLOVE_OUT if GLOVE_OUT.exists() else build_glove()


def cut(text: str) -> str:
    return cut_at_paragraph(text, MAX_WORDS)


def documents(root: Path, scale: float, seed: int) -> list[str]:
    texts = []
    for name, cap in CORPORA.items():
        docs = [d for d in held_out_documents(root, name) if len(d.text.split()) >= 80]
        random.Random(seed).shuffle(docs)
        texts += [cut(d.text) for d in docs[: int(cap * scale)]]
    random.Random(seed + 1).shuffle(texts)
    return texts


def compare(original: str, spun, repaired: str) -> dict:
    from repair import compare as repair_compare

    return repair_compare(original, spun, repaired)


def score_all(scorer: Scorer, texts: list[str]) -> list:
    out = []
    for first in range(0, len(texts), BATCH):
        out += scorer.score_many(texts[first : first + BATCH], keep_tokens=True)
    return out


def run_setting(scorer: Scorer, light: list, clean: list[str], teachers: list) -> dict:
    """Both passes over one batch; figures on the light and clean documents."""
    texts = [s.text for s in light] + clean + [s.text for s in teachers]
    n_light, n_clean = len(light), len(clean)
    started = time.perf_counter()
    first = score_all(scorer, texts)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    learner = BatchLearner(scorer)
    learner.observe(first)
    swaps = learner.swaps()
    second, stats = apply_swaps(scorer, first, swaps)
    learn_seconds = time.perf_counter() - started
    truth = {(sub.replacement.lower(), sub.original.lower()) for s in [*light, *teachers] for sub in s.substitutions}
    out = {"documents": {"light": n_light, "clean": n_clean, "teachers": len(teachers)},
           "teaching_documents": learner.teaching_documents, "swaps_learned": len(swaps),
           "swaps_of_the_spinner": sum((s.spun, s.original) in truth for s in swaps),
           "top_swaps": [s.to_dict() | {"spinner's": (s.spun, s.original) in truth} for s in swaps[:15]],
           "second_pass": stats, "seconds": {"first_pass": round(first_seconds, 1),
                                             "learn_and_second_pass": round(learn_seconds, 1)}}
    rates = np.array([s.config.rate for s in light])
    for label, results in (("without", first), ("with", second)):
        scores = np.array([r.score for r in results])
        light_scores, clean_scores = scores[:n_light], scores[n_light : n_light + n_clean]
        part = {}
        for name, cut_at in (("default", scorer.threshold), ("0.9", 0.9), ("0.5", 0.5)):
            part[f"tpr_{name}"] = round(float((light_scores >= cut_at).mean()), 4)
            part[f"fpr_{name}"] = round(float((clean_scores >= cut_at).mean()), 4)
        part["tpr_default_by_rate"] = {str(r): round(float((light_scores[rates == r] >= scorer.threshold).mean()), 4)
                                       for r in LIGHT_RATES if (rates == r).any()}
        out[label] = part
    # repair without a reference, as detector clean --repair does it
    dictionary = swaps_to_dictionary(swaps)
    for label, results, learned in (("without", first, None), ("with", second, dictionary)):
        totals = {"subs": 0, "restored": 0, "clean_words": 0, "clean_changed": 0, "learned_changes": 0}
        for k in range(n_light + n_clean):
            text = texts[k]
            fixed = repair(text, scorer=scorer, scored=results[k], learned=learned)
            totals["learned_changes"] += sum(c.source == "learned" for c in fixed.changes)
            if k < n_light:
                got = compare(light[k].original, light[k], fixed.text)
                totals["subs"] += got["subs"]
                totals["restored"] += got["restored"]
            else:
                got = compare(text, None, fixed.text)
                totals["clean_words"] += got["untouched"]
                totals["clean_changed"] += got["changed"]
        out[label]["restored"] = round(totals["restored"] / max(totals["subs"], 1), 4)
        out[label]["clean_words_changed"] = round(totals["clean_changed"] / max(totals["clean_words"], 1), 5)
        out[label]["repair_counts"] = totals
    return out


def run(root: Path, scale: float = 1.0, seed: int = 0, scorer: Scorer | None = None) -> dict:
    """The batch set's figures (see the module docstring); ``scale`` shrinks the document counts."""
    started = time.perf_counter()
    pool = documents(root, scale, seed)
    scorer = scorer or Scorer()
    spinners = ("fixed-wordnet", "glove")
    per = len(pool) // len(spinners)
    results: dict = {"threshold": scorer.threshold, "model": scorer.model.label, "spinners": {}}
    rng = random.Random(seed)
    for k, name in enumerate(spinners):
        docs = pool[k * per : (k + 1) * per]
        n = (len(docs) * 2) // 5  # light, clean: two fifths each; teachers: one fifth
        thesaurus = Spinner(SpinConfig(thesaurus=str(spinner_path(name)))).thesaurus

        def spin(text: str, rates: tuple[float, ...], thesaurus=thesaurus):
            config = SpinConfig(rate=rng.choice(rates), seed=rng.randrange(1 << 30), thesaurus=thesaurus.name)
            return Spinner(config, thesaurus=thesaurus).spin(text)

        light = [s for s in (spin(t, LIGHT_RATES) for t in docs[:n]) if s.substitutions]
        clean = docs[n : 2 * n]
        teachers = [spin(t, TEACHER_RATES) for t in docs[2 * n :]]
        results["spinners"][name] = {"light only": run_setting(scorer, light, clean, []),
                                     "with heavier copies": run_setting(scorer, light, clean, teachers)}
        print(f"{name}: done at {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--quick", action="store_true", help="a third of the documents; nothing written")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = run(args.corpus, 1 / 3 if args.quick else 1.0, args.seed)
    table = render(results)
    print(table)
    if not args.quick:
        write_results("batch_learning", results, table)


def render(results: dict) -> str:
    lines = [f"Model {results['model']}, default threshold {results['threshold']:.4f}. Light documents spun at "
             "1-3% of words, untouched ones from the same held-out genres; TPR/FPR at the default threshold "
             "(at 0.9 in brackets); restored = share of the light documents' substitutions restored exactly by "
             "repair without a reference; clean changed = share of the untouched documents' words changed.", "",
             "| spinner | batch | docs (light/clean/teachers) | swaps learned (spinner's) | TPR off -> on | "
             "FPR off -> on | restored off -> on | clean changed off -> on |",
             "|---|---|---|---|---|---|---|---|"]
    for name, settings in results["spinners"].items():
        for setting, r in settings.items():
            d, off, on = r["documents"], r["without"], r["with"]
            lines.append(
                f"| {name} | {setting} | {d['light']}/{d['clean']}/{d['teachers']} | {r['swaps_learned']} "
                f"({r['swaps_of_the_spinner']}) | {off['tpr_default']:.3f} ({off['tpr_0.9']:.3f}) -> "
                f"{on['tpr_default']:.3f} ({on['tpr_0.9']:.3f}) | {off['fpr_default']:.3f} ({off['fpr_0.9']:.3f}) -> "
                f"{on['fpr_default']:.3f} ({on['fpr_0.9']:.3f}) | {off['restored']:.3f} -> {on['restored']:.3f} | "
                f"{off['clean_words_changed']:.5f} -> {on['clean_words_changed']:.5f} |")
    lines += ["", "Batch learning learns only from documents the first pass calls spun at the default threshold. "
              "Documents spun at 1-3% almost never are, so a batch of light copies alone teaches nothing; "
              "heavier-spun copies by the same spinner teach its pairs. A spinner that picks one of several "
              "alternatives at random (glove) repeats few pairs, and the first pass rarely suggests their "
              "originals, so little is learned from it. 'spinner's' counts learned pairs that are exactly a "
              "(replacement, original) pair the spinner made in the batch.",
              "", f"Whole run {results['seconds']} s."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
