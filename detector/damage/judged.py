"""English machine translations with human judgements of their errors, as sentence records.

>>> visible("Fluency/Grammar"), visible("Accuracy/Mistranslation"), visible("Style/Awkward"), visible(None)
(True, False, True, None)
>>> bad_chars("ab cd ef", [(3, 5)]).tolist()
[False, False, False, True, True, False, False, False]

The human-judgement damage model (:mod:`detector.damage.train_judged`) learns "a person marked an
error here" from these records, read from ``mt-judged/`` and ``roundtrip-more/mlqe-pe-xen`` of the
corpus folder (each folder's SOURCE.txt tells what it is). Every record is one MT output (a
sentence or a segment) with:

* ``spans``: character ranges of ``text`` a person marked as an error of a kind the English shows
  on its own (fluency, grammar, spelling, style, unintelligible or untranslated words; MQM's
  accuracy categories are left out where the category is known; word tags from post-editing, as in
  MLQE-PE and WMT QE, count every tag);
* ``major``: a visible error of major or critical severity (or, for post-edited data, an HTER of
  at least ``HTER_MAJOR``); ``clean``: no error at all (HTER 0);
* ``pair`` (the source language), ``system``, ``dataset`` and ``unit`` (the source segment: every
  translation of one source stays on one side of a split).

The split is fixed here by licence and by language pair: the shipped model is trained only on data
whose licence allows it (``TRAIN_SETS``: bio-mqm under Apache-2.0, MLQE-PE under CC0, DEMETR under
MIT) minus whole held-out language pairs (``HELD_OUT_PAIRS``); the research-only sets (Google's
MQM of WMT zh-en, WMT QE, the literary MQM) are read for evaluation only, with every one of their
systems unseen in training.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HTER_MAJOR = 0.3  # an MLQE-PE sentence whose post-edit changed this share of words or more counts as a major error
TRAIN_SETS = ("bio-mqm", "mlqe-pe", "demetr")
HELD_OUT_PAIRS = {"bio-mqm": ("ru", "zh"), "mlqe-pe": ("ru", "si"), "demetr": ("ja", "ru", "zh")}
EVAL_SETS = ("google-mqm-zhen", "wmt-qe-xen", "litmt-mqm", "bio-mqm", "mlqe-pe", "acceptability")
_VISIBLE = ("fluency", "style", "linguistic_conventions", "spelling", "grammar", "punctuation", "non-fluent",
            "unintelligible", "untranslated", "non-translation", "accuracy/untranslated", "inconsistency")
_SEVERE = ("major", "critical")


@dataclass
class Judged:
    """One MT output with its human judgement (see the module docstring)."""

    text: str
    dataset: str
    pair: str
    system: str
    unit: str
    spans: list[tuple[int, int]]
    major: bool
    clean: bool
    major_any: bool = False
    word_tags: tuple[list[str], list[str]] | None = field(default=None, repr=False)
    synthetic: bool = False

    @property
    def role(self) -> str:
        return role(self.dataset, self.pair)


def role(dataset: str, pair: str) -> str:
    """``train`` or ``held-out``: research-only sets and held-out language pairs are never trained on.

    >>> role("bio-mqm", "de"), role("bio-mqm", "zh"), role("google-mqm-zhen", "zh")
    ('train', 'held-out', 'held-out')
    """
    if dataset in TRAIN_SETS and pair not in HELD_OUT_PAIRS.get(dataset, ()):
        return "train"
    return "held-out"


def visible(category: str | None) -> bool | None:
    """Whether an MQM category is an error the English shows on its own (``None``: not released)."""
    if category is None:
        return None
    lower = category.lower().replace(" ", "_")
    if lower.startswith("accuracy/") and "untranslated" not in lower:
        return False
    return any(lower.startswith(v) or v in lower for v in _VISIBLE)


def bad_chars(text: str, spans: list[tuple[int, int]]) -> np.ndarray:
    """A boolean per character of ``text``: inside a marked span."""
    out = np.zeros(len(text), dtype=bool)
    for start, end in spans:
        out[max(start, 0) : max(end, 0)] = True
    return out


def _lines(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _mqm(row: dict, dataset: str, unit: str, known_categories: bool = True) -> Judged:
    spans, major, major_any = [], False, False
    for error in row.get("errors") or []:
        severity = str(error.get("severity") or "").lower()
        if severity == "neutral":
            continue
        shows = visible(error.get("category")) if known_categories else True
        if shows is None:
            shows = True
        major_any |= severity in _SEVERE
        if not shows:
            continue
        major |= severity in _SEVERE
        has_span = error.get("start") is not None and error.get("end") is not None and error["end"] > error["start"]
        if has_span and error.get("span_recovery") in (None, "rater-edited", "prefix-anchored", "suffix-anchored",
                                                       "end-exclusive"):
            spans.append((int(error["start"]), int(error["end"])))
    clean = not any(str(e.get("severity") or "").lower() != "neutral" for e in row.get("errors") or [])
    return Judged(row["mt"], dataset, row.get("source_lang") or "?", row.get("system") or "?", unit, spans, major,
                  clean, major_any)


def read_bio(corpus: Path) -> list[Judged]:
    out = []
    for row in _lines(corpus / "mt-judged" / "bio-mqm" / "round2.jsonl.gz"):
        if row.get("is_human_translation"):
            continue
        out.append(_mqm(row, "bio-mqm", f"bio:{row['source_lang']}:{row['doc']}:{row['seg_id']}"))
    return out


def read_google(corpus: Path) -> list[Judged]:
    out = []
    for name in ("newstest2020", "newstest2021", "generalMT2023-sxs"):
        for row in _lines(corpus / "mt-judged" / "google-mqm-zhen" / f"{name}.jsonl.gz"):
            if row.get("is_human_translation"):
                continue
            judged = _mqm(row, "google-mqm-zhen", f"google:{name}:{row['doc']}:{row['doc_seg']}")
            judged.system = f"{name}:{judged.system}"
            out.append(judged)
    return out


def read_wmt_qe(corpus: Path) -> list[Judged]:
    """WMT22/23 QE into English, by their word tags (from post-edits, or from MQM spans of every
    category): the text is the tokens joined by spaces. A sentence is major with MQM spans of major
    severity, or (tags only) with ``HTER_MAJOR`` of its words BAD; clean with no BAD word."""
    out = []
    folder = corpus / "mt-judged" / "wmt-qe-xen"
    for path in sorted(folder.glob("*.jsonl")):
        for row in _lines(path):
            if row.get("injected_hallucination") or not row.get("tags"):
                continue
            tokens = [t for t in row["mt_tokens"] if t != "<EOS>"]
            tags = row["tags"][: len(tokens)]
            share = float(np.mean([t == "BAD" for t in tags])) if tags else 0.0
            if row.get("errors") is not None:
                major = any(str(e.get("severity")).lower() in _SEVERE for e in row["errors"])
            else:
                major = share >= HTER_MAJOR
            out.append(Judged(" ".join(tokens), "wmt-qe-xen", row["source_lang"],
                              f"{path.stem.split('_')[0]}:{row['source_lang']}", f"wmtqe:{row['id']}", [],
                              major, "BAD" not in tags, major, (tokens, tags)))
    return out


def read_litmt(corpus: Path) -> list[Judged]:
    out = []
    for row in _lines(corpus / "mt-judged" / "litmt-mqm" / "litmt_xx-en.jsonl"):
        errors = [{**e, "severity": "major"} for e in row.get("errors") or []]
        judged = _mqm({**row, "errors": errors}, "litmt-mqm", f"litmt:{row['comparison']}:{row['pair_item']}")
        out.append(judged)
    return out


def read_demetr(corpus: Path) -> list[Judged]:
    out = []
    for row in _lines(corpus / "mt-judged" / "demetr" / "demetr.jsonl.gz"):
        severity = row.get("severity")
        if severity == "base":  # an unrelated but fluent translation: nothing the English shows
            continue
        spans = [(e["start"], e["end"]) for e in row.get("errors") or [] if e["end"] > e["start"]]
        out.append(Judged(row["mt"], "demetr", row["source_lang"], row["perturbation"],
                          f"demetr:{row['item']}", spans, severity in ("critical", "major"), severity == "none",
                          severity in ("critical", "major"), synthetic=True))
    return out


def read_mlqe_judged(corpus: Path) -> list[Judged]:
    """MLQE-PE (fairseq NMT from et, ne, ro, ru, si; post-edited): word tags and HTER."""
    out = []
    for row in _lines(corpus / "roundtrip-more" / "mlqe-pe-xen" / "pairs.jsonl"):
        hter = float(row.get("hter") or 0.0)
        out.append(Judged(" ".join(row["mt_tokens"]), "mlqe-pe", row["pivot"], f"fairseq-{row['pivot']}",
                          f"mlqe:{row['id']}", [], hter >= HTER_MAJOR, hter == 0.0, hter >= HTER_MAJOR,
                          (row["mt_tokens"], row["mt_word_tags"])))
        out[-1].system = f"fairseq-{row['pivot']}:{row['split']}"
    return out


def read_acceptability(corpus: Path) -> list[Judged]:
    """Lau et al.'s round trips and originals rated 1-4 by crowd workers: under 2.5 is major, originals clean."""
    out = []
    for row in _lines(corpus / "mt-judged" / "acceptability-roundtrip" / "lau2020_acceptability.jsonl"):
        mean = row["acceptability_1to4"]["none"]["mean"]
        out.append(Judged(row["mt"], "acceptability", row.get("source_lang") or "en",
                          "round-trip" if row.get("is_mt") else "human", f"lau:{row['id']}", [],
                          bool(row.get("is_mt")) and mean < 2.5, not row.get("is_mt") and mean >= 3.0))
    return out


