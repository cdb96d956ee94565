"""Which texts train the detector, which are held out, and how they are read and split.

>>> split_of("enwiki2015-290", seed=0) in ("token", "docs", "calibration")
True
>>> gum_group("vlog"), gum_group("fiction")
('spoken', 'fiction')

The corpora are the JSON Lines folders of ``../shared/corpus`` (never copied into this repository).
Whole genres are kept out of training, so that every quality figure can be given on text of a kind
the model never saw:

* **Counted** (the n-gram tables, :mod:`detector.lexicon.counts`): Wikipedia 2015 and the 2018-21
  slice, and 28M words of scientific abstracts (arXiv 2024-26, ACL Anthology 2016-25 without the
  CC BY-NC LREC venues, ClinicalTrials.gov 1990s), except one article or abstract in ten (by a hash
  of its id), which is kept for training text.
* **Trained on** (spun and labelled, :data:`TRAINING`): those Wikipedia articles (encyclopedic),
  Reuters ``TRAIN`` (1987 newswire), Amazon product reviews (informal, 1997-2006) and those
  abstracts (science). Reuters and Amazon are research-only: the model card says so.
* **Held out** (:data:`HELD_OUT`, never read by training): OneStopEnglish level ``adv`` (Guardian
  news features, 2013-16), GUM (23 spoken and written genres, reported in four groups), PLOS
  (biomedical science) and Stack Exchange coffee and beer (Q&A), plus Reuters ``TEST``.

Training documents are split by a hash of their id into ``token`` (the token and candidate
models), ``docs`` (the document model) and ``calibration`` (thresholds and the model card's
metrics). Wikipedia articles are long, so a document is an excerpt of whole paragraphs of a random
length between 40 and 1,500 words: the document model sees every length it will be given.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from detector.errors import InputError

WIKIPEDIA = ("wikipedia-en-2015/wikipedia-en-2015.jsonl.gz", "wikipedia-en-2021-slice/wikipedia-en-2021-slice.jsonl.gz")
# scientific prose counted beside Wikipedia (PLOS stays held out); ACL's LREC venues are CC BY-NC: left out
SCIENCE = ("arxiv-abstracts-2025/arxiv-abstracts-2025.jsonl.gz",
           "acl-anthology-abstracts/acl-anthology-abstracts.jsonl.gz",
           "clinicaltrials-gov-1990s/clinicaltrials-gov-1990s.jsonl.gz")
TRAINING = ("wikipedia", "reuters", "amazon", "science")
HELD_OUT = ("onestopenglish", "gum", "plos", "stackexchange", "reuters-test")
PARTS = (("token", 0.7), ("docs", 0.85), ("calibration", 1.0))
GUM_GROUPS = {
    "news": ("news", "essay", "letter", "threat", "esports"),
    "spoken": ("conversation", "interview", "podcast", "speech", "vlog", "court"),
    "fiction": ("fiction", "poetry"),
    "informational": ("academic", "bio", "dictionary", "legal", "medical", "proof", "syllabus", "textbook",
                      "voyage", "whow"),
}


@dataclass(frozen=True)
class Document:
    id: str
    genre: str  # the corpus, or for GUM the genre group ("gum/spoken")
    text: str


def default_root() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "corpus"


def split_of(doc_id: str, seed: int) -> str:
    """``token``, ``docs`` or ``calibration``, by a hash of the id."""
    h = int(hashlib.sha256(f"{seed}:{doc_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return next(name for name, cut in PARTS if h <= cut)


def kept_from_counts(article_id: str) -> bool:
    """True for the one Wikipedia article in ten that is never counted (it is training text)."""
    return int(hashlib.sha256(f"wiki:{article_id}".encode()).hexdigest()[:8], 16) % 10 == 0


def gum_group(genre: str) -> str:
    return next((group for group, genres in GUM_GROUPS.items() if genre in genres), "other")


def _records(path: Path) -> Iterator[dict]:
    if not path.is_file():
        raise InputError(f"corpus not found: {path} (see ../shared/corpus/README.md)")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as err:
                    raise InputError(f"{path} line {number}: not valid JSON ({err.msg})") from err


def wikipedia_articles(root: Path, counted: bool) -> Iterator[tuple[str, str]]:
    """(id, text) of Wikipedia articles in the counts (``counted``) or kept from them."""
    for name in WIKIPEDIA:
        for record in _records(root / name):
            if kept_from_counts(str(record["id"])) != counted:
                yield str(record["id"]), record["text"]


def lrec(venue: object) -> bool:
    """ACL Anthology venues published by ELRA under CC BY-NC (LREC: ``L16``, ``2020.lrec``...).

    >>> lrec("2022.lrec"), lrec("L16"), lrec("2023.acl")
    (True, True, False)
    """
    v = str(venue or "")
    return "lrec" in v.lower() or (len(v) == 3 and v[0] == "L" and v[1:].isdigit())


def science_abstracts(root: Path, counted: bool) -> Iterator[tuple[str, str]]:
    """(id, text) of the scientific abstracts in the counts (``counted``) or kept from them (one in ten,
    by a hash of the id: training text of the ``science`` genre)."""
    for name in SCIENCE:
        for record in _records(root / name):
            if lrec(record.get("venue")):
                continue
            if kept_from_counts(str(record["id"])) != counted:
                yield str(record["id"]), record["text"]


def counted_texts(root: Path) -> Iterator[str]:
    """Every text the n-gram tables count: Wikipedia and the scientific abstracts, less what is kept
    for training."""
    for _, text in wikipedia_articles(root, counted=True):
        yield text
    for _, text in science_abstracts(root, counted=True):
        yield text


def excerpts(doc_id: str, text: str, rng: random.Random, max_words: int = 1500) -> Iterator[Document]:
    """Excerpts of whole paragraphs, each of a random length (log-uniform 40 to ``max_words`` words)."""
    paragraphs = [p for p in text.split("\n") if len(p.split()) >= 8]
    k = 0
    i = 0
    while i < len(paragraphs):
        target = int(round(10 ** rng.uniform(1.6, 3.18)))
        taken, words = [], 0
        while i < len(paragraphs) and words < target:
            taken.append(paragraphs[i])
            words += len(paragraphs[i].split())
            i += 1
        if words >= 40:
            yield Document(f"{doc_id}#{k}", "wikipedia", "\n".join(taken)[: 12 * max_words])
            k += 1


def training_documents(root: Path, min_words: int = 25, seed: int = 0,
                       per_genre: int | None = None) -> dict[str, list[Document]]:
    """Training documents by genre (see the module docstring); ``per_genre`` caps each genre."""
    rng = random.Random(seed)
    out: dict[str, list[Document]] = {}
    wiki = []
    for article_id, text in wikipedia_articles(root, counted=False):
        wiki += list(excerpts(article_id, text, rng))
    out["wikipedia"] = wiki
    out["reuters"] = [Document(str(r["newid"]), "reuters", r["body"]) for r in _records(root / "reuters21578"
                      / "articles.jsonl") if r.get("lewissplit") == "TRAIN" and len(r["body"].split()) >= min_words]
    out["amazon"] = [Document(str(r["id"]), "amazon", r["text"]) for r in _records(root / "amazon-reviews-mds"
                     / "amazon-reviews-mds.jsonl") if len(r["text"].split()) >= min_words]
    out["science"] = [Document(i, "science", t) for i, t in science_abstracts(root, counted=False)
                      if len(t.split()) >= min_words]
    if per_genre:
        out = {g: rng.sample(docs, min(per_genre, len(docs))) for g, docs in out.items()}
    return out


def cut_at_paragraph(text: str, max_words: int) -> str:
    r"""The text's first paragraphs, up to the one that reaches ``max_words`` words.

    >>> cut_at_paragraph("one two\nthree four\nfive", 3)
    'one two\nthree four'
    """
    out, words = [], 0
    for paragraph in text.split("\n"):
        out.append(paragraph)
        words += len(paragraph.split())
        if words >= max_words:
            break
    return "\n".join(out)


def held_out_documents(root: Path, name: str, min_words: int = 25) -> list[Document]:
    """The documents of one held-out corpus (``HELD_OUT``); GUM's carry their genre group."""
    if name == "onestopenglish":
        return [Document(r["id"], name, r["text"]) for r in _records(root / "onestopenglish" / "onestopenglish.jsonl")
                if r.get("level") == "adv"]
    if name == "gum":
        return [Document(r["id"], f"gum/{gum_group(r['genre'])}", r["text"])
                for r in _records(root / "gum" / "gum.jsonl") if len(r["text"].split()) >= min_words]
    if name == "plos":
        return [Document(r["id"], name, r["text"]) for r in _records(root / "plos-articles" / "plos-articles.jsonl")]
    if name == "stackexchange":
        return [Document(r["id"], name, r["text"]) for r in _records(root / "stackexchange-coffee-beer"
                / "stackexchange-coffee-beer.jsonl") if len(r["text"].split()) >= min_words]
    if name == "reuters-test":
        return [Document(str(r["newid"]), name, r["body"]) for r in _records(root / "reuters21578" / "articles.jsonl")
                if r.get("lewissplit") == "TEST" and len(r["body"].split()) >= 40]
    raise InputError(f"unknown held-out corpus {name!r}; choose from {', '.join(HELD_OUT)}")
