"""Where corpora are cleaned in batch: ``detector clean`` (score, drop, repair, group copies).

>>> import tempfile, pathlib, json
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> text = "Shares of the company fell 3 pct in New York after it reported lower results on Friday. " * 4
>>> _ = (root / "in.jsonl").write_text(json.dumps({"id": "a", "text": text}) + "\\n{oops\\n", encoding="utf-8")
>>> summary = clean([str(root / "in.jsonl")], root / "out", CleanConfig(), workers=1, quiet=True)
>>> summary["records"]["in"], summary["records"]["kept"], summary["records"]["errors"]
(2, 1, 1)
>>> sorted(json.loads((root / "out" / "in.jsonl").read_text())["detector"])
['display_threshold', 'evidence', 'model', 'score', 'spans', 'verdict', 'words']

A run has three steps, each recorded in ``OUT/.detector/`` so that a run killed at any moment
picks up where it stopped when the same command is given again:

1. *Score* (parallel): each unit of work (a range of records of one shard, :mod:`detector.batch.shards`)
   is scored by a worker holding its own model; the annotated records, the unit's bad records and
   its statistics are written to temporary files and renamed, the statistics file last, as the
   unit's marker.
   With batch learning (the default), each unit's worker also writes what its surely spun records
   teach; the pairs are merged once (``learned.json``) and a second pass rescores the records that
   hold a learned swap (:mod:`detector.batch.learning`).
2. *Group* (``--group-copies``): spun copies of one source are grouped over the whole input
   (:mod:`detector.batch.copies`).
3. *Decide and write*: shard by shard, in input order, each record is kept or rejected
   (:func:`decide`; scoring never decides), and the output shard is written atomically under its
   input's name, rejected records under ``rejected/``. Then ``errors.jsonl``, ``summary.json`` and
   ``report.html`` (:mod:`detector.present.html`).

Options that change results are stored with the run; resuming with other ones is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from detector.batch.learning import (
    merge_observations,
    relearn_unit,
    save_observations,
    summary_part,
    swaps_of,
    unit_file,
)
from detector.batch.shards import Shard, ShardWriter, count_records, discover, read_units, text_names
from detector.errors import DetectorError, InputError
from detector.lexicon.resources import write_atomic
from detector.present.report import Record

STATE = ".detector"
MODES = ("annotate", "drop", "repair")
BATCH = 64  # records scored together
HISTOGRAM_BINS = 20
EXAMPLES_PER_SHARD = 3


@dataclass(frozen=True)
class CleanConfig:
    """What a cleaning run does; every field here changes the output, so a resumed run must match.

    ``mode``: ``annotate`` (keep all, add a ``detector`` attribute), ``drop`` (spun records, and
    copies when grouping, go to ``rejected/``), ``repair`` (text replaced by its repair, the input
    kept under ``detector.repair.original_text``). ``threshold``: document score from which a record
    is spun (None: the model's). ``strip_translations``: lines in other languages are removed before
    scoring (listed under ``detector.stripped``). ``damage``: add the machine-translation and line
    damage report. ``chunk_records``: records per unit of work. ``batch_learning``: learn the
    spinner's swaps from the run's surely spun records and use them on the others
    (:mod:`detector.batch.learning`), from pairs seen in ``min_documents`` records or more.
    ``exhaustive``: the full model on every record (default: the screen settles clearly clean records
    first, marked ``"screened": true``; ``repair`` and ``damage`` always score exhaustively).
    ``neural``: records the n-gram stage leaves in doubt are read by the neural model of English too
    (None: when it is installed), at most ``neural_budget`` of each batch (a share).
    """

    mode: str = "annotate"
    threshold: float | None = None
    text_field: str = "text"
    id_field: str = "id"
    group_copies: bool = False
    strip_translations: bool = False
    damage: bool = False
    model_dir: str | None = None
    dictionary: str | None = None
    chunk_records: int = 1000
    max_bytes: int = 10_000_000
    batch_learning: bool = True  # learn the spinner's swaps across the run (detector.batch.learning)
    min_documents: int = 2  # documents a learned pair must be seen in
    exhaustive: bool = False
    neural: bool | None = None  # the neural stage on the records the n-gram stage leaves in doubt (None: if installed)
    neural_budget: float = 0.25  # at most this share of each batch's records reach it
    device: str = "cpu"  # where the neural model runs: cpu (numpy) or cuda (torch)


@dataclass(frozen=True)
class Unit:
    shard: int  # index into the run's shards
    start: int
    stop: int

    def key(self, shards: list[Shard]) -> str:
        return f"{shards[self.shard].key}.{self.start:09d}"


# -- the decision (kept apart from scoring) -------------------------------------------------------
def verdict_at(annotation: dict, threshold: float) -> str:
    """The verdict of an annotated record at another threshold (``not-english`` and
    ``too-short`` stay what they are)."""
    if annotation.get("verdict") in ("spun", "clean"):
        return "spun" if float(annotation["score"]) >= threshold else "clean"
    return str(annotation.get("verdict"))


def decide(annotation: dict, threshold: float, mode: str) -> tuple[bool, str | None, str | None]:
    """(keep, reason, detail) for an annotated record. Only ``drop`` mode rejects: spun records
    (reason ``spun``) and copies that are not their group's canonical record (reason ``copy``)."""
    if mode != "drop":
        return True, None, None
    if verdict_at(annotation, threshold) == "spun":
        return False, "spun", f"score {annotation['score']:.4f} >= threshold {threshold:.4f}"
    copies = annotation.get("copies")
    if copies and not copies["canonical"]:
        return False, "copy", (f"{copies.get('kind') or 'copy'} in the group of {copies['canonical_id']!r} "
                               f"(group {copies['group']})")
    return True, None, None


# -- workers --------------------------------------------------------------------------------------
_WORKER: dict = {}


def _init_worker(config: CleanConfig) -> None:
    from detector.analysis import Analyzer
    from detector.detection.model import load_model
    from detector.repair.repair import Dictionary

    _WORKER.clear()
    _WORKER["config"] = config
    try:
        model = load_model(config.model_dir)
        model.compile()  # natively compiled trees when lleaves is installed (detector[fast]); else LightGBM
        if config.damage:
            from detector.damage.judged_model import get_judged_model
            from detector.damage.mt_model import get_mt_model

            get_mt_model().compile()
            get_judged_model().compile()
        _WORKER["scorer"] = Analyzer(model, config.threshold, damage=config.damage, neural=config.neural,
                                     neural_budget=config.neural_budget, neural_threads=1, device=config.device,
                                     screen=not config.exhaustive and config.mode != "repair",
                                     tortured=False)  # crawl speed: `detector score` screens papers
        _WORKER["dictionary"] = Dictionary.load(config.dictionary) if config.dictionary else None
    except DetectorError as err:  # reported by the first unit, as one line in the main process
        _WORKER["error"] = err


def _score_unit(shard: Shard, unit: Unit, state: Path, key: str) -> dict:
    """Score one unit; write its records, errors, fingerprints and (last) its marker."""
    from detector.batch.copies import keys_of
    from detector.damage.lines import strip_translations
    from detector.detection.batch_learning import BatchLearner
    from detector.repair.repair import repair as run_repair

    config: CleanConfig = _WORKER["config"]
    scorer = _WORKER["scorer"]
    started = time.perf_counter()
    lines, errors = [], []
    fps, facts, scores, ids = [], [], [], []
    n_bytes = 0
    learner = BatchLearner(scorer, min_documents=config.min_documents) if config.batch_learning else None
    records = list(read_units(shard, unit.start, unit.stop, config.text_field, config.id_field, config.max_bytes))
    for first in range(0, len(records), BATCH):
        batch = records[first : first + BATCH]
        good = [r for r in batch if r.error is None]
        stripped = [strip_translations(r.text) if config.strip_translations else None for r in good]
        for record, cut in zip(good, stripped):
            n_bytes += len(record.text.encode("utf-8"))
            if cut is not None and cut.removed:
                record.text = cut.text
        scored = scorer.score_many([r.text for r in good], [r.id for r in good])
        if learner is not None:
            learner.observe(scored)
        results, cuts = iter(scored), iter(stripped)
        for record in batch:
            if record.error is not None:
                errors.append(json.dumps(_error_entry(record), ensure_ascii=False))
                lines.append(json.dumps({"_error": True}))
                continue
            result, cut = next(results), next(cuts)
            annotation = {k: v for k, v in result.to_dict().items() if k != "id"}
            data = dict(record.data)
            if cut is not None:
                annotation["stripped"] = cut.to_dict()
                data[config.text_field] = record.text
            if config.mode == "repair":
                fixed = None
                worth = any(s.changes for s in result.spans) or _WORKER["dictionary"] is not None
                if result.verdict != "not-english" and worth:  # a text with nothing to suggest stays as it is
                    fixed = run_repair(record.text, dictionary=_WORKER["dictionary"], scorer=scorer, scored=result)
                changes = [c.to_dict() for c in fixed.changes] if fixed else []
                annotation["repair"] = {"changes": changes, "original_text": record.text if changes else None}
                if changes:
                    data[config.text_field] = fixed.text
            data["detector"] = annotation
            lines.append(json.dumps(data, ensure_ascii=False))
            if config.group_copies:
                fp, fact = keys_of(record.text)
                fps.append(fp)
                facts.append(fact)
                scores.append(result.score)
                ids.append(str(record.id))
    parts = state / "units"
    write_atomic(parts / f"{key}.jsonl", "".join(line + "\n" for line in lines).encode("utf-8"))
    write_atomic(parts / f"{key}.errors.jsonl", "".join(line + "\n" for line in errors).encode("utf-8"))
    if config.group_copies:
        _save_arrays(parts / f"{key}.copies.npz", fps, facts, scores, ids)
    if learner is not None:
        save_observations(state, key, learner.state())
    stats = {"records": len(records), "errors": len(errors), "bytes": n_bytes,
             "seconds": round(time.perf_counter() - started, 4), "pid": os.getpid(), "peak_rss_mb": _peak_rss_mb()}
    write_atomic(parts / f"{key}.done.json", json.dumps(stats).encode("utf-8"))
    return stats


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def _error_entry(record: Record) -> dict:
    entry = {"source": record.source, "line": record.line, "id": record.id, "error": record.error}
    if record.raw is not None:
        entry["raw"] = record.raw
    return entry


def _save_arrays(path: Path, fps: list, facts: list, scores: list, ids: list) -> None:
    import io

    sink = io.BytesIO()
    np.savez(sink, fp=np.concatenate(fps) if fps else np.zeros(0, np.int64),
             fp_ptr=np.r_[0, np.cumsum([len(f) for f in fps])].astype(np.int64),
             facts=np.concatenate(facts) if facts else np.zeros(0, np.int64),
             facts_ptr=np.r_[0, np.cumsum([len(f) for f in facts])].astype(np.int64),
             scores=np.array(scores, dtype=np.float64), ids=np.array(ids, dtype=str))
    write_atomic(path, sink.getvalue())


def _run_unit(args: tuple) -> dict:
    if "error" in _WORKER:  # the model could not be loaded in this worker
        raise _WORKER["error"]
    if args[0] == "learned":  # the second pass of batch learning
        return relearn_unit(args[1], args[2], _WORKER)
    return _score_unit(*args)


class _Runner:
    """Runs units of work (``_run_unit``'s arguments) in this process (one worker) or in one pool of
    worker processes, started on first use and kept for every step of the run (each loads the model
    once)."""

    def __init__(self, config: CleanConfig, workers: int):
        self.config, self.workers = config, workers
        self.pool: ProcessPoolExecutor | None = None

    def run(self, todo: list[tuple], bar: Progress | None) -> None:
        if not todo:
            return
        if self.workers == 1:
            if _WORKER.get("config") != self.config:
                _init_worker(self.config)
            for args in todo:
                stats = _run_unit(args)
                if bar is not None:
                    bar.update(args[1].stop - args[1].start, stats["bytes"])
            return
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool

        try:
            if self.pool is None:
                context = multiprocessing.get_context("spawn")  # no forked copies of threads or open files
                self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                                initargs=(self.config,))
            futures = {self.pool.submit(_run_unit, args): args for args in todo}
            for future in as_completed(futures):
                stats = future.result()
                if bar is not None:
                    unit = futures[future][1]
                    bar.update(unit.stop - unit.start, stats["bytes"])
        except BrokenProcessPool as err:
            if bar is not None:
                bar.close()
            raise DetectorError("a worker process failed to start or died (out of memory, or a damaged model?); "
                                "finished units are kept: rerun, or use --workers 1 to see the cause") from err

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