READERS = {"bio-mqm": read_bio, "mlqe-pe": read_mlqe_judged, "demetr": read_demetr,
           "google-mqm-zhen": read_google, "wmt-qe-xen": read_wmt_qe, "litmt-mqm": read_litmt,
           "acceptability": read_acceptability}


def read_all(corpus: Path, names: tuple[str, ...] = tuple(READERS)) -> list[Judged]:
    return [judged for name in names for judged in READERS[name](corpus)]


def token_bad(text: str, judged: Judged, spans_of: list[tuple[int, int]]) -> np.ndarray:
    """1 for each token (``spans_of``: their character ranges in ``text``) a person marked: inside a
    marked span, or (word tags) a BAD token. ``text`` of tagged records is their tokens joined by
    spaces, so a token's tag is found by its character offset."""
    if judged.word_tags is not None:
        tokens, tags = judged.word_tags
        starts = np.cumsum([0] + [len(t) + 1 for t in tokens])[:-1]
        bad = np.array([t == "BAD" for t in tags], dtype=bool)
        index = np.searchsorted(starts, [a for a, _ in spans_of], side="right") - 1
        return bad[np.clip(index, 0, len(bad) - 1)] if len(bad) else np.zeros(len(spans_of), dtype=bool)
    chars = bad_chars(text, judged.spans)
    return np.array([bool(chars[a:b].any()) for a, b in spans_of], dtype=bool)
