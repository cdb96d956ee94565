"""Where ``detector clean`` learns the batch's spinner: the steps between scoring and writing.

>>> import tempfile, pathlib
>>> state = pathlib.Path(tempfile.mkdtemp())
>>> (state / "units").mkdir()
>>> save_observations(state, "a.000000000", {"observations": [["citizenry", "people", 1, 2, 5.0, 2]],
...                                          "teaching_documents": 1})
>>> save_observations(state, "b.000000000", {"observations": [["citizenry", "people", 1, 1, 2.0, 1]],
...                                          "teaching_documents": 1})
>>> learned = merge_observations(state, ["a.000000000", "b.000000000"], min_documents=2)
>>> learned["teaching_documents"], learned["swaps"]
(2, [{'spun': 'citizenry', 'original': 'people', 'documents': 2, 'count': 3, 'gain': 2.333}])

With batch learning on (the default; ``--no-batch-learning`` turns it off), a cleaning run has two
more steps, each recorded in ``OUT/.detector/`` like the others, so that a killed run resumes:

1. While scoring, each unit's worker also learns from its confidently spun documents
   (:class:`detector.detection.batch_learning.BatchLearner`) and writes its observations,
   ``units/KEY.learn.json``, before the unit's marker.
2. *Merge* (main process, no model): the observations of all units are added up and the pairs
   seen in ``min_documents`` documents or more are kept, once, in ``learned.json`` (a resumed run
   reads it back, so every unit's second pass uses the same pairs).
3. *Second pass* (parallel, :func:`relearn_unit`): each unit's records that hold a learned spun
   phrase are rescored with the learned swaps as evidence
   (:func:`detector.detection.batch_learning.apply_swaps`); with ``--repair`` every such record
   (spun ones too) is repaired again with the learned pairs (source ``learned``). The unit's
   updated records go to ``units/KEY.learned.jsonl`` beside the first pass's (which stays as it was:
   a second pass cut short is simply redone), then its marker ``KEY.second-pass.json`` with counts.

Each record is read once in each pass and rescored at most once more: the cost stays linear.
"""

from __future__ import annotations

import json
from pathlib import Path

from detector.lexicon.resources import write_atomic

TOP_PAIRS = 20


def save_observations(state: Path, key: str, observations: dict) -> None:
    write_atomic(state / "units" / f"{key}.learn.json", json.dumps(observations).encode("utf-8"))


def merge_observations(state: Path, keys: list[str], min_documents: int) -> dict:
    """The run's learned pairs (``learned.json``: made once, then read back)."""
    from detector.detection.batch_learning import BatchLearner

    path = state / "learned.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    learner = BatchLearner(min_documents=min_documents)
    for key in keys:
        file = state / "units" / f"{key}.learn.json"
        if file.exists():  # a unit of a shard merged by an earlier run has none left
            learner.merge(json.loads(file.read_text(encoding="utf-8")))
    learned = {"min_documents": min_documents, "teaching_documents": learner.teaching_documents,
               "swaps": [s.to_dict() for s in learner.swaps()]}
    write_atomic(path, json.dumps(learned, ensure_ascii=False).encode("utf-8"))
    return learned


def swaps_of(learned: dict) -> list:
    from detector.detection.batch_learning import LearnedSwap

    return [LearnedSwap(s["spun"], s["original"], int(s["documents"]), int(s["count"]), float(s["gain"]))
            for s in learned["swaps"]]