# -- the run --------------------------------------------------------------------------------------
def clean(inputs: list[str], out: Path, config: CleanConfig, workers: int | None = None,
          quiet: bool = False, save_dictionary: Path | None = None) -> dict:
    """Clean ``inputs`` into ``out`` (see the module docstring); returns the summary.
    ``save_dictionary``: write the pairs batch learning learned there (a repair dictionary)."""
    if config.mode not in MODES:
        raise InputError(f"unknown mode {config.mode!r} (one of {', '.join(MODES)})")
    from detector.detection.model import model_header

    model_label, model_threshold = model_header(config.model_dir)  # the workers load the model itself
    threshold = model_threshold if config.threshold is None else config.threshold
    shards = discover(inputs, out)
    state = out / STATE
    run = _check_run(state, shards, config, model_label)
    if (state / "complete.json").exists():
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        if save_dictionary is not None and (state / "learned.json").exists():
            _save_dictionary(save_dictionary, json.loads((state / "learned.json").read_text(encoding="utf-8")))
        _say(quiet, f"detector: {out} is already complete ({summary['records']['in']:,} records); nothing to do")
        return summary
    units = [Unit(i, start, min(start + config.chunk_records, n))
             for i, n in enumerate(run["records"]) for start in range(0, max(n, 1), config.chunk_records)]
    keys = [u.key(shards) for u in units]
    done = {k for u, k in zip(units, keys) if (state / "units" / f"{k}.done.json").exists()
            or _merged(state, shards[u.shard])}
    todo = [(shards[u.shard], u, state, k) for u, k in zip(units, keys) if k not in done]
    total_records = sum(run["records"])
    bar = Progress(total_records, sum(s.size for s in shards), enabled=not quiet and sys.stderr.isatty())
    bar.skip(sum(u.stop - u.start for u, k in zip(units, keys) if k in done))
    if done and not quiet:
        _say(quiet, f"detector: resuming: {len(done)} of {len(units)} units already done")
    started = time.perf_counter()
    live = [k for u, k in zip(units, keys) if not _merged(state, shards[u.shard])]
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or len(live) or 1))
    learned = None
    with _Runner(config, workers) as runner:
        runner.run(todo, bar)
        bar.close()
        if config.batch_learning:  # merge what the units learned, then the second pass (resumable too)
            learned = merge_observations(state, live, config.min_documents)
            if save_dictionary is not None:
                _save_dictionary(save_dictionary, learned)
            if learned["swaps"] or config.dictionary:
                again = [("learned", k, state) for k in live
                         if not (state / "units" / f"{k}.second-pass.json").exists()]
                _say(quiet or not again, f"detector: batch learning: {len(learned['swaps'])} swaps learned from "
                                         f"{learned['teaching_documents']} spun records; second pass over "
                                         f"{len(again)} units")
                runner.run(again, None)
        scored_seconds = time.perf_counter() - started
        groups = _group(state, keys, config.text_field, workers, runner.pool) if config.group_copies else {}
    for i, shard in enumerate(shards):
        if not _merged(state, shard):
            shard_units = [(u, k) for u, k in zip(units, keys) if u.shard == i]
            _merge(state, out, shard, shard_units, config, threshold, groups)
    summary = _finish(out, state, shards, config, threshold, model_label, run, learned,
                      {"seconds": round(scored_seconds, 3), "units": len(todo), "workers": workers,
                       "records": bar.done - bar.skipped, "bytes": bar.bytes,
                       "at": time.strftime("%Y-%m-%dT%H:%M:%S")})
    _say(quiet, f"detector: {summary['records']['in']:,} records: {summary['records']['kept']:,} kept, "
                f"{summary['records']['rejected']:,} rejected, {summary['records']['errors']:,} errors -> {out}")
    return summary


