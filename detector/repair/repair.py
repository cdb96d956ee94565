"""Where a repair is chosen: give a spun text its original wording back, and say what changed.

>>> spun = "Customers of the Chinese language app stated it was well-liked among customers."
>>> original = "Users of the Chinese app said it was popular with users."
>>> result = repair(spun, reference=original)
>>> result.text
'Users of the Chinese app said it was popular with users.'
>>> apply_changes(spun, result.changes) == result.text
True
>>> [(c.before, c.after, c.source) for c in result.changes][:2]
[('Customers', 'Users', 'reference'), (' language', '', 'reference')]

Three sources of changes, each recorded with its span in the *input*, the text before and after,
and a confidence:

* ``reference``: with the clean original at hand, every aligned substitution
  (:mod:`detector.repair.align`) is restored; text with no counterpart in the original (a correction
  note, a rewritten paragraph) keeps its own words.
* ``dictionary``: replacement pairs learned from the aligned part (or given as a
  :class:`Dictionary`) are applied where the text has no counterpart, but only to words the
  detector flags.
* ``model``: without a reference, the detector's suggestion for a flagged span, only in a text whose
  document score reaches ``MIN_DOCUMENT_SCORE`` and only when the span's score times the candidate
  model's probability for the suggestion reaches ``MIN_MODEL_CONFIDENCE``.

A repair never touches a word that is neither an aligned substitution nor flagged by the detector.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from detector.errors import InputError
from detector.repair.align import align
from detector.spinner.spinner import carry_case

MIN_SIMILARITY = 0.2
MIN_DOCUMENT_SCORE = 0.8  # without a reference, only texts scoring at least this are repaired
MIN_MODEL_CONFIDENCE = 0.4  # span score x the candidate model probability; chosen on held-out TRAIN records
MAX_DICTIONARY_WORDS = 4


@dataclass(frozen=True)
class Change:
    """``input[start:end] == before`` becomes ``after``."""

    start: int
    end: int
    before: str
    after: str
    source: str  # "reference" | "dictionary" | "model"
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RepairResult:
    text: str
    input: str
    changes: tuple[Change, ...]
    reference: dict | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "changes": [c.to_dict() for c in self.changes], "reference": self.reference}


def apply_changes(text: str, changes) -> str:
    """Replay changes (non-overlapping, any order) on ``text``; checks each ``before``."""
    out, pos = [], 0
    for change in sorted(changes, key=lambda c: (c.start, c.end)):
        if change.start < pos or text[change.start : change.end] != change.before:
            raise ValueError(f"change {change} does not apply to this text")
        out += [text[pos : change.start], change.after]
        pos = change.end
    out.append(text[pos:])
    return "".join(out)


class Dictionary:
    """Replacement pairs a spinner made (spun phrase -> original phrase), with counts.

    >>> d = Dictionary()
    >>> d.learn("Customers stated it. Customers like it.", "Users said it. Users like it.")
    3
    >>> d.best("customers"), d.best("customers stated")
    ('users', 'users said')
    """

    def __init__(self, pairs: Counter | None = None):
        self.pairs: Counter[tuple[str, str]] = pairs or Counter()

    def add(self, spun: str, original: str, count: int = 1) -> None:
        spun, original = spun.strip(), original.strip()
        if spun[:1].isupper() and spun[1:2].islower() and original[:1].isupper() and original[1:2].islower():
            original = original[:1].lower() + original[1:]  # sentence-initial capital, not a name
        if spun and original and spun.lower() != original.lower() and len(spun.split()) <= MAX_DICTIONARY_WORDS:
            self.pairs[(spun.lower(), original)] += count

    def learn(self, spun: str, original: str) -> int:
        """Add the substitutions of one aligned (spun, original) pair; returns how many."""
        subs = align(spun, original).substitutions
        for learned in dict.fromkeys(pair.learned for pair in subs):
            self.add(*learned)
        return len(subs)

    def best(self, spun_phrase: str) -> str | None:
        options = [(n, orig) for (s, orig), n in self.pairs.items() if s == spun_phrase.lower()]
        return max(options)[1] if options else None

    def phrases(self) -> list[str]:
        """Spun phrases, longest first (so "telephone quantity" wins over "quantity")."""
        return sorted({s for s, _ in self.pairs}, key=lambda s: (-len(s.split()), s))

    def to_json(self) -> dict:
        entries = [{"spun": s, "original": o, "count": n} for (s, o), n in self.pairs.most_common()]
        return {"format": 1, "pairs": entries}

    @classmethod
    def from_json(cls, data: dict) -> Dictionary:
        if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("pairs"), list):
            raise InputError('dictionary must be {"format": 1, "pairs": [{"spun", "original", "count"}...]}')
        d = cls()
        for entry in data["pairs"]:
            d.add(str(entry["spun"]), str(entry["original"]), int(entry.get("count", 1)))
        return d

    @classmethod
    def load(cls, path: str | Path) -> Dictionary:
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(f"cannot read dictionary {path}: {err}") from err


MIN_CONTAINMENT = 0.3  # share of the text's fingerprint a corpus record must hold to be its source


def repair(text: str, reference: str | None = None, dictionary: Dictionary | None = None,
           scorer=None, corpus=None, scored=None) -> RepairResult:
    """Repair ``text`` with a reference, a dictionary, the detector's suggestions, or all three.

    ``corpus`` (a :class:`~detector.repair.fingerprint.SourceIndex`, an index folder, or a corpus file or
    folder) is searched for the reference when none is given; below ``MIN_CONTAINMENT`` the repair
    goes on without one. ``scored``: the text's :class:`~detector.detection.scoring.ScoreResult`, when the
    caller has it already (batch cleaning), so that it is not scored twice.
    """
    changes: list[Change] = []
    ref_info = None
    found = None
    if isinstance(corpus, (str, Path)):
        from detector.repair.fingerprint import open_corpus

        corpus = open_corpus(corpus)
    if reference is None and corpus is not None:
        hits = corpus.search(text, top=1)
        if hits and hits[0][1] >= MIN_CONTAINMENT:
            found = hits[0]
            reference = corpus.text(found[0])
    edits: list[tuple[int, int]] = [(0, len(text))]
    learned = Dictionary(Counter(dictionary.pairs)) if dictionary else Dictionary()
    if reference is not None:
        alignment = align(text, reference)
        if alignment.similarity < MIN_SIMILARITY:
            raise InputError(f"reference shares too little with the input: similarity {alignment.similarity:.2f}")
        alignment = alignment.without_rewrites(text, plausible_pair)
        ref_info = {"id": found[0] if found else None, "similarity": round(alignment.similarity, 4)}
        if found:
            ref_info["containment"] = round(found[1], 4)
        for pair in alignment.substitutions:
            changes.append(Change(pair.spun_start, pair.spun_end, pair.spun, pair.original, "reference", 1.0))
        for phrase in dict.fromkeys(pair.learned for pair in alignment.substitutions):
            learned.add(*phrase)
        edits = list(alignment.edits)
    if edits and (learned.pairs or reference is None):
        taken = [(c.start, c.end) for c in changes]
        changes += _flagged_changes(text, edits, learned, scorer, use_model=reference is None, taken=taken,
                                    scored=scored)
    changes.sort(key=lambda c: c.start)
    return RepairResult(apply_changes(text, changes), text, tuple(changes), ref_info)


def plausible_pair(pair) -> bool:
    """Could a spinner have made this substitution? Yes when one side is an alternative of the other
    in a thesaurus (WordNet, broad, the phrase table), or when at least half the words pair up as
    candidate originals or spelling variants (favorite/favourite); small insertions or deletions and
    swaps of function words pass. "require users" for "permit overseas numbers" fails.
    """
    from detector.detection.model import load_model
    from detector.lexicon.thesaurus import STOPWORDS

    spun_phrase, orig_phrase = (x.lower().strip() for x in pair.learned)
    spun, orig = spun_phrase.split(), orig_phrase.split()
    if not spun or not orig:
        return len(spun) + len(orig) <= 2
    if len(spun) <= 2 and len(orig) <= 2 and all(w.strip(",.") in STOPWORDS for w in spun + orig):
        return True
    thesaurus = _known_thesaurus()
    if orig_phrase in {a.lower() for a in thesaurus.alternatives(spun_phrase)} or spun_phrase in {
            a.lower() for a in thesaurus.alternatives(orig_phrase)}:
        return True
    tables = load_model().tables

    def related(s: str, o: str) -> bool:
        if s[:4] == o[:4]:
            return True
        sid, oid = tables.vocab.id(s), tables.vocab.id(o)
        return sid > 1 and oid > 1 and (oid in tables.candidates(sid) or sid in tables.candidates(oid))

    paired = sum(any(related(s, o) for o in orig) for s in spun)
    return paired >= (max(len(spun), len(orig)) + 1) // 2


@functools.lru_cache(maxsize=1)
def _known_thesaurus():
    from detector.lexicon.lexicon import get_lexicon
    from detector.lexicon.thesaurus import load_thesaurus

    return load_thesaurus("wordnet-broad,phrases", get_lexicon())


def _flagged_changes(text: str, regions, learned: Dictionary, scorer, use_model: bool,
                     taken: list[tuple[int, int]], scored=None) -> list[Change]:
    """Dictionary (and, without a reference, model) changes inside ``regions``, on flagged words only,
    never overlapping the spans already ``taken``."""
    from detector.detection.scoring import Scorer

    if scored is None or scored.text != text:
        scored = (scorer or Scorer()).score(text)
    spans = [s for s in scored.spans if any(b <= s.start and s.end <= e for b, e in regions)]
    if use_model and scored.score < MIN_DOCUMENT_SCORE:
        use_model = False  # a text the detector does not think spun keeps its words
    out: list[Change] = []
    phrases = learned.phrases()
    for span in spans:
        for phrase in phrases:
            for m in re.finditer(r"\b" + re.escape(phrase) + r"\b", text[span.start : span.end], re.IGNORECASE):
                start, end = span.start + m.start(), span.start + m.end()
                if any(start < e and s < end for s, e in taken):
                    continue
                before = text[start:end]
                after = carry_case(before, learned.best(phrase) or before)
                taken.append((start, end))
                out.append(Change(start, end, before, after, "dictionary", round(min(1.0, span.score), 3)))
        confidence = span.score * span.suggestion_confidence
        if (use_model and span.suggestion and confidence >= MIN_MODEL_CONFIDENCE
                and not any(span.start < e and s < span.end for s, e in taken)):
            taken.append((span.start, span.end))
            out.append(Change(span.start, span.end, span.text, span.suggestion, "model", round(confidence, 3)))
    return out