def relearn_unit(key: str, state: Path, worker: dict) -> dict:
    """The second pass over one unit (see the module docstring); returns its counts."""
    from detector.detection.batch_learning import (
        MIN_SITE_GAIN,
        SwapIndex,
        apply_swaps,
        combine,
        has_evidence,
        swaps_from_dictionary,
    )
    from detector.detection.scoring import Scorer
    from detector.repair.repair import repair as run_repair

    config = worker["config"]
    if worker.get("learned_for") != str(state):  # the same pairs for every unit of this run, none of another's
        worker["learned_for"] = str(state)
        learned = swaps_of(json.loads((state / "learned.json").read_text(encoding="utf-8")))
        given = swaps_from_dictionary(worker["dictionary"]) if worker.get("dictionary") else []
        worker["learned"] = learned
        worker["evidence"] = combine(learned, given)
        worker["learned_dictionary"] = _dictionary(learned)
        worker["plain_scorer"] = Scorer(worker["scorer"].model, config.threshold)
    swaps, scorer = worker["evidence"], worker["plain_scorer"]
    index = SwapIndex(swaps)
    lines = (state / "units" / f"{key}.jsonl").read_text(encoding="utf-8").split("\n")
    lines = [line for line in lines if line]
    records = [json.loads(line) for line in lines]
    chosen = []  # (position, text) of the records to look at again
    for position, record in enumerate(records):
        annotation = record.get("detector")
        if record.get("_error") or not annotation or annotation.get("verdict") == "not-english":
            continue
        text = (annotation.get("repair") or {}).get("original_text") or record[config.text_field]
        if not index.may_hold(text) or not has_evidence(text, index, scorer.model.tables, MIN_SITE_GAIN):
            continue  # no learned swap here whose original reads far likelier: nothing would change
        if config.mode == "repair" or annotation.get("verdict") in ("clean", "too-short"):
            chosen.append((position, text))
    stats = {"documents": 0, "now_spun": 0, "words": 0, "repaired": 0, "learned_changes": 0}
    for first in range(0, len(chosen), 64):
        part = chosen[first : first + 64]
        results = scorer.score_many([t for _, t in part], keep_tokens=True)
        new, counts = apply_swaps(scorer, results, swaps)
        for k in ("documents", "now_spun", "words"):
            stats[k] += counts[k]
        for (position, text), before, after in zip(part, results, new):
            record = records[position]
            annotation = record["detector"]
            if after is not before:
                fresh = after.to_dict()
                annotation.update({k: fresh[k] for k in ("score", "verdict", "spans")})
            if config.mode == "repair":
                fixed = run_repair(text, dictionary=worker.get("dictionary"), scorer=scorer, scored=after,
                                   learned=worker["learned_dictionary"])
                changes = [c.to_dict() for c in fixed.changes]
                annotation["repair"] = {"changes": changes, "original_text": text if changes else None}
                record[config.text_field] = fixed.text if changes else text
                learned_changes = sum(c.source == "learned" for c in fixed.changes)
                stats["learned_changes"] += learned_changes
                stats["repaired"] += learned_changes > 0
            lines[position] = json.dumps(record, ensure_ascii=False)
    units = state / "units"
    write_atomic(units / f"{key}.learned.jsonl", "".join(line + "\n" for line in lines).encode("utf-8"))
    write_atomic(units / f"{key}.second-pass.json", json.dumps(stats).encode("utf-8"))
    return stats


def _dictionary(swaps: list):
    from detector.detection.batch_learning import swaps_to_dictionary

    return swaps_to_dictionary(swaps)


def unit_file(state: Path, key: str) -> Path:
    """A unit's records: after the second pass when it ran, else as scored."""
    learned = state / "units" / f"{key}.learned.jsonl"
    return learned if learned.exists() else state / "units" / f"{key}.jsonl"


def summary_part(state: Path, learned: dict | None, enabled: bool) -> dict:
    """``summary.json``'s ``batch_learning``: what was learned, and what it changed."""
    if not enabled:
        return {"enabled": False}
    counts = {"documents": 0, "now_spun": 0, "words": 0, "repaired": 0, "learned_changes": 0}
    for path in (state / "units").glob("*.second-pass.json"):
        for k, v in json.loads(path.read_text(encoding="utf-8")).items():
            counts[k] = counts.get(k, 0) + v
    learned = learned or {"swaps": [], "teaching_documents": 0, "min_documents": None}
    return {"enabled": True, "min_documents": learned["min_documents"],
            "teaching_documents": learned["teaching_documents"], "pairs_learned": len(learned["swaps"]),
            "top_pairs": learned["swaps"][:TOP_PAIRS],
            "documents_changed": counts["documents"], "documents_now_spun": counts["now_spun"],
            "words_raised": counts["words"],
            "repairs": {"documents": counts["repaired"], "learned_changes": counts["learned_changes"]},
            "note": "pairs learned from this run's confidently spun documents (seen in min_documents or more), "
                    "used as evidence on the others; counts of the second pass"}