def _save_dictionary(path: Path, learned: dict) -> None:
    from detector.detection.batch_learning import swaps_to_dictionary

    data = swaps_to_dictionary(swaps_of(learned)).to_json()
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr)


def _check_run(state: Path, shards: list[Shard], config: CleanConfig, model_label: str) -> dict:
    """The stored run (or a new one); a stored run with other options or inputs is refused."""
    options = asdict(config)
    if config.dictionary:
        options["dictionary"] = hashlib.sha256(Path(config.dictionary).read_bytes()).hexdigest()[:16]
    inputs = [[s.name, s.kind, s.size] for s in shards]
    path = state / "run.json"
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        changed = [k for k in options if stored["options"].get(k) != options[k]]
        if changed:
            what = ", ".join(f"{k}: {stored['options'].get(k)!r} -> {options[k]!r}" for k in changed)
            raise InputError(f"{state.parent} holds a run made with other options ({what}); resuming would mix "
                             "results: give a new --out folder, or delete this one")
        if stored["model"] != model_label:
            raise InputError(f"{state.parent} was scored with model {stored['model']}, not {model_label}; "
                             "give a new --out folder")
        if stored["inputs"] != inputs:
            raise InputError(f"the inputs changed since {state.parent} was started (files added, removed or "
                             "resized); give a new --out folder")
        return stored
    records = [count_records(s) for s in shards]
    run = {"options": options, "model": model_label, "inputs": inputs, "records": records}
    write_atomic(path, json.dumps(run, indent=1).encode("utf-8"))
    return run


