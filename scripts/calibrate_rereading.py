"""Fit the rereading stage (suggestions chosen by the whole sentence) and store it beside the model.

    python scripts/calibrate_rereading.py                       # ../shared/corpus, the shipped model
    python scripts/calibrate_rereading.py --per-genre 40 --cache /tmp/reread.pkl   # re-fit without re-reading

Reads calibration documents of the training genres only (Wikipedia excerpts, Reuters TRAIN,
Amazon reviews, science abstracts: the ``calibration`` part, split by a hash of their id exactly
as training splits them), cut at ``--words`` words, each clean and spun once by a random training
spinner (:func:`detector.detection.suggestions.spin_for_calibration`), scores them, re-reads the
sentences of their shown spans with the neural model (:mod:`detector.detection.rereading`) and
fits the choice weights, the calibrator and the thresholds (:mod:`detector.detection.rereading_fit`).
Writes ``rereading.json`` into the model folder (and ``--card``'s paragraph). The neural reading
is the slow part: about 0.03 s a word on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import sys
import time
from pathlib import Path

from detector.detection.corpora import default_root, split_of, training_documents
from detector.detection.model import default_model_dir, load_model
from detector.detection.rereading import Rereader, read_pieces
from detector.detection.rereading_fit import fit
from detector.detection.scoring import Scorer
from detector.detection.suggestions import spin_for_calibration


def calibration_texts(corpus: Path, per_genre: int, words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _genre, docs in sorted(training_documents(corpus, seed=seed).items()):
        part = [d for d in docs if split_of(d.id, seed) == "calibration" and len(d.text.split()) >= 40]
        for doc in rng.sample(part, min(per_genre, len(part))):
            texts.append(" ".join(doc.text.split(" ")[:words]))
    return texts


def half(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 2


def strip(pieces):
    for p in pieces:
        for name in ("doc_encoded", "branch"):
            if hasattr(p, name):
                delattr(p, name)
    return pieces


def card(rereader: Rereader, documents: int, args) -> str:
    """The rereading stage's model card."""
    m = rereader.info["calibration"]
    return f"""# Rereading stage {rereader.version} (suggestions chosen by the whole sentence)

What it is: the choice weights, piece calibrator and thresholds of `detector/detection/rereading.py`
(`rereading.json`, plain JSON). It re-reads the sentences of shown spans with SmolLM2-135M
(`detector/neural`); without the neural model installed, the n-gram stage's suggestions are used.

Fitted by `python scripts/calibrate_rereading.py --per-genre {args.per_genre} --words {args.words} --seed {args.seed}`
on {documents} calibration documents of the training genres only (Wikipedia excerpts, Reuters TRAIN,
Amazon reviews, science abstracts; the `calibration` part of `detector.detection.corpora`, cut at
{args.words} words), each clean and spun once by a random training spinner. No held-out genre or
held-out spinner was read. One half (by a hash of the text) chose the weights (the key picks the
original for {m['choice_accuracy_fit_half']:.1%} of spun pieces whose original was scored) and fitted
the calibrator; the other half chose the thresholds:

- suggestion threshold {m['suggestion_threshold']}: {m['suggestions_accuracy']:.1%} of
  {m['suggestions_suggestions']} shown suggestions exactly the original;
  {m['suggestions_true_spans_with_suggestion']:.1%} of true shown spans had one;
- repair threshold {m['repair_threshold']} (word probability x choice probability): {m['repair_changes']} changes,
  {m['repair_right']:.1%} right; {m['clean_words_changed']} of {m['clean_words']} clean words changed.

Weights: {json.dumps(m['weights'])}. Held-out figures: `benchmarks/results/repair_neural.md`.
Limits: a word the model's tokenizer splits is predicted only through the thesauri; spans of
several flagged words are chosen word by word (repair reads them again once one is fixed).
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=default_model_dir())
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--per-genre", type=int, default=40)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="pickle of the read pieces (written, or read when present)")
    parser.add_argument("--out", type=Path, help="default: rereading.json in the model folder")
    args = parser.parse_args()
    model = load_model(args.model)
    if args.cache and args.cache.is_file():
        read = pickle.loads(args.cache.read_bytes())
    else:
        from detector.neural.reading import language_model

        texts = calibration_texts(args.corpus, args.per_genre, args.words, args.seed)
        spun = spin_for_calibration(texts, random.Random(args.seed))
        scorer, lm, read = Scorer(model, reread=False), language_model(), []
        start = time.perf_counter()
        for k in range(0, len(spun), 16):
            batch = spun[k : k + 16]
            results = scorer.score_many([s.text for s in batch], exhaustive=True, keep_tokens=True)
            for s, r in zip(batch, results):
                pieces = strip(read_pieces(model.tables, lm, Rereader(), [r]))
                read.append((s, r.__class__(**{**vars(r), "tokens": None}), pieces, half(s.original)))
            print(f"{k + len(batch)}/{len(spun)} read ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(read))
    rereader, metrics = fit(read, model.tables)
    rereader.info["documents"] = len(read)
    rereader.info["genres"] = "training genres (Wikipedia excerpts, Reuters TRAIN, Amazon, science), calibration part"
    out = args.out or Path(args.model) / "rereading.json"
    rereader.save(out)
    out.with_name("rereading.md").write_text(card(rereader, len(read), args), encoding="utf-8")
    print(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
