"""Machine-translation damage benchmark: round-trip detection at sentence and document level, per
pivot language, on held-out sources; the seeds' damage scores; false alarms on clean news.

    python benchmarks/mt_damage.py

Sentence level: the held-out split of the round-trip model (20% of the HWU64 sources, by source
sentence, so that no source or any of its round trips was trained on); positives are the round
trips that differ from their source beyond case and final punctuation. Both sides are lower-cased
and stripped of final punctuation first, so capitalisation cannot give the answer away (the
HWU64 sources are lower case, the round trips are not).

Document level: 400 "documents" of 12 held-out sentences each, written as sentences of prose
(capitalised, with a full stop): sources against the same sources' round trips through one pivot.

News: the share of clean Reuters TEST articles called damaged (false alarms), and the seeds.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
from common import CORPUS, ROOT, reuters, write_results
from sklearn.metrics import roc_auc_score

from detector.damage.gather import damage
from detector.damage.roundtrip import normalise, roundtrip_damage, sentence_scores
from detector.damage.train_roundtrip import PIVOTS, labelled, read_round_trips, split_sources

ROUND_TRIPS = CORPUS.parent.parent / "roundtrip-hwu64" / "back-translations.jsonl"


def prose(sentence: str) -> str:
    text = normalise(sentence)
    return text[:1].upper() + text[1:] + "."


def main() -> None:
    if not ROUND_TRIPS.exists():
        sys.exit(f"benchmark needs {ROUND_TRIPS}")
    rows = read_round_trips(ROUND_TRIPS)
    held = [r for r, h in zip(rows, split_sources(len(rows), seed=0)) if h]
    texts, labels, pivots = labelled(held)
    start = time.perf_counter()
    scores = sentence_scores([normalise(t) for t in texts])
    seconds = time.perf_counter() - start
    pivots = np.array(pivots)
    results: dict = {"held_out_sources": len(held), "sentences": len(texts),
                     "sentence_auc": round(float(roc_auc_score(labels, scores)), 4),
                     "sentences_per_second": round(len(texts) / seconds)}
    rows_out = [f"| all | {len(texts):,} | {results['sentence_auc']:.3f} |"]
    per_pivot = {}
    for pivot in PIVOTS:
        mask = (pivots == pivot) | (pivots == "source")
        per_pivot[pivot] = round(float(roc_auc_score(labels[mask], scores[mask])), 4)
        rows_out.append(f"| {pivot} | {int((pivots == pivot).sum()):,} round trips | {per_pivot[pivot]:.3f} |")
    results["sentence_auc_per_pivot"] = per_pivot

    # documents of 12 sentences: sources vs the same sources' round trips through one pivot
    rng = random.Random(0)
    mean_scores, shipped_scores, doc_labels, doc_pivots = [], [], [], []
    for k in range(400):
        pivot_index = k % len(PIVOTS)
        sample = rng.sample(held, 12)
        for sentences_, label in (([prose(source) for source, _ in sample], 0),
                                  ([prose(trips[pivot_index]) for _, trips in sample], 1)):
            mean_scores.append(float(np.mean(sentence_scores(sentences_))))
            shipped_scores.append(roundtrip_damage(" ".join(sentences_))["score"])
            doc_labels.append(label)
            doc_pivots.append(PIVOTS[pivot_index])
    doc_labels_a, doc_pivots_a = np.array(doc_labels), np.array(doc_pivots)
    mean_a, shipped_a = np.array(mean_scores), np.array(shipped_scores)
    doc_auc = roc_auc_score(doc_labels_a, mean_a)
    results["document_auc_mean_sentence_score"] = round(float(doc_auc), 4)
    results["document_auc_per_pivot"] = {p: round(float(roc_auc_score(doc_labels_a[doc_pivots_a == p],
                                                                       mean_a[doc_pivots_a == p])), 4) for p in PIVOTS}
    results["document_auc_shipped_score"] = round(float(roc_auc_score(doc_labels_a, shipped_a)), 4)
    results["hwu_documents_called_damaged"] = {"sources": int(((shipped_a >= 0.5) & (doc_labels_a == 0)).sum()),
                                               "round_trips": int(((shipped_a >= 0.5) & (doc_labels_a == 1)).sum()),
                                               "of_each": 400}

    # news: false alarms on clean Reuters TEST, and the seeds
    news = [r["body"] for r in reuters(split="TEST", limit=2000, min_words=40)]
    start = time.perf_counter()
    found = [damage(t) for t in news]
    news_seconds = time.perf_counter() - start
    flagged = sum(f["mt_roundtrip"]["verdict"] == "damaged" for f in found)
    interleaved = sum(f["interleaved_translation"]["score"] >= 0.3 for f in found)
    results["news"] = {"articles": len(news), "roundtrip_false_alarms": flagged,
                       "roundtrip_false_alarm_rate": round(flagged / len(news), 4),
                       "interleaved_false_alarms": interleaved,
                       "mb_per_second": round(sum(len(t.encode()) for t in news) / 1e6 / news_seconds, 2)}
    seeds = {}
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        d = damage(path.read_text(encoding="utf-8"))
        seeds[path.name[:3]] = {"mt_roundtrip": d["mt_roundtrip"]["score"],
                                "mt_verdict": d["mt_roundtrip"]["verdict"],
                                "roundtrip_spans": len(d["mt_roundtrip"]["spans"]),
                                "interleaved_translation": d["interleaved_translation"]["score"],
                                "interleaved_lines": len(d["interleaved_translation"]["spans"]),
                                "repeated_lines": len(d["repeated_lines"]["spans"])}
    results["seeds"] = seeds

    table = ["| round trips (held-out sources) | texts | sentence ROC AUC |", "|---|---|---|", *rows_out, "",
             f"Document ROC AUC (400 + 400 documents of 12 held-out sentences, sources vs their round trips "
             f"through one pivot), mean sentence score: {doc_auc:.3f} ("
             + ", ".join(f"{p} {v:.3f}" for p, v in results["document_auc_per_pivot"].items()) + "); the shipped "
             f"document score (news-prose rules only): {results['document_auc_shipped_score']:.3f}.", "",
             f"Clean Reuters TEST articles called round-trip damaged: {flagged} of {len(news)} "
             f"({flagged / len(news):.2%}); with interleaved translation >= 0.3: {interleaved}. "
             f"Damage report speed: {results['news']['mb_per_second']} MB/s.", "",
             "| seed | round-trip score | verdict | round-trip spans | interleaved translation | interleaved lines "
             "| repeated lines |", "|---|---|---|---|---|---|---|"]
    for name, s in seeds.items():
        table.append(f"| {name} | {s['mt_roundtrip']:.3f} | {s['mt_verdict']} | {s['roundtrip_spans']} | "
                     f"{s['interleaved_translation']:.2f} | {s['interleaved_lines']} | {s['repeated_lines']} |")
    text = "\n".join(table)
    print(text)
    write_results("mt_damage", results, text)


if __name__ == "__main__":
    main()
