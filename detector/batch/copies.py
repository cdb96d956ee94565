"""Where spun copies of one source are grouped: ``detector clean --group-copies``.

>>> source = ("The U.S. said on Monday that it would buy 500,000 tonnes of wheat from Egypt, and "
...           "officials in Cairo said the first cargo would leave the port of Alexandria in May.")
>>> spun = ("The U.S. stated on Monday that it might purchase 500,000 tonnes of grain from Egypt, and "
...         "officers in Cairo stated the primary cargo would depart the port of Alexandria in May.")
>>> other = "Shares of the company fell 3 pct in New York after it reported lower results on Friday."
>>> groups = find_copies([spun, source, other], scores=[0.99, 0.10, 0.05])
>>> [(g.group, g.canonical) if g else None for g in groups]
[(0, False), (0, True), None]

Ordinary near-duplicate detection compares word shingles, and a spinner breaks most of them. Here
a pair of texts becomes a *candidate* when their substitution-proof fingerprints
(:func:`detector.repair.fingerprint.fingerprint`: runs of function words, names and numbers) have a
Jaccard similarity of at least ``MIN_JACCARD``; a candidate is *confirmed* when their word
sequences still line up: difflib's ratio over lower-cased words reaches ``MIN_WORD_RATIO`` (a
spinner replacing a third of the words leaves ~0.65; two different stories about one event rarely
reach 0.6) and they agree on their numbers (:func:`numbers_agree`). Confirmed pairs are joined
into groups; each group's canonical record is the least spun one (lowest detector score, then the
first in input order), and the others are its copies. Texts under ``SHORT`` words pair only when
nearly identical: a one-line notice has too few words to tell a copy from a sibling.

Memory: 8 bytes per fingerprint and 4 per word of every record, held while grouping.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detector.repair.fingerprint import fingerprint

MIN_JACCARD = 0.1  # fingerprint similarity that makes two records a candidate pair
MIN_WORD_RATIO = 0.6  # word-sequence similarity that confirms a pair as copies
TOP = 5  # candidates checked per record, most similar first
MAX_DF = 1000  # fingerprints shared by more records than this are boilerplate, not evidence
SHORT = 30  # texts of fewer words (dividend notices, one-line items) ...
SHORT_WORD_RATIO = 0.9  # ... are copies only when nearly identical
MIN_NUMBERS = 3  # with this many distinct numbers in a text, copies must share them ...
MIN_NUMBER_SHARE = 0.7  # ... at least this share of the shorter text's
_NUMBER = 1 << 31
_LOW = _NUMBER - 1


@dataclass(frozen=True)
class CopyMark:
    """A record's place in its group of copies."""

    group: int  # group number, in order of the groups' first records
    canonical: bool  # the least spun record of the group
    canonical_index: int  # position (in the input) of the group's canonical record
    size: int

    def to_dict(self, canonical_id: object = None) -> dict:
        return {"group": self.group, "canonical": self.canonical, "canonical_id": canonical_id, "size": self.size}


def word_hashes(text: str) -> np.ndarray:
    """32-bit hashes of a text's lower-cased words, in order (what pairs are confirmed on); words
    with a digit have the top bit set, the others not, so that numbers can be compared apart."""
    return np.array([(int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little") & _LOW)
                     | (_NUMBER if any(c.isdigit() for c in w) else 0) for w in text.lower().split()],
                    dtype=np.uint32)


def numbers_agree(a: np.ndarray, b: np.ndarray) -> bool:
    """Spinners leave numbers alone: copies share most of theirs. Two weekly reports from one
    template ("M-1 rose 217 mln dlrs" / "M-1 fell 291 mln dlrs") line up word for word, but not
    in their numbers."""
    x, y = set(a[a >= _NUMBER].tolist()), set(b[b >= _NUMBER].tolist())
    if max(len(x), len(y)) < MIN_NUMBERS:
        return True
    return len(x & y) >= MIN_NUMBER_SHARE * min(len(x), len(y)) and bool(x & y)


def find_copies(texts: Sequence[str], scores: Sequence[float]) -> list[CopyMark | None]:
    """Group ``texts`` that are (spun) copies of each other; ``None`` for a text with no copy."""
    return group_copies([fingerprint(t) for t in texts], [word_hashes(t) for t in texts], scores)


def group_copies(fingerprints: Sequence[np.ndarray], words: Sequence[np.ndarray],
                 scores: Sequence[float]) -> list[CopyMark | None]:
    """Like :func:`find_copies`, from each record's fingerprint and word hashes."""
    n = len(fingerprints)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _confirmed_pairs(fingerprints, words):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    marks: list[CopyMark | None] = [None] * n
    group = 0
    for first in sorted(members):
        group_members = members[first]
        if len(group_members) < 2:
            continue
        canonical = min(group_members, key=lambda i: (scores[i], i))
        for i in group_members:
            marks[i] = CopyMark(group, i == canonical, canonical, len(group_members))
        group += 1
    return marks


def _confirmed_pairs(fingerprints: Sequence[np.ndarray], words: Sequence[np.ndarray]) -> list[tuple[int, int]]:
    from scipy import sparse

    n = len(fingerprints)
    sizes = np.array([len(f) for f in fingerprints], dtype=np.int64)
    if n < 2 or not sizes.sum():
        return []
    keys = np.concatenate([np.asarray(f, dtype=np.int64) for f in fingerprints])
    rows = np.repeat(np.arange(n), sizes)
    unique, cols, df = np.unique(keys, return_inverse=True, return_counts=True)
    keep = df[cols] <= MAX_DF
    matrix = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols[keep])),
                               shape=(n, len(unique)))
    shared = (matrix @ matrix.T).tocoo()
    upper = shared.row < shared.col
    i, j, both = shared.row[upper], shared.col[upper], shared.data[upper]
    jaccard = both / np.maximum(sizes[i] + sizes[j] - both, 1)
    good = jaccard >= MIN_JACCARD
    i, j, jaccard = i[good], j[good], jaccard[good]
    # at most TOP candidates per record, the most similar first
    order = np.lexsort((-jaccard, i))
    i, j = i[order], j[order]
    rank = np.arange(len(i)) - np.searchsorted(i, i)
    pairs = []
    for a, b in zip(i[rank < TOP].tolist(), j[rank < TOP].tolist()):
        if not numbers_agree(words[a], words[b]):
            continue
        ratio = difflib.SequenceMatcher(None, words[a].tolist(), words[b].tolist(), autojunk=False).ratio()
        if ratio >= (MIN_WORD_RATIO if min(len(words[a]), len(words[b])) >= SHORT else SHORT_WORD_RATIO):
            pairs.append((a, b))
    return pairs