def _merged(state: Path, shard: Shard) -> bool:
    return (state / "merged" / f"{shard.key}.json").exists()


def _group(state: Path, keys: list[str], text_field: str, workers: int = 1, pool=None) -> dict:
    """Copy marks by (unit key, record id position) -> mark dict; stored once in groups.json."""
    from detector.batch.copies import group_copies

    path = state / "groups.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    fps, facts, scores, ids, where = [], [], [], [], []
    for key in keys:
        file = state / "units" / f"{key}.copies.npz"
        with np.load(file, allow_pickle=False) as data:
            fp, fptr, f, f_ptr = data["fp"], data["fp_ptr"], data["facts"], data["facts_ptr"]
            for j in range(len(data["scores"])):
                fps.append(fp[fptr[j] : fptr[j + 1]])
                facts.append(f[f_ptr[j] : f_ptr[j + 1]])
                where.append((key, j))
            scores += data["scores"].tolist()
            ids += data["ids"].tolist()

    def texts_of(wanted: set[int]) -> dict[int, str]:
        """The texts of the candidate records, read back from their units (one pass, units in order)."""
        by_key: dict[str, dict[int, int]] = {}
        for i in wanted:
            key, j = where[i]
            by_key.setdefault(key, {})[j] = i
        found: dict[int, str] = {}
        for key, positions in by_key.items():
            good = 0
            for line in _unit_lines(state, key):
                record = json.loads(line)
                if record.get("_error"):
                    continue
                if good in positions:
                    text = record.get(text_field)
                    found[positions[good]] = text if isinstance(text, str) else ""
                good += 1
        return found

    marks = group_copies(fps, facts, scores, texts_of, workers, pool)
    groups = {f"{where[i][0]}:{where[i][1]}": mark.to_dict(ids[mark.canonical_index],
                                                         None if mark.source_index is None else ids[mark.source_index])
              for i, mark in enumerate(marks) if mark}
    write_atomic(path, json.dumps(groups).encode("utf-8"))
    return groups


