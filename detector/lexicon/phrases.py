"""Multi-word swaps: phrases a spinner may have written, and what they may have stood for.

>>> from detector.lexicon.tables import Vocabulary
>>> vocab = Vocabulary("<num> <unk> for the reason that because chinese language users".split())
>>> table = PhraseTable.build({"for the reason that": ["because"], "chinese language": ["chinese"]}, vocab)
>>> ids = np.array([vocab.id(w) for w in "users for the reason that chinese language".split()])
>>> hits = table.find(ids)
>>> [(int(s), int(n), [vocab.words[i] for i in table.originals(p)[0]]) for s, n, p in zip(*hits)]
[(1, 4, ['because']), (5, 2, ['chinese'])]

Spinners swap phrases as well as words: "because" -> "for the reason that", "Chinese" -> "Chinese
language", "such as" -> "reminiscent of", "search" -> "look for". A :class:`PhraseTable` holds every
phrase of two to four words that a thesaurus offers as a replacement (the spinner's thesauri read
in both directions: WordNet's multi-word lemmas, the phrase table), each with the originals it may
have replaced (one to four words). :meth:`PhraseTable.find` finds them in a text's ids at once:
n-grams are hashed (multiply-add over the ids, 64-bit) and looked up in an
:class:`~detector.lexicon.hashtable.IntHashTable`; a hit is confirmed against the stored ids.
"""

from __future__ import annotations

import numpy as np

from detector.lexicon.hashtable import IntHashTable

MAX_WORDS = 4
_MULT = np.uint64(0x9E3779B97F4A7C15)


def sequence_hash(columns: list[np.ndarray]) -> np.ndarray:
    """A 63-bit hash of each row of id columns (ids >= 0)."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in columns:
            h = h * _MULT + (np.asarray(col, dtype=np.int64) + 2).astype(np.uint64)
    return (h >> np.uint64(1)).astype(np.int64)


class PhraseTable:
    """Spun phrases (2-4 word ids) -> candidate originals (1-4 word ids each)."""

    def __init__(self, phrase_ptr: np.ndarray, phrase_ids: np.ndarray, cand_ptr: np.ndarray, orig_ptr: np.ndarray,
                 orig_ids: np.ndarray):
        self.phrase_ptr = np.asarray(phrase_ptr, dtype=np.int64)  # phrase p: phrase_ids[phrase_ptr[p]:...[p + 1]]
        self.phrase_ids = np.asarray(phrase_ids, dtype=np.int64)
        self.cand_ptr = np.asarray(cand_ptr, dtype=np.int64)  # phrase p's candidates: cand_ptr[p]:cand_ptr[p + 1]
        self.orig_ptr = np.asarray(orig_ptr, dtype=np.int64)  # candidate j: orig_ids[orig_ptr[j]:orig_ptr[j + 1]]
        self.orig_ids = np.asarray(orig_ids, dtype=np.int64)
        lengths = np.diff(self.phrase_ptr)
        self._tables = {}
        for n in range(2, MAX_WORDS + 1):
            which = np.nonzero(lengths == n)[0]
            if len(which):
                cols = [self.phrase_ids[self.phrase_ptr[which] + k] for k in range(n)]
                self._tables[n] = IntHashTable(sequence_hash(cols), which.astype(np.float32))

    def __len__(self) -> int:
        return len(self.phrase_ptr) - 1

    @classmethod
    def build(cls, mapping: dict[str, list[str]], vocab) -> PhraseTable:
        """From ``{spun phrase: [original phrase, ...]}`` (lower case, space-separated words); phrases
        or originals with a word outside ``vocab`` are left out."""
        phrase_ptr, phrase_ids, cand_ptr, orig_ptr, orig_ids = [0], [], [0], [0], []
        for phrase in sorted(mapping):
            words = phrase.split()
            pid = [vocab.index.get(w, -1) for w in words]
            if not 2 <= len(words) <= MAX_WORDS or min(pid) < 2:
                continue
            originals = []
            for original in dict.fromkeys(mapping[phrase]):
                oid = [vocab.index.get(w, -1) for w in original.split()]
                if 1 <= len(oid) <= MAX_WORDS and min(oid) >= 2 and oid != pid:
                    originals.append(oid)
            if not originals:
                continue
            phrase_ids += pid
            phrase_ptr.append(len(phrase_ids))
            for oid in originals[:12]:
                orig_ids += oid
                orig_ptr.append(len(orig_ids))
            cand_ptr.append(len(orig_ptr) - 1)
        return cls(np.array(phrase_ptr), np.array(phrase_ids), np.array(cand_ptr), np.array(orig_ptr),
                   np.array(orig_ids))

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"phrase_ptr": self.phrase_ptr.astype(np.int32), "phrase_ids": self.phrase_ids.astype(np.int32),
                "phrase_cand_ptr": self.cand_ptr.astype(np.int32), "phrase_orig_ptr": self.orig_ptr.astype(np.int32),
                "phrase_orig_ids": self.orig_ids.astype(np.int32)}

    @classmethod
    def from_arrays(cls, data) -> PhraseTable:
        return cls(data["phrase_ptr"], data["phrase_ids"], data["phrase_cand_ptr"], data["phrase_orig_ptr"],
                   data["phrase_orig_ids"])

    def originals(self, phrase: int) -> list[np.ndarray]:
        return [self.orig_ids[self.orig_ptr[j] : self.orig_ptr[j + 1]]
                for j in range(self.cand_ptr[phrase], self.cand_ptr[phrase + 1])]

    def find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every occurrence of a listed phrase in a sequence of token ids (non-words < 2 never match):
        (start positions, lengths, phrase indices) in text order, overlapping occurrences included."""
        ids = np.asarray(ids, dtype=np.int64)
        starts, lengths, phrases = [], [], []
        for n, table in self._tables.items():
            if len(ids) < n:
                continue
            cols = [ids[k : len(ids) - n + 1 + k] for k in range(n)]
            ok = np.ones(len(cols[0]), dtype=bool)
            for col in cols:
                ok &= col >= 2
            where = np.nonzero(ok)[0]
            if not len(where):
                continue
            slots = table.slots(sequence_hash([c[where] for c in cols]))
            hit = slots >= 0
            where, which = where[hit], table.values[slots[hit]].astype(np.int64)
            same = np.ones(len(where), dtype=bool)
            for k in range(n):  # confirm against the stored ids (a hash collision is not a phrase)
                same &= ids[where + k] == self.phrase_ids[self.phrase_ptr[which] + k]
            starts.append(where[same])
            lengths.append(np.full(int(same.sum()), n))
            phrases.append(which[same])
        if not starts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        start, length, phrase = np.concatenate(starts), np.concatenate(lengths), np.concatenate(phrases)
        order = np.lexsort((length, start))  # in text order
        return start[order], length[order], phrase[order]
