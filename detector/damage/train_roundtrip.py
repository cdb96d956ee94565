"""Training the round-trip sentence model: ``detector train-roundtrip``.

>>> labelled([("whats the time", ["What's the time?", "whats the time", "What is the time?", "", ""])])[1].tolist()
[0, 1, 1]

Data: ``back-translations.jsonl`` ({"src_text", "tgt_texts": five round trips through fr, es, it,
de, nl}). Label 0: the source; label 1: each round trip that differs from it beyond case and final
punctuation. The split holds out whole sources (``HELD_OUT``), so no held-out source, nor any of its
round trips, is trained on. See ``detector/data/roundtrip/MODEL_CARD.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from detector.damage.roundtrip import RoundTripModel, normalise

PIVOTS = ("fr", "es", "it", "de", "nl")  # the order of tgt_texts in the round-trip corpus
HELD_OUT = 0.2


def read_round_trips(path: Path) -> list[tuple[str, list[str]]]:
    """(source, [round trip through each pivot]) from the HWU64 back-translation file."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rows.append((record["src_text"], list(record["tgt_texts"])))
    return rows


def split_sources(n: int, seed: int) -> np.ndarray:
    """True for held-out rows: the split is by source sentence."""
    return np.random.default_rng(seed).random(n) < HELD_OUT


def labelled(rows: list[tuple[str, list[str]]]) -> tuple[list[str], np.ndarray, list[str]]:
    """Sources (0) and their round trips that differ from them (1), with each text's pivot."""
    texts, labels, pivots = [], [], []
    for source, trips in rows:
        texts.append(source)
        labels.append(0)
        pivots.append("source")
        for pivot, trip in zip(PIVOTS, trips):
            if trip.strip() and normalise(trip) != normalise(source):
                texts.append(trip)
                labels.append(1)
                pivots.append(pivot)
    return texts, np.array(labels), pivots


def train_roundtrip(corpus: Path, out: Path, seed: int = 0, c: float = 4.0) -> dict:
    """Fit the sentence model on the training sources' round trips; report held-out ROC AUC."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rows = read_round_trips(corpus)
    held = split_sources(len(rows), seed)
    train_texts, train_y, _ = labelled([r for r, h in zip(rows, held) if not h])
    test_texts, test_y, test_pivots = labelled([r for r, h in zip(rows, held) if h])
    fitted = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed).fit(
        RoundTripModel.features(train_texts), train_y)
    coef = fitted.coef_[0].astype(np.float32)
    index = np.nonzero(coef)[0]
    info = {"name": "roundtrip-hwu64", "version": "0.1.0", "seed": seed, "C": c, "held_out_share": HELD_OUT,
            "train_texts": len(train_texts), "test_texts": len(test_texts)}
    model = RoundTripModel(index, coef[index], float(fitted.intercept_[0]), info)
    probs = model.predict(test_texts)
    pivots = np.array(test_pivots)
    info["held_out_auc"] = round(float(roc_auc_score(test_y, probs)), 4)
    for pivot in PIVOTS:
        mask = (pivots == pivot) | (pivots == "source")
        info[f"held_out_auc_{pivot}"] = round(float(roc_auc_score(test_y[mask], probs[mask])), 4)
    model.info = info
    model.save(out, _card(info, c, seed))
    return info


def _card(info: dict, c: float, seed: int) -> str:
    return f"""# Round-trip sentence model (roundtrip-hwu64 {info['version']})

Logistic regression (C={c}, balanced classes) over hashed word 1-3-grams and character 2-5-grams
(2 x 2^20 features, scikit-learn's HashingVectorizer, l2-normalised) of lower-cased sentences without
final punctuation. Stored as the non-zero weights (`weights.npz`, loaded with `allow_pickle=False`)
and `model.json`; nothing is executed on loading.

Data: `roundtrip-hwu64/back-translations.jsonl` (HWU64 utterances, CC BY-SA 3.0; round trips through
fr, es, it, de, nl with MarianMT). Label 0: the source; label 1: each round trip that differs from it
beyond case and final punctuation. Split by source sentence ({HELD_OUT:.0%} held out, seed {seed}):
{info['train_texts']:,} training texts, {info['test_texts']:,} held-out texts.

Held-out ROC AUC: {info['held_out_auc']} (fr {info['held_out_auc_fr']}, es {info['held_out_auc_es']},
it {info['held_out_auc_it']}, de {info['held_out_auc_de']}, nl {info['held_out_auc_nl']}).

Limits: the sources are short, informal voice commands; much of what the model learns is that a round
trip is *tidier* than its source (typos corrected, "whats" -> "what is"). On news prose it does not
separate clean from round-tripped articles (clean seeds 001 and 002 average the same as seed 004),
which is why detector uses it only with a small weight in sentence scores and not in document scores.

Reproduce: `detector train-roundtrip --corpus ../shared/corpus/roundtrip-hwu64/back-translations.jsonl
-o detector/data/roundtrip --seed {seed}`
"""
