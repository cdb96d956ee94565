"""Fingerprints that survive synonym substitution, and an index to find a spun text's source.

>>> index = SourceIndex.build([("a", "The U.S. said on Monday that it would buy 500,000 tonnes of wheat from Egypt."),
...                            ("b", "Shares of the company fell 3 pct in New York after the results on Friday.")])
>>> index.search("The U.S. stated on Monday that it might purchase 500,000 tonnes of grain from Egypt.")[0][0]
'a'

Spinners swap content words for synonyms but leave the skeleton of a text alone: function words,
names, numbers (DSpin's "immutables"). A text's fingerprint is the set of hashed runs of
``SHINGLE`` consecutive immutables; a spun copy shares most of them with its source even at high
spin rates, while ordinary word shingles are broken by every substitution. ``SourceIndex`` is an
inverted index from fingerprint to texts; sources are ranked by Jaccard similarity of
fingerprints and reported with their *containment* (the share of the query's fingerprint they
hold). Very common fingerprints (in more than ``MAX_DF`` texts) are dropped from the index.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from detector.errors import InputError
from detector.lexicon.thesaurus import STOPWORDS
from detector.text.language import FUNCTION_WORDS
from detector.text.tokenize import tokenize

SHINGLE = 3
MAX_DF = 200
RERANK = 10  # candidates looked at again by their words
RERANK_WITHIN = 0.8  # ... when their fingerprint similarity is within this share of the best
INDEX_FORMAT = 1
_IMMUTABLE_WORDS = STOPWORDS | FUNCTION_WORDS
_NAMEISH = re.compile(r"^[A-Z][a-z]+$|^[A-Z]{2,}$|^[A-Z]\.")


def immutables(text: str, tokens: list | None = None) -> list[str]:
    """The words a spinner leaves alone: function words, numbers, and names (capitalised words
    that are not at the start of a sentence). ``tokens``: ``tokenize(text)`` when already made."""
    out: list[str] = []
    sentence_start = True
    for token in tokenize(text) if tokens is None else tokens:
        if token.kind == "number":
            out.append(token.text)
        elif token.kind == "word":
            norm = token.norm
            name = not sentence_start and _NAMEISH.match(token.text) and not token.text.isupper()
            if norm in _IMMUTABLE_WORDS or name:
                out.append(norm)
        sentence_start = token.kind == "punct" and token.text in (".", "!", "?")
    return out


def fingerprint(text: str, k: int = SHINGLE, tokens: list | None = None) -> np.ndarray:
    """Sorted unique 64-bit hashes of the runs of ``k`` consecutive immutables."""
    words = immutables(text, tokens)
    grams = {" ".join(words[i : i + k]) for i in range(max(len(words) - k + 1, 0))}
    hashes = [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") >> 1 for g in grams]
    return np.unique(np.array(hashes, dtype=np.int64))


def read_corpus(path: str | Path, text_field: str = "text", id_field: str = "id") -> Iterator[tuple[str, str]]:
    """(id, text) records of a corpus: a JSONL file (``text_field`` or else ``body``), or a folder of
    ``.txt`` files (id: the relative path). Bad JSONL lines are skipped with a one-line warning."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise InputError(f"corpus folder {path} has no .txt files")
        for file in files:
            text = file.read_text(encoding="utf-8", errors="replace")
            if text.strip():
                yield str(file.relative_to(path)), text
        return
    if not path.is_file():
        raise InputError(f"corpus not found: {path}")
    found = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                text = record.get(text_field) or record.get("body")
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"no text in field {text_field!r}")
            except (ValueError, UnicodeDecodeError, AttributeError) as err:
                print(f"detector: warning: {path}:{number}: skipped ({err})", file=sys.stderr)
                continue
            found += 1
            yield str(record.get(id_field, record.get("newid", number))), text
    if not found:
        raise InputError(f"corpus {path} has no usable records")


