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

Four sources of changes, each recorded with its span in the *input*, the text before and after,
and a confidence:

* ``reference``: with the clean original at hand, every aligned substitution
  (:mod:`detector.repair.align`) is restored; text with no counterpart in the original (a correction
  note, a rewritten paragraph) keeps its own words, apart from the two sources below.
* ``model``: the detector's suggestion for a flagged span (a word's best candidate original, or a
  listed spun phrase's original, "for the reason that" -> "because"), when the span's score times
  the suggestion's confidence reaches the model's ``repair_threshold`` (chosen when the model was
  trained, on held-out documents, so that clean text is almost never touched). Short texts and
  single sentences are repaired span by span like long ones.
* ``learned``: swaps the spinner is known to make, read backwards: pairs seen in the aligned part
  (with a reference), given in a :class:`Dictionary`, or made at least twice in this text by
  confident model changes. Every other place that still has the spun phrase is restored, flagged or
  not, where the broad model of English finds the original far likelier in its context
  (``LEARNED_MIN_GAIN``). Each such change reports how often the pair was seen (``count``).
* ``dictionary``: a pair from a given dictionary applied inside a flagged span (the spans the
  detector already doubts need no evidence from the context).

A repair never touches a word that is neither an aligned substitution, nor flagged, nor a known
swap that the context prefers undone. With a reference, :attr:`RepairResult.left` says what text
without a counterpart keeps although it looks spun (a shown span with no sure original, a learned
swap the context does not prefer enough), and why.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from detector.errors import InputError
from detector.repair.align import align
from detector.spinner.spinner import carry_case

MIN_SIMILARITY = 0.2
LEARNED_MIN_GAIN = 1.0  # log10: a learned swap is undone where the original is ten times likelier in context
BATCH_LEARNED_MIN_GAIN = 2.0  # log10: a pair learned across a batch is undone where the original is 100x likelier
SELF_LEARN_FROM = 2  # confident model changes of the same pair in one text before it counts as learned
MAX_DICTIONARY_WORDS = 4


@dataclass(frozen=True)
class Change:
    """``input[start:end] == before`` becomes ``after``."""

    start: int
    end: int
    before: str
    after: str
    source: str  # "reference" | "model" | "learned" | "dictionary"
    confidence: float
    count: int | None = None  # learned: how often the pair was seen
    why: str = ""  # in plain words, why this change was made

    def to_dict(self) -> dict:
        out = asdict(self)
        if self.count is None:
            del out["count"]
        return out


