"""Fitting the rereading stage: the choice weights, the piece calibrator and the two thresholds.

>>> records = [{"half": 0, "gains": [2.0, 1.0], "thesaurus": [False, True], "degree": [0.0, 1.0],
...             "cosine": [0.1, 0.5], "neural": [True, False], "right": 1}]
>>> choice_accuracy(records, ChoiceWeights(thesaurus=2.0, degree=0.5, cosine=4.0, neural_only=-1.0))
1.0
>>> choice_accuracy(records, ChoiceWeights(thesaurus=0.0, degree=0.0, cosine=0.0, neural_only=0.0))
0.0

Everything is measured on spun calibration text of the training genres (each document clean and
spun once by a random training spinner, :func:`~detector.detection.suggestions.spin_for_calibration`),
split by a hash of the original into two halves: the first chooses the weights of the choice
(:class:`~detector.detection.rereading.ChoiceWeights`, the most pieces whose choice is exactly the
original) and fits the :class:`~detector.detection.rereading.PieceCalibrator`; the second chooses
the suggestion threshold (the lowest from which ``target`` of the shown suggestions are exactly the
original) and the repair threshold (the lowest at which the pieces repair would change on clean
text stay under ``clean_limit`` of its words and ``target`` of the applied changes are right), and
reports both. ``scripts/calibrate_rereading.py`` runs it.
"""

from __future__ import annotations

import itertools

import numpy as np

from detector.detection.rereading import ChoiceWeights, Piece, PieceCalibrator, Reread, Rereader, span_choice
from detector.detection.suggestions import choose_threshold, judge, suggestion_metrics

GRID = {"thesaurus": (0.0, 1.0, 2.0, 3.0, 5.0, 8.0), "degree": (0.0, 0.5, 1.0), "cosine": (0.0, 2.0, 4.0, 8.0),
        "neural_only": (-6.0, -3.0, -1.0, 0.0)}
CLEAN_LIMIT = 0.0004  # share of clean words repair may change (the target is 0.05%: a margin for sampling)


def _words(text: str | None) -> list[str]:
    from detector.detection.rereading import _words as words

    return words(text or "")


def piece_record(p: Piece, truth: str | None, half: int) -> dict:
    """What the fitting needs of a read piece: each branched candidate's gain and prior, and which
    one is the original (``right``: its index among them, -1 none, -2 the piece was not spun)."""
    js = sorted(p.gains)
    cos = getattr(p, "cosines", [0.0] * len(p.candidates))
    right = -2 if truth is None else next((k for k, j in enumerate(js)
                                           if _words(p.candidates[j]) == _words(truth)), -1)
    return {"half": half, "gains": [p.gains[j] for j in js], "thesaurus": [p.thesaurus[j] for j in js],
            "degree": [p.degree[j] for j in js], "cosine": [cos[j] for j in js], "neural": [p.neural[j] for j in js],
            "right": right}


def choice_accuracy(records: list[dict], weights: ChoiceWeights) -> float:
    """Share of spun pieces whose original is among the branched candidates that the key picks."""
    hits = total = 0
    for r in records:
        if r["right"] < 0 or not r["gains"]:
            continue
        key = weights.key(np.array(r["gains"]), r["thesaurus"], r["degree"], r["cosine"], r["neural"])
        hits += int(np.argmax(key)) == r["right"]
        total += 1
    return hits / total if total else 0.0


def fit_weights(records: list[dict]) -> tuple[ChoiceWeights, float]:
    """The grid's weights that pick the original most often."""
    best, score = ChoiceWeights(), -1.0
    for values in itertools.product(*GRID.values()):
        w = ChoiceWeights(**dict(zip(GRID, values)))
        acc = choice_accuracy(records, w)
        if acc > score:
            best, score = w, acc
    return best, score


def _rechoose(pieces: list[Piece], rereader: Rereader, tables) -> None:
    engine = Reread.__new__(Reread)
    engine.tables, engine.rereader = tables, rereader
    engine.choose(pieces)