def _unit_lines(state: Path, key: str) -> Iterator[str]:
    with open(unit_file(state, key), encoding="utf-8", newline="\n") as handle:
        for line in handle:
            yield line.rstrip("\n")


def _merge(state: Path, out: Path, shard: Shard, shard_units: list[tuple[Unit, str]], config: CleanConfig,
           threshold: float, groups: dict) -> None:
    """Write one shard's output (and rejected records) from its units, then mark it merged."""
    from detector.present.html import example_for_report

    counts: Counter = Counter()
    histogram = [0] * HISTOGRAM_BINS
    substitutions: Counter = Counter()
    examples: list[dict] = []
    errors: list[str] = []
    names = text_names(shard) if shard.kind == "text" else []
    kept_writer = rejected_writer = None
    if shard.kind != "text":
        kept_writer = ShardWriter(out / shard.name, shard.kind)
        rejected_writer = ShardWriter(out / "rejected" / shard.name, shard.kind) if config.mode == "drop" else None
    try:
        for unit, key in shard_units:
            # split on "\n" only: JSON text may hold U+2028 and other characters splitlines() breaks at
            errors += [e for e in (state / "units" / f"{key}.errors.jsonl").read_text(encoding="utf-8").split("\n")
                       if e]
            good = 0
            for position, line in enumerate(_unit_lines(state, key)):
                record = json.loads(line)
                if record.get("_error"):
                    continue
                annotation = record["detector"]
                mark = groups.get(f"{key}:{good}")
                good += 1
                if mark:
                    annotation["copies"] = mark
                annotation["verdict"] = verdict_at(annotation, threshold)
                keep, reason, detail = decide(annotation, threshold, config.mode)
                counts[f"verdict:{annotation['verdict']}"] += 1
                counts["kept" if keep else f"rejected:{reason}"] += 1
                if mark:
                    counts["copies:canonical" if mark["canonical"] else "copies:copy"] += 1
                    if mark.get("kind"):
                        counts[f"copies:{mark['kind']}"] += 1
                if not keep:
                    annotation["rejected"] = {"reason": reason, "detail": detail}
                if annotation["verdict"] in ("spun", "clean"):
                    histogram[min(int(annotation["score"] * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1
                if annotation["verdict"] == "spun":
                    for span in annotation["spans"]:
                        if span["suggestion"] and span["score"] >= 0.5:
                            substitutions[f"{span['suggestion'].lower()} -> {span['text'].lower()}"] += 1
                    if len(examples) < EXAMPLES_PER_SHARD:
                        examples.append(example_for_report(record, config.text_field, annotation))
                output = json.dumps(record, ensure_ascii=False)
                if shard.kind == "text":
                    _write_text(out if keep else out / "rejected", names[unit.start + position], record,
                                config.text_field)
                elif keep:
                    kept_writer.write(output)
                else:
                    rejected_writer.write(output)
        for writer in (kept_writer, rejected_writer):
            if writer:
                writer.commit()
    except BaseException:
        for writer in (kept_writer, rejected_writer):
            if writer:
                writer.discard()
        raise
    marker = {"counts": counts, "histogram": histogram, "substitutions": dict(substitutions.most_common(200)),
              "examples": examples, "errors": errors}
    write_atomic(state / "merged" / f"{shard.key}.json", json.dumps(marker, ensure_ascii=False).encode("utf-8"))


def _write_text(folder: Path, name: str, record: dict, text_field: str) -> None:
    """A .txt record: its (repaired) text under its own name, its annotation in NAME.detector.json."""
    write_atomic(folder / name, record[text_field].encode("utf-8"))
    write_atomic(folder / f"{name}.detector.json",
                 json.dumps(record["detector"], ensure_ascii=False, indent=1).encode("utf-8"))


def _finish(out: Path, state: Path, shards: list[Shard], config: CleanConfig, threshold: float, model_label: str,
            run: dict, learned: dict | None, this_run: dict) -> dict:
    from detector import __version__
    from detector.lexicon.resources import resource_versions
    from detector.present.html import write_report

    counts: Counter = Counter()
    histogram = np.zeros(HISTOGRAM_BINS, dtype=np.int64)
    substitutions: Counter = Counter()
    examples, errors = [], []
    for shard in shards:
        marker = json.loads((state / "merged" / f"{shard.key}.json").read_text(encoding="utf-8"))
        counts.update(marker["counts"])
        histogram += np.array(marker["histogram"])
        substitutions.update(marker["substitutions"])
        examples += marker["examples"]
        errors += marker["errors"]
    write_atomic(out / "errors.jsonl", "".join(e + "\n" for e in errors).encode("utf-8"))
    history = run.setdefault("history", [])
    history.append(this_run)
    unit_stats = [json.loads(p.read_text()) for p in (state / "units").glob("*.done.json")]
    n_bytes = sum(s["bytes"] for s in unit_stats)
    worker_seconds = sum(s["seconds"] for s in unit_stats)
    records_in = sum(run["records"])
    wall = sum(h["seconds"] for h in history)
    error_kinds = Counter(error_kind(json.loads(e)["error"]) for e in errors)
    summary = {
        "records": {"in": records_in, "kept": counts["kept"],
                    "rejected": sum(v for k, v in counts.items() if k.startswith("rejected:")),
                    "errors": len(errors)},
        "verdicts": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("verdict:")},
        "rejected": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("rejected:")},
        "copies": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("copies:")},
        "errors": dict(error_kinds.most_common()),
        "throughput": {"bytes": n_bytes, "seconds": round(wall, 3),
                       "docs_per_second": round(this_run["records"] / this_run["seconds"], 1)
                       if this_run["seconds"] else None,
                       "mb_per_second": round(this_run["bytes"] / 1e6 / this_run["seconds"], 3)
                       if this_run["seconds"] else None,
                       "mb_per_second_per_worker": round(n_bytes / 1e6 / worker_seconds, 3) if worker_seconds else None,
                       "note": "docs and MB per second: this run's scoring step, wall clock; per worker: all units",
                       "runs": history},
        "peak_rss_mb": {"worker": max((s["peak_rss_mb"] for s in unit_stats), default=None),
                        "main": _peak_rss_mb()},
        "threshold": threshold,
        "options": run["options"],
        "workers": this_run["workers"],
        "versions": {"detector": __version__, "model": model_label, "lexicon": resource_versions()},
        "score_histogram": {"bins": HISTOGRAM_BINS, "counts": histogram.tolist()},
        "top_substitutions": dict(substitutions.most_common(30)),
        "batch_learning": summary_part(state, learned, config.batch_learning),
        "shards": [s.name if s.kind != "text" else f"{len(s.paths)} .txt files" for s in shards],
    }
    write_atomic(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
    write_report(out / "report.html", summary, examples[:12])
    write_atomic(state / "run.json", json.dumps(run, indent=1).encode("utf-8"))
    write_atomic(state / "complete.json", b"{}")
    shutil.rmtree(state / "units", ignore_errors=True)
    return summary


def error_kind(message: str) -> str:
    """What went wrong, without the where: "line 7 is not UTF-8 text (byte 0xff ...)" -> "is not UTF-8 text"."""
    return re.sub(r"^(line \d+|\S+\.(txt|jsonl|gz|parquet)) ", "", message).split(" (")[0]


class Progress:
    """A one-line progress bar on standard error: records, records/s, MB/s, ETA."""

    def __init__(self, records: int, size: int, enabled: bool):
        self.total, self.size, self.enabled = records, size, enabled
        self.done = self.skipped = 0
        self.bytes = 0
        self.started = time.perf_counter()

    def skip(self, records: int) -> None:
        self.done += records
        self.skipped += records

    def update(self, records: int, n_bytes: int) -> None:
        self.done += records
        self.bytes += n_bytes
        if not self.enabled:
            return
        seconds = max(time.perf_counter() - self.started, 1e-9)
        rate = (self.done - self.skipped) / seconds
        eta = (self.total - self.done) / rate if rate else 0
        print(f"\r  {self.done:,}/{self.total:,} records  {rate:,.0f} docs/s  {self.bytes / 1e6 / seconds:.2f} MB/s  "
              f"ETA {int(eta) // 60}:{int(eta) % 60:02d}   ", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


def refilter(inputs: list[str], out: Path, threshold: float, drop: bool, text_field: str = "text",
             quiet: bool = False) -> dict:
    """``detector filter``: apply another threshold to annotated output without scoring again."""
    shards = [s for s in discover(inputs, out) if s.kind != "text"]
    if not shards:
        raise InputError("detector filter reads the .jsonl/.jsonl.gz/.parquet output of `detector clean --annotate`")
    counts: Counter = Counter()
    errors: list[str] = []
    mode = "drop" if drop else "annotate"
    for shard in shards:
        with ShardWriter(out / shard.name, shard.kind) as kept, (
                ShardWriter(out / "rejected" / shard.name, shard.kind) if drop else _Null()) as rejected:
            for record in read_units(shard, 0, sys.maxsize, text_field, "id"):
                annotation = record.data.get("detector") if record.data else None
                if isinstance(annotation, str):  # Parquet output holds it as JSON text
                    annotation = record.data["detector"] = json.loads(annotation)
                if not isinstance(annotation, dict) or "score" not in annotation:
                    entry = _error_entry(record)
                    entry["error"] = record.error or "no detector annotation (score it with `detector clean` first)"
                    errors.append(json.dumps(entry, ensure_ascii=False))
                    continue
                annotation["verdict"] = verdict_at(annotation, threshold)
                annotation.pop("rejected", None)
                keep, reason, detail = decide(annotation, threshold, mode)
                counts[f"verdict:{annotation['verdict']}"] += 1
                counts["kept" if keep else f"rejected:{reason}"] += 1
                if not keep:
                    annotation["rejected"] = {"reason": reason, "detail": detail}
                (kept if keep else rejected).write(json.dumps(record.data, ensure_ascii=False))
    write_atomic(out / "errors.jsonl", "".join(e + "\n" for e in errors).encode("utf-8"))
    summary = {"threshold": threshold, "kept": counts["kept"], "errors": len(errors),
               "verdicts": {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("verdict:")},
               "rejected": {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("rejected:")}}
    write_atomic(out / "summary.json", json.dumps(summary, indent=1).encode("utf-8"))
    _say(quiet, f"detector: {counts['kept']:,} kept, {sum(summary['rejected'].values()):,} rejected, "
                f"{len(errors):,} errors at threshold {threshold} -> {out}")
    return summary


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, line: str) -> None:
        raise AssertionError("nothing is rejected without --drop")
