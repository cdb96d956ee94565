"""Where damage other than spinning is gathered: the ``damage`` object of a score.

>>> found = damage("Users welcomed the app on Wednesday, the company said in a statement.\\n"
...                "用户周三欢迎该应用,公司在一份声明中表示。\\n")
>>> sorted(found), found["interleaved_translation"]["languages"]
(['interleaved_translation', 'mt_provenance', 'mt_roundtrip', 'repeated_lines', 'translation_mismatch'], ['chinese'])

``mt_roundtrip`` (:mod:`detector.damage.roundtrip`: word salad, sentence by sentence) and
``mt_provenance`` (:mod:`detector.damage.provenance`: machine-translated or not, over many
sentences) are scored on the English lines only;
``interleaved_translation`` and ``repeated_lines`` (:mod:`detector.damage.lines`) are
document-level damage with line spans; ``translation_mismatch`` (:mod:`detector.damage.bilingual`)
pairs each interleaved line with its English and reports the numbers, dates and names one side
changed. Each entry has a ``score`` in [0, 1] and ``spans`` in the form of spinning spans; none
of it changes the spinning score.
"""

from __future__ import annotations

from detector.damage.bilingual import bilingual_damage
from detector.damage.lines import line_damage
from detector.damage.roundtrip import roundtrip_and_provenance_many

LABELS = {"mt_roundtrip": "machine-translation word salad", "mt_provenance": "machine-translated (provenance)",
          "interleaved_translation": "interleaved translation",
          "repeated_lines": "repeated lines",
          "translation_mismatch": "numbers or names changed in translation"}  # each kind, as people read it


def damage(text: str, encoded=None, features=None, lm=None) -> dict:
    """All damage scores of ``text`` (see the module docstring); ``encoded`` and ``features``: the
    text's encoding and spinning features when already computed (:func:`roundtrip_damage`);
    ``lm``: the neural model of English for the word-salad stage (``None``: the n-gram report)."""
    return damage_many([text], None if encoded is None else [encoded], None if features is None else [features],
                       lm)[0]


def damage_many(texts: list[str], encoded=None, features=None, lm=None) -> list[dict]:
    """:func:`damage` of several texts, the round-trip evidence in one pass (much faster in bulk)."""
    lines = [line_damage(text) for text in texts]
    skips = [[(s["start"], s["end"]) for s in found["interleaved_translation"]["spans"]] for found in lines]
    trips, origins = roundtrip_and_provenance_many(list(texts), None, skips, encoded, features, lm=lm)
    return [{"mt_roundtrip": trip, "mt_provenance": origin, **found, "translation_mismatch": _mismatch(text, found)}
            for trip, origin, found, text in zip(trips, origins, lines, texts)]


def _mismatch(text: str, lines: dict) -> dict:
    """The bilingual check, only where the page carries lines in another language."""
    if not lines["interleaved_translation"]["spans"]:
        return {"score": 0.0, "pairs": 0, "spans": []}
    return bilingual_damage(text)