@dataclass(frozen=True)
class Left:
    """A probable spinner's word in text without a counterpart in the reference that the repair
    left as it is, and why (``input[start:end] == text``)."""

    start: int
    end: int
    text: str
    why: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RepairResult:
    text: str
    input: str
    changes: tuple[Change, ...]
    reference: dict | None = None
    left: tuple[Left, ...] = ()  # what looks spun but was left as it is (without a counterpart), and why

    def to_dict(self) -> dict:
        return {"text": self.text, "changes": [c.to_dict() for c in self.changes], "reference": self.reference,
                "left": [x.to_dict() for x in self.left]}


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

    Pairs given (a dictionary file, an aligned reference) count from their first sighting; pairs the
    detector taught itself in one text (``self_taught``) only from ``SELF_LEARN_FROM`` sightings.
    """

    def __init__(self, pairs: Counter | None = None):
        self.pairs: Counter[tuple[str, str]] = pairs or Counter()
        self.taught: Counter[tuple[str, str]] = Counter()

    def add(self, spun: str, original: str, count: int = 1, self_taught: bool = False) -> None:
        for s, o in _word_pairs(spun, original):
            if s[:1].isupper() and s[1:2].islower() and o[:1].isupper() and o[1:2].islower():
                o = o[:1].lower() + o[1:]  # sentence-initial capital, not a name
            if s and o and s.lower() != o.lower() and len(s.split()) <= MAX_DICTIONARY_WORDS:
                (self.taught if self_taught else self.pairs)[(s.lower(), o)] += count

    def learn(self, spun: str, original: str) -> int:
        """Add the substitutions of one aligned (spun, original) pair; returns how many."""
        subs = align(spun, original).substitutions
        for learned in dict.fromkeys(pair.learned for pair in subs):
            self.add(*learned)
        return len(subs)

    def best(self, spun_phrase: str) -> str | None:
        key = spun_phrase.lower()
        for table in (self.pairs, self.taught):
            options = [(n, orig) for (s, orig), n in table.items() if s == key]
            if options:
                return max(options)[1]
        return None

    def count(self, spun_phrase: str) -> int:
        key = spun_phrase.lower()
        return sum(n for table in (self.pairs, self.taught) for (s, _), n in table.items() if s == key)

    def phrases(self, min_count: int = 1, given_only: bool = False) -> list[str]:
        """Spun phrases, longest first (so "telephone quantity" wins over "quantity"): every given one,
        and self-taught ones seen at least ``min_count`` times."""
        found = {s for s, _ in self.pairs}
        if not given_only:
            found |= {s for s in {s for s, _ in self.taught} if self.count(s) >= min_count}
        return sorted(found, key=lambda s: (-len(s.split()), s))

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


def _word_pairs(spun: str, original: str) -> list[tuple[str, str]]:
    """The differing runs of two phrases, word by word; words the spinner added are learned with the
    word before them ("Chinese language" -> "Chinese"); a phrase that differs throughout is one pair.

    >>> _word_pairs("Chinese language customers", "Chinese users"), _word_pairs("stated", "said")
    ([('language customers', 'users')], [('stated', 'said')])
    >>> _word_pairs("the Chinese language app", "the Chinese app")
    [('Chinese language', 'Chinese')]
    """
    a, b = spun.split(), original.split()
    if len(a) <= 1 or not b:
        return [(spun.strip(), original.strip())]
    out = []
    ops = difflib.SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" or i2 == i1:
            continue
        # a run that touches a deletion is learned with its neighbour: the deletion needs an anchor
        lo, hi = i1, i2
        jlo, jhi = j1, j2
        if j2 == j1 or (k + 1 < len(ops) and ops[k + 1][0] == "delete"):
            if i1 > 0:
                lo, jlo = i1 - 1, j1 - 1
            elif i2 < len(a):
                hi, jhi = i2 + 1, j2 + 1
        if tag == "delete" and k > 0 and ops[k - 1][0] == "replace":
            continue  # taken with the replacement before it
        out.append((" ".join(a[lo:hi]), " ".join(b[jlo:jhi])))
    return out


MIN_CONTAINMENT = 0.3  # share of the text's fingerprint a corpus record must hold to be its source


def repair(text: str, reference: str | None = None, dictionary: Dictionary | None = None,
           scorer=None, corpus=None, scored=None, learned: Dictionary | None = None) -> RepairResult:
    """Repair ``text`` with a reference, a dictionary, the detector's suggestions, or all three.

    ``corpus`` (a :class:`~detector.repair.fingerprint.SourceIndex`, an index folder, or a corpus file or
    folder) is searched for the reference when none is given; below ``MIN_CONTAINMENT`` the repair
    goes on without one. ``scored``: the text's :class:`~detector.detection.scoring.ScoreResult`, when the
    caller has it already (batch cleaning), so that it is not scored twice. ``learned``: pairs learned
    across a batch (:mod:`detector.detection.batch_learning`), undone wherever the broad model finds
    the original ``BATCH_LEARNED_MIN_GAIN`` (log10) likelier (source ``learned``, with the pair's count).
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
    regions: list[tuple[int, int]] = [(0, len(text))]
    batch = learned
    left: list[Left] = []
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
            changes.append(Change(pair.spun_start, pair.spun_end, pair.spun, pair.original, "reference", 1.0,
                                  why="the reference has these words in this place"))
        for pair in alignment.substitutions:
            learned.add(*pair.learned)
            if pair.phrase:  # a word of a word-for-word swap also teaches the word ("telephone" <- "phone")
                learned.add(pair.spun, pair.original)
        regions = list(alignment.edits)
    if regions:
        from detector.detection.scoring import Scorer

        scorer = scorer or Scorer()
        if scored is None or scored.text != text:
            scored = scorer.score(text)
        if getattr(scorer, "rereader", None) is not None and not scored.reread:  # scored in a batch: read again
            from detector.detection.rereading import reread_results

            scored = reread_results(scorer, [scored], scorer.rereader, scorer.reread_lm)[0]
        taken = [(c.start, c.end) for c in changes]
        tables = scorer.model.tables
        rereader = getattr(scorer, "rereader", None)
        threshold = rereader.repair_threshold if rereader is not None else scorer.model.repair_threshold
        note = " (no counterpart in the reference)" if reference is not None else ""
        model_changes = _model_changes(text, regions, scored, threshold, taken, note)
        if rereader is not None and model_changes:  # a swap can be judged once its neighbour is undone
            model_changes += reread_rounds(text, regions, changes + model_changes, scorer, threshold, taken, note)
        changes += model_changes
        changes += _dictionary_changes(text, regions, scored, learned, taken)
        if batch is not None:  # a batch's pairs: seen often, but far likelier here all the same
            changes += _learned_changes(text, regions, batch, tables, taken, min_gain=BATCH_LEARNED_MIN_GAIN)
        if reference is None:  # the detector's own confident swaps teach it the spinner's habits
            for c in model_changes:
                learned.add(c.before, c.after, count=1, self_taught=True)
        skipped: list[Left] = []
        changes += _learned_changes(text, regions, learned, tables, taken, min_count=SELF_LEARN_FROM,
                                    skipped=skipped)
        left = _left_unrepaired(text, regions, scored, threshold, taken, skipped)
    changes.sort(key=lambda c: c.start)
    return RepairResult(apply_changes(text, changes), text, tuple(changes), ref_info, tuple(left))


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


def _inside(regions, start: int, end: int) -> bool:
    return any(b <= start and end <= e for b, e in regions)


def _may_change(regions, start: int, end: int, text: str, after: str) -> bool:
    """A change inside ``regions``, or one that reaches out of a region only over words it keeps
    ("Chinese language" -> "Chinese" where only "language" has no counterpart in the reference)."""
    if _inside(regions, start, end):
        return True
    for b, e in regions:
        if start < e and b < end:
            left = text[start:b].strip().lower() if start < b else ""
            right = text[e:end].strip().lower() if end > e else ""
            if after.lower().startswith(left) and after.lower().endswith(right):
                return True
    return False


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return not any(start < e and s < end for s, e in taken)


def _model_changes(text: str, regions, scored, threshold: float, taken: list[tuple[int, int]],
                   note: str = "", shift=None) -> list[Change]:
    """The detector's suggestions inside ``regions``, each replacement of a span on its own, when its
    confidence (the word's probability of being spun x the candidate's of being its original) reaches
    ``threshold``: a span's sure part is repaired even when another part is not. ``shift``: maps a
    span of the scored text to the input's (None where it is not one), for a text already repaired."""
    out = []
    for span in scored.spans:
        reasons = span.change_reasons if len(span.change_reasons) == len(span.changes) else ()
        for k, (start, end, after, confidence) in enumerate(span.changes):
            if confidence < threshold:
                continue
            if shift is not None:
                moved = shift(start, end)
                if moved is None:
                    continue
                start, end = moved
            if _inside(regions, start, end) and _free(taken, start, end) and text[start:end] != after:
                taken.append((start, end))
                why = reasons[k] if reasons else (f"flagged (score {span.score:.2f}); '{after}' is its probable "
                                                  f"original")
                out.append(Change(start, end, text[start:end], after, "model", round(confidence, 3),
                                  why=f"{why}; confidence {confidence:.2f} ({threshold} needed){note}"))
    return out


REREAD_ROUNDS = 2  # times a repaired text's changed sentences are read again


def reread_rounds(text: str, regions, changes: list[Change], scorer, threshold: float,
                  taken: list[tuple[int, int]], note: str = "") -> list[Change]:
    """Once confident swaps are undone, read the sentences they were in again: a word whose
    neighbour was spun could not be judged before ("telephone quantity": "quantity" is undone
    first, then "telephone" reads wrong before "number"). New changes must lie in words no change
    has touched; up to ``REREAD_ROUNDS`` rounds, while any is found."""
    from detector.detection.rereading import reread_results, sentence_bounds

    done = sorted(changes, key=lambda c: c.start)
    out: list[Change] = []
    for _ in range(REREAD_ROUNDS):
        current = apply_changes(text, done)
        pieces, pos, at = [], 0, 0  # (start in current, end in current, start in input) of unchanged stretches
        touched = []
        for c in done:
            pieces.append((at, at + c.start - pos, pos))
            at += c.start - pos
            touched.append(sentence_bounds(current, at, at + len(c.after)) if c.source != "reference" else None)
            at += len(c.after)
            pos = c.end
        pieces.append((at, at + len(text) - pos, pos))
        touched = [t for t in touched if t is not None]
        if not touched:
            break

        def shift(start: int, end: int, pieces=pieces):
            for a, b, origin in pieces:
                if a <= start and end <= b:
                    return origin + start - a, origin + end - a
            return None

        def near(_i: int, span, touched=touched) -> bool:
            return any(a <= span.start < b for a, b in touched)

        scored = scorer.score(current, reread=False)
        scored = reread_results(scorer, [scored], scorer.rereader, scorer.reread_lm, only=near)[0]
        scored = replace(scored, spans=tuple(s for s in scored.spans if near(0, s)))
        found = _model_changes(text, regions, scored, threshold, taken, note + " (read again after the words "
                               "beside it were repaired)", shift)
        if not found:
            break
        out += found
        done = sorted(done + found, key=lambda c: c.start)
    return out


def _dictionary_changes(text: str, regions, scored, learned: Dictionary,
                        taken: list[tuple[int, int]]) -> list[Change]:
    """Pairs of a given or aligned dictionary applied inside flagged spans (no context check needed)."""
    out = []
    phrases = learned.phrases(given_only=True)
    for span in scored.spans:
        if not _inside(regions, span.start, span.end):
            continue
        for phrase in phrases:
            for m in re.finditer(r"\b" + re.escape(phrase) + r"\b", text[span.start : span.end], re.IGNORECASE):
                start, end = span.start + m.start(), span.start + m.end()
                if not _free(taken, start, end):
                    continue
                before = text[start:end]
                taken.append((start, end))
                out.append(Change(start, end, before, carry_case(before, learned.best(phrase) or before), "dictionary",
                                  round(min(1.0, span.score), 3),
                                  why=f"a pair of the given dictionary, in a flagged span (score {span.score:.2f})"))
    return out


def _left_unrepaired(text: str, regions, scored, threshold: float, taken: list[tuple[int, int]],
                     skipped: list[Left]) -> list[Left]:
    """In text without a counterpart (``regions``), what the repair left: shown spans nothing changed,
    and learned swaps the context did not prefer enough (``skipped``), each with the reason."""
    out = [x for x in skipped if _free(taken, x.start, x.end)]
    for span in scored.shown_spans:
        if not _inside(regions, span.start, span.end) or not _free(taken, span.start, span.end):
            continue
        if any(x.start < span.end and span.start < x.end for x in out):
            continue
        if span.candidate is None:
            why = f"flagged (score {span.score:.2f}), but no candidate original fits the context better"
        else:
            sure = max((c[3] for c in span.changes), default=0.0)
            why = (f"flagged (score {span.score:.2f}); its probable original '{span.candidate}' is not sure enough "
                   f"to apply (confidence {sure:.2f}, {threshold} needed)")
        out.append(Left(span.start, span.end, span.text, why))
    return sorted(out, key=lambda x: x.start)


def _learned_changes(text: str, regions, learned: Dictionary, tables, taken: list[tuple[int, int]],
                     min_count: int = 1, min_gain: float | None = None,
                     skipped: list[Left] | None = None) -> list[Change]:
    """Known swaps undone wherever they are left and the broad model prefers the original in context.

    The more often a pair was seen, the less the context must prefer the original: ``LEARNED_MIN_GAIN``
    (log10) divided by the count (a pair seen ten times is undone wherever the original fits at
    least as well). ``min_gain``: one threshold whatever the count (pairs learned across a batch,
    whose count says nothing about this text: ``BATCH_LEARNED_MIN_GAIN``, measured on the batch
    set of ``benchmarks/batch_learning.py``, where at ten times true pairs also undid natural uses)."""
    from detector.detection.features import replacement_gains

    sites = []
    for phrase in learned.phrases(min_count=min_count):
        original = learned.best(phrase)
        for m in re.finditer(r"\b" + re.escape(phrase) + r"\b", text, re.IGNORECASE):
            after = carry_case(m.group(), original)
            if _may_change(regions, m.start(), m.end(), text, after) and _free(taken, m.start(), m.end()):
                sites.append((m.start(), m.end(), after, learned.count(phrase)))
    gains = replacement_gains(text, tables, [(a, b, after) for a, b, after, _ in sites])
    out = []
    # longer phrases first (more specific evidence), then the strongest context preference
    order = sorted(zip(sites, gains), key=lambda x: (-len(text[x[0][0] : x[0][1]].split()),
                                                     -np.nan_to_num(x[1], nan=-9)))
    for (start, end, after, count), gain in order:
        need = LEARNED_MIN_GAIN / count if min_gain is None else min_gain
        if gain >= need and gain > 0 and _free(taken, start, end):
            taken.append((start, end))
            out.append(Change(start, end, text[start:end], after, "learned", round(float(1 - 10 ** -gain), 3), count,
                              why=f"the spinner's '{text[start:end]}' for '{after}' was seen {count} times, and the "
                                  f"model of English finds '{after}' {10 ** gain:.1f} times likelier here"))
        elif skipped is not None and gain > 0 and _free(taken, start, end) and learned.pairs.get(
                (text[start:end].lower(), after.lower())):
            needed = 10 ** (LEARNED_MIN_GAIN / count)
            skipped.append(Left(start, end, text[start:end], f"the spinner's '{text[start:end]}' for '{after}' was "
                                f"seen {count} times, but the model of English finds '{after}' only "
                                f"{10 ** gain:.1f} times likelier here ({needed:.1f} times needed)"))
    return out
