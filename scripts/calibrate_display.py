"""Set a model's two display thresholds again from its training calibration documents (clean).

    python scripts/calibrate_display.py --corpus ../shared/corpus [--model detector/data/model]

``detector train`` sets them as the last step; this reruns that step alone for an existing model
(after a change to how they are chosen), with the same rules: documents show at most
``display_per_100`` spans per 100 clean words in every training genre; texts under
``short_words`` words show a span on at most ``display_sentence_share`` of clean snippets of one to
three sentences, scored alone. Only ``model.json`` (and the model card's line) change.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from detector.detection.corpora import TRAINING, split_of, training_documents
from detector.detection.model import default_model_dir, load_model
from detector.detection.scoring import Scorer
from detector.detection.train import TrainConfig, _display_threshold, _snippet_probs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=default_model_dir())
    args = parser.parse_args()
    model = load_model(args.model)
    cfg = TrainConfig(**{k: v for k, v in model.info["config"].items() if k in TrainConfig.__dataclass_fields__})
    rng = random.Random(cfg.seed)
    by_genre = training_documents(args.corpus, cfg.min_words, cfg.seed)
    texts: dict[str, list[str]] = {}
    for genre in TRAINING:
        docs = [d for d in by_genre[genre] if split_of(d.id, cfg.seed) == "calibration"]
        texts[genre] = [d.text for d in rng.sample(docs, min(cfg.per_genre_calibration, len(docs)))]
    scorer = Scorer(model)
    token_sets = []
    for genre, items in texts.items():
        for start in range(0, len(items), 64):
            for probs in scorer.token_probabilities(items[start : start + 64]):
                token_sets.append((probs, None, 0, 0.0, genre))
    document = _display_threshold(token_sets, cfg.display_per_100)
    snippets = _snippet_probs(model, [t for items in texts.values() for t in items], rng)
    short = _display_threshold([], 0.0, snippets, cfg.display_sentence_share)
    path = args.model / "model.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    old = (data["display_threshold"], data.get("display_threshold_short"))
    data["display_threshold"], data["display_threshold_short"] = document, short
    data.setdefault("short_words", model.short_words)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    card = args.model / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    text = re.sub(r"display threshold\s+[0-9.]+ \(clean calibration text of every genre shows at most\s+[0-9.]+ spans "
                  r"per 100 words[^;]*;",
                  f"display threshold {document} (clean calibration text of every genre shows at most "
                  f"{cfg.display_per_100} spans per 100 words), and {short} for texts under {model.short_words} "
                  f"words (at most {100 * cfg.display_sentence_share:.1f}% of clean snippets of one to three "
                  "sentences of the calibration documents, scored alone, show a span);", text, flags=re.S)
    card.write_text(text, encoding="utf-8")
    print(f"display thresholds: documents {old[0]} -> {document}, short texts {old[1]} -> {short}")


if __name__ == "__main__":
    main()