class SourceIndex:
    """Inverted index fingerprint -> texts; ``search`` returns (id, containment) best first."""

    def __init__(self, ids: list[str], keys: np.ndarray, ptr: np.ndarray, postings: np.ndarray,
                 sizes: np.ndarray, texts: list[str] | None = None):
        self.ids, self.keys, self.ptr, self.postings, self.sizes = ids, keys, ptr, postings, sizes
        self.texts = texts or []

    def text(self, record_id: str) -> str:
        return self.texts[self.ids.index(record_id)]

    @classmethod
    def build(cls, records: Iterable[tuple[str, str]]) -> SourceIndex:
        ids: list[str] = []
        texts: list[str] = []
        pairs_keys, pairs_docs, sizes = [], [], []
        for doc, (rid, text) in enumerate(records):
            ids.append(str(rid))
            texts.append(text)
            fp = fingerprint(text)
            pairs_keys.append(fp)
            pairs_docs.append(np.full(len(fp), doc, dtype=np.int32))
            sizes.append(len(fp))
        keys = np.concatenate(pairs_keys) if pairs_keys else np.zeros(0, np.int64)
        docs = np.concatenate(pairs_docs) if pairs_docs else np.zeros(0, np.int32)
        order = np.argsort(keys, kind="stable")
        keys, docs = keys[order], docs[order]
        unique, starts, counts = np.unique(keys, return_index=True, return_counts=True)
        keep = counts <= MAX_DF
        ptr = np.r_[0, np.cumsum(counts[keep])].astype(np.int64)
        postings = np.concatenate([docs[s : s + c] for s, c in zip(starts[keep], counts[keep])]) if keep.any() \
            else np.zeros(0, np.int32)
        return cls(ids, unique[keep], ptr, postings.astype(np.int32), np.array(sizes, dtype=np.int32), texts)

    def search(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        fp = fingerprint(text)
        if not len(fp) or not len(self.keys):
            return []
        idx = np.minimum(np.searchsorted(self.keys, fp), len(self.keys) - 1)
        idx = idx[self.keys[idx] == fp]
        hits = [self.postings[self.ptr[i] : self.ptr[i + 1]] for i in idx]
        if not hits:
            return []
        counts = np.bincount(np.concatenate(hits), minlength=len(self.ids))
        # rank by Jaccard similarity (so a long text that merely contains the query does not win);
        # report containment, the share of the query's fingerprint found in the source
        jaccard = counts / np.maximum(len(fp) + self.sizes - counts, 1)
        best = [int(d) for d in np.argsort(-jaccard, kind="stable")[: max(top, RERANK)] if counts[d] > 0]
        if self.texts and best:
            # near-duplicate versions of one story tie on fingerprints; the words the spinner left
            # alone tell them apart
            close = [d for d in best if jaccard[d] >= RERANK_WITHIN * jaccard[best[0]]]
            words = set(text.lower().split())
            overlap = {d: len(words & set(self.texts[d].lower().split())) for d in close}
            best = sorted(close, key=lambda d: -overlap[d]) + [d for d in best if d not in overlap]
        return [(self.ids[d], float(counts[d]) / len(fp)) for d in best[:top]]

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / "index.npz", keys=self.keys, ptr=self.ptr, postings=self.postings,
                            sizes=self.sizes)
        with gzip.open(folder / "texts.jsonl.gz", "wt", encoding="utf-8") as out:
            for rid, text in zip(self.ids, self.texts):
                out.write(json.dumps({"id": rid, "text": text}, ensure_ascii=False) + "\n")
        (folder / "index.json").write_text(json.dumps({"format": INDEX_FORMAT, "shingle": SHINGLE,
                                                       "ids": self.ids}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SourceIndex:
        try:
            meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
            if meta.get("format") != INDEX_FORMAT or meta.get("shingle") != SHINGLE:
                raise InputError(f"index {folder} was built by another version; rebuild it with `detector index`")
            with gzip.open(folder / "texts.jsonl.gz", "rt", encoding="utf-8") as handle:
                texts = [json.loads(line)["text"] for line in handle]
            with np.load(folder / "index.npz", allow_pickle=False) as data:
                return cls(list(meta["ids"]), data["keys"], data["ptr"], data["postings"], data["sizes"], texts)
        except (OSError, ValueError, KeyError, EOFError) as err:
            raise InputError(f"cannot read index {folder}: {err}") from err


def open_corpus(path: str | Path, text_field: str = "text", id_field: str = "id") -> SourceIndex:
    """An index folder (from `detector index build`), or a corpus file/folder indexed on the spot."""
    path = Path(path)
    if (path / "index.json").is_file():
        return SourceIndex.load(path)
    print(f"detector: indexing {path} (build it once with `detector index build` to skip this)", file=sys.stderr)
    return SourceIndex.build(read_corpus(path, text_field, id_field))
