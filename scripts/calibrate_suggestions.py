"""Recalibrate an existing model's suggestions and write the result into its model.json and card.

    python scripts/calibrate_suggestions.py                          # the shipped model, ../shared/corpus
    python scripts/calibrate_suggestions.py --model my-model --per-genre 300 --seed 1

Reads the calibration documents of the training genres (``detector.detection.corpora``: the
``calibration`` part of Wikipedia excerpts, Reuters TRAIN and Amazon reviews, split by a hash of
their id exactly as training splits them; never a held-out genre), spins each once with a random
training spinner, fits the suggestion calibrator on one half and chooses the threshold on the
other (:func:`detector.detection.suggestions.calibrate_suggestions`), then stores
``suggestion_threshold``, ``suggestion_calibrator`` and ``info.suggestions`` in ``model.json`` and
rewrites the card's "Suggestions" paragraph. Nothing else in the folder changes (the SHA-256 of
every tree file stays valid). About two minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from detector.detection.corpora import default_root, split_of, training_documents
from detector.detection.model import default_model_dir, load_model
from detector.detection.suggestions import TARGET_PRECISION, calibrate_suggestions, card_section
from detector.errors import DetectorError

MAX_WORDS = 800


def calibration_texts(corpus: Path, per_genre: int, seed: int) -> list[str]:
    """Up to ``per_genre`` calibration documents of each training genre (cut at ``MAX_WORDS``)."""
    rng = random.Random(seed)
    texts = []
    for _genre, docs in sorted(training_documents(corpus, seed=seed).items()):
        part = [d for d in docs if split_of(d.id, seed) == "calibration"]
        for doc in rng.sample(part, min(per_genre, len(part))):
            texts.append(" ".join(doc.text.split(" ")[:MAX_WORDS]) if len(doc.text.split()) > MAX_WORDS else doc.text)
    return texts


def write_card(folder: Path, section: str) -> None:
    """Replace the card's "**Suggestions.**" paragraph (or put one before the calibration metrics)."""
    path = folder / "MODEL_CARD.md"
    card = path.read_text(encoding="utf-8") if path.is_file() else ""
    paragraphs = [p for p in card.split("\n\n") if not p.startswith("**Suggestions.**")]
    at = next((i for i, p in enumerate(paragraphs) if p.startswith("**Calibration metrics**")), len(paragraphs))
    paragraphs.insert(at, section.strip())
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=default_model_dir())
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--per-genre", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0, help="the model's training seed (the split of documents)")
    parser.add_argument("--target", type=float, default=TARGET_PRECISION)
    args = parser.parse_args()
    try:
        model = load_model(args.model)
        texts = calibration_texts(args.corpus, args.per_genre, args.seed)
        metrics = calibrate_suggestions(model, texts, random.Random(args.seed), args.target)
    except (DetectorError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    path = args.model / "model.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["suggestion_threshold"] = model.suggestion_threshold
    data["suggestion_calibrator"] = model.suggestion_calibrator.to_dict()
    data.setdefault("info", {})["suggestions"] = metrics
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    model.info["suggestions"] = metrics
    write_card(args.model, card_section(model))
    print(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