def fit(read: list[tuple[object, object, list[Piece]]], tables, target: float = 0.9,
        clean_limit: float = CLEAN_LIMIT) -> tuple[Rereader, dict]:
    """Fit a :class:`Rereader` on ``read``: (SpinResult, its ScoreResult, its read pieces, half) per
    document, half 0 fitting the choice and calibrator, 1 choosing the thresholds. Returns it and
    its metrics."""
    records = [piece_record(p, truth, half) for _s, _r, ps, half in _labelled(read) for p, truth in ps]
    weights, accuracy = fit_weights([r for r in records if r["half"] == 0])
    rereader = Rereader(None, weights)
    every = [p for _s, _r, ps, _h in read for p in ps]
    _rechoose(every, rereader, tables)
    X, y = [], []
    for _spun, _r, ps, half in _labelled(read):
        for p, truth in ps:
            if half == 0 and p.features is not None:
                X.append(p.features)
                y.append(truth is not None and _words(p.after) == _words(truth))
    rereader.calibrator = PieceCalibrator.fit(np.array(X), np.array(y, dtype=int))
    _rechoose(every, rereader, tables)
    outcomes, changes, clean_words = [], [], 0
    for spun, result, ps, half in _labelled(read):
        if half != 1:
            continue
        if not spun.substitutions:
            clean_words += len(result.text.split())
        by_span: dict[int, list[Piece]] = {}
        for p, _t in ps:
            by_span.setdefault(p.span, []).append(p)
        for k, span in enumerate(result.spans):
            if span.score < result.display_threshold:  # suggestions are judged on the spans people see
                continue
            candidate, confidence, pieces_changed, _ = span_choice(result.text, span, by_span.get(k, []))
            true, correct = judge(span.start, span.end, candidate, spun)
            outcomes.append({"shown": True, "candidate": candidate is not None, "probability": confidence,
                             "true": true, "correct": correct})
        for p, truth in ps:
            if p.choice >= 0 and p.gains.get(p.choice, 0.0) > 0:
                changes.append({"confidence": p.word_prob * p.probability, "clean": not spun.substitutions,
                                "right": truth is not None and _words(p.after) == _words(truth),
                                "spun_word": truth is not None})
    rereader.suggestion_threshold = choose_threshold(outcomes, target)
    shown = suggestion_metrics(outcomes, rereader.suggestion_threshold)
    rereader.repair_threshold = _repair_threshold(changes, clean_words, target, clean_limit)
    applied = [c for c in changes if c["confidence"] >= rereader.repair_threshold]
    metrics = {"choice_accuracy_fit_half": round(accuracy, 4), "weights": vars(weights),
               "suggestion_threshold": rereader.suggestion_threshold,
               **{f"suggestions_{k}": (round(v, 4) if isinstance(v, float) else v) for k, v in shown.items()},
               "repair_threshold": rereader.repair_threshold, "repair_changes": len(applied),
               "repair_right": round(sum(c["right"] for c in applied) / max(len(applied), 1), 4),
               "clean_words": clean_words,
               "clean_words_changed": sum(c["clean"] for c in applied)}
    rereader.info = {"calibration": metrics}
    return rereader, metrics


def _repair_threshold(changes: list[dict], clean_words: int, target: float, clean_limit: float) -> float:
    """The lowest piece confidence at which repair changes at most ``clean_limit`` of the clean
    words and at least ``target`` of its changes are right."""
    for cut in np.round(np.arange(0.3, 0.991, 0.01), 2):
        applied = [c for c in changes if c["confidence"] >= cut]
        if not applied:
            return round(float(cut), 2)
        clean = sum(c["clean"] for c in applied)
        right = sum(c["right"] for c in applied) / len(applied)
        if clean <= clean_limit * max(clean_words, 1) and right >= target:
            return round(float(cut), 2)
    return 0.99


def _labelled(read):
    """(spun, result, [(piece, truth)], half) for each read document."""
    from detector.detection.rereading import piece_truth

    for spun, result, pieces, half in read:
        yield spun, result, [(p, piece_truth(spun, p.start, p.end)) for p in pieces], half
