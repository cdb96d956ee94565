"""Where copies of one source are grouped in batch, each with the kind of copy it is: ``detector clean --group-copies``.

>>> source = ("The U.S. said on Monday that it would buy 500,000 tonnes of wheat from Egypt, and "
...           "officials in Cairo said the first cargo would leave the port of Alexandria in May.")
>>> spun = ("The U.S. stated on Monday that it might purchase 500,000 tonnes of grain from Egypt, and "
...         "officers in Cairo stated the primary cargo would depart the port of Alexandria in May.")
>>> other = "Shares of the company fell 3 pct in New York after it reported lower results on Friday."
>>> groups = find_copies([spun, source, other], scores=[0.99, 0.10, 0.05])
>>> [(g.group, g.canonical, g.kind) if g else None for g in groups]
[(0, False, 'spun-copy'), (0, True, None), None]

Ordinary near-duplicate detection compares word shingles, and a spinner breaks most of them. Here
the work is linear in the corpus: a pair of records becomes a *candidate* only when their
substitution-proof fingerprints (:func:`detector.repair.fingerprint.fingerprint`: runs of function
words, names and numbers) have a Jaccard similarity of at least ``MIN_JACCARD``, or their sets of
names and numbers (:func:`keys_of`, what a rewrite keeps) of at least ``MIN_FACT_JACCARD``; at
most ``TOP`` candidates per record, and fingerprints or facts shared by more than ``MAX_DF`` records
are boilerplate, not evidence. Only candidates are read again and compared by the tracing engine
(:mod:`detector.trace.relate`): ``duplicate``, ``spun-copy``, ``rewrite``, ``summary`` and
``translation`` relations join records into groups (an independent report of the same event,
``same-story``, does not). Each group's canonical record is the least spun one (lowest detector
score, then the first in input order); every other member gets ``kind``, the kind of its relation
to the member it was made from (``source_index``), as in ``detector trace``.

Memory: 8 bytes per fingerprint and per fact of every record while grouping, plus the texts of
candidate records only.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MIN_JACCARD = 0.1  # fingerprint similarity that makes two records a candidate pair
MIN_FACT_JACCARD = 0.3  # similarity of their names and numbers that does too
MIN_FACTS = 4  # ... when both have at least this many
TOP = 5  # candidates per record and per kind of evidence, most similar first
MAX_DF = 200  # fingerprints or facts shared by more records are boilerplate, not evidence (as in SourceIndex)
PARALLEL_PAIRS = 400  # candidate pairs worth starting worker processes for


@dataclass(frozen=True)
class CopyMark:
    """A record's place in its group of copies."""

    group: int  # group number, in order of the groups' first records
    canonical: bool  # the least spun record of the group
    canonical_index: int  # position (in the input) of the group's canonical record
    size: int
    kind: str | None = None  # how this record was made from ``source_index`` (None for the tree's root)
    source_index: int | None = None

    def to_dict(self, canonical_id: object = None, source_id: object = None) -> dict:
        return {"group": self.group, "canonical": self.canonical, "canonical_id": canonical_id, "size": self.size,
                "kind": self.kind, "source_id": source_id}


def keys_of(text: str) -> tuple[np.ndarray, np.ndarray]:
    """A record's fingerprint and fact hashes in one fast pass over its token strings: what grouping
    indexes. The immutables of :func:`detector.repair.fingerprint.fingerprint` and the names and
    numbers of :func:`detector.trace.facts.profile` (here a new sentence starts after . ! ? only),
    hashed with CRC-32 pairs (stable across processes; these keys never leave the run).

    >>> fp, facts = keys_of("The U.S. said on Monday it would buy 500,000 tonnes of wheat from Egypt.")
    >>> len(fp) > 0, len(facts)
    (True, 2)
    """
    from detector.repair.fingerprint import _IMMUTABLE_WORDS
    from detector.repair.fingerprint import _NAMEISH as _NAME_FP
    from detector.text.tokenize import token_texts
    from detector.trace.facts import _FOLD, _FUNCTION, _MONTHS, _NAMEISH, normalise_number

    tokens = token_texts(text)
    lower_seen = {t.lower() for t in tokens if t[:1].islower()}
    immutable: list[str] = []
    facts: dict[str, None] = {}
    start = True
    for k, tok in enumerate(tokens):
        c = tok[0]
        if c.isdigit() or (c in "+-" and len(tok) > 1 and tok[1].isdigit()):
            immutable.append(tok)
            facts.setdefault("#" + normalise_number(tok, tokens[k + 1] if k + 1 < len(tokens) else ""), None)
            start = False
        elif c.isalpha():
            norm = tok.translate(_FOLD).lower()
            if norm in _IMMUTABLE_WORDS or (not start and _NAME_FP.match(tok) and not tok.isupper()):
                immutable.append(norm)
            if not start and _NAMEISH.match(tok) and norm not in _FUNCTION and norm not in lower_seen \
                    and norm not in _MONTHS:
                facts.setdefault(norm, None)
            start = False
        else:
            start = tok in (".", "!", "?")
    grams = {" ".join(immutable[i : i + 3]) for i in range(max(len(immutable) - 2, 0))}
    return _hashes(grams), _hashes(facts)


def _hashes(keys) -> np.ndarray:
    out = [(zlib.crc32(k.encode()) << 31) ^ zlib.crc32(k[::-1].encode()) for k in keys]
    return np.unique(np.array(out, dtype=np.int64))


def find_copies(texts: Sequence[str], scores: Sequence[float]) -> list[CopyMark | None]:
    """Group ``texts`` that are copies of each other; ``None`` for a text with no copy."""
    keys = [keys_of(t) for t in texts]
    return group_copies([k[0] for k in keys], [k[1] for k in keys], scores,
                        lambda indices: {i: texts[i] for i in indices})


def group_copies(fingerprints: Sequence[np.ndarray], facts: Sequence[np.ndarray], scores: Sequence[float],
                 texts_of: Callable[[set[int]], dict[int, str]], workers: int = 1,
                 pool=None) -> list[CopyMark | None]:
    """Like :func:`find_copies`, from each record's fingerprint and facts; ``texts_of`` reads the
    texts of the candidate records (a set of positions) back. ``workers``: processes comparing the
    candidate pairs (``pool``: an executor already running, e.g. the scoring workers)."""
    from detector.trace.family import build_tree

    n = len(fingerprints)
    pairs = sorted(set(similar_pairs(fingerprints, MIN_JACCARD, 0)) | set(similar_pairs(facts, MIN_FACT_JACCARD,
                                                                                      MIN_FACTS)))
    texts = texts_of({i for pair in pairs for i in pair}) if pairs else {}
    chunks = _chunks(pairs, texts, scores, max(1, workers) * 4) if pairs else []
    if workers > 1 and len(pairs) >= PARALLEL_PAIRS and pool is not None:
        results = list(pool.map(classify_pairs, chunks))
    elif workers > 1 and len(pairs) >= PARALLEL_PAIRS:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as new_pool:
            results = list(new_pool.map(classify_pairs, chunks))
    else:
        results = [classify_pairs(chunk) for chunk in chunks]
    found = [item for result in results for item in result]
    relations, families = build_tree([str(i) for i in range(n)], found)
    parent = {int(r.derived): r for r in relations if r.kind != "same-story"}
    marks: list[CopyMark | None] = [None] * n
    for group, family in enumerate(sorted(families, key=lambda f: min(int(m) for m in f.members))):
        members = [int(m) for m in family.members]
        canonical = min(members, key=lambda i: (scores[i], i))
        for i in members:
            edge = parent.get(i)
            marks[i] = CopyMark(group, i == canonical, canonical, len(members), edge.kind if edge else None,
                                int(edge.source) if edge else None)
    return marks


def _chunks(pairs: list[tuple[int, int]], texts: dict[int, str], scores: Sequence[float],
            count: int) -> list[tuple]:
    """At most ``count`` batches of pairs, each with the texts and scores it needs. The pairs of one
    connected set of records stay in one batch (largest sets first, each to the lightest batch), so
    each record is read and measured once."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    sets: dict[int, list[tuple[int, int]]] = {}
    for pair in pairs:
        sets.setdefault(root(pair[0]), []).append(pair)
    batches: list[list[tuple[int, int]]] = [[] for _ in range(max(1, count))]
    for group in sorted(sets.values(), key=lambda g: (-len(g), g[0])):
        min(batches, key=len).extend(group)
    out = []
    for batch in batches:
        if batch:
            batch.sort()
            needed = {i for pair in batch for i in pair}
            out.append((batch, {i: texts[i] for i in needed}, {i: float(scores[i]) for i in needed}))
    return out


def classify_pairs(chunk: tuple) -> list[tuple]:
    """(relation, affinity) of each related pair of a batch (see :func:`_chunks`); run in a worker."""
    from detector.trace.facts import profile
    from detector.trace.family import affinity
    from detector.trace.relate import classify, compare

    pairs, texts, scores = chunk
    profiles = {i: profile(str(i), t) for i, t in texts.items()}
    found = []
    for i, j in pairs:
        c = compare(profiles[i], profiles[j])
        relation = classify(c, (scores[i], scores[j]))
        if relation is not None:
            found.append((relation, affinity(c)))
    return found


def similar_pairs(sets: Sequence[np.ndarray], min_jaccard: float, min_size: int,
                  top: int | None = None) -> list[tuple[int, int]]:
    """Pairs ``i < j`` whose hash sets have a Jaccard similarity of at least ``min_jaccard`` (both sets
    of at least ``min_size``), at most ``top`` (default ``TOP``) per record."""
    from scipy import sparse

    n = len(sets)
    sizes = np.array([len(f) if len(f) >= max(min_size, 1) else 0 for f in sets], dtype=np.int64)
    if n < 2 or not sizes.sum():
        return []
    keys = np.concatenate([np.asarray(f, dtype=np.int64) for f, s in zip(sets, sizes) if s])
    rows = np.repeat(np.arange(n), sizes)
    unique, cols, df = np.unique(keys, return_inverse=True, return_counts=True)
    keep = df[cols] <= MAX_DF
    matrix = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols[keep])),
                               shape=(n, len(unique)))
    shared = (matrix @ matrix.T).tocoo()
    upper = shared.row < shared.col
    i, j, both = shared.row[upper], shared.col[upper], shared.data[upper]
    jaccard = both / np.maximum(sizes[i] + sizes[j] - both, 1)
    good = jaccard >= min_jaccard
    i, j, jaccard = i[good], j[good], jaccard[good]
    # at most TOP candidates per record, the most similar first
    order = np.lexsort((-jaccard, i))
    i, j = i[order], j[order]
    rank = np.arange(len(i)) - np.searchsorted(i, i)
    top = TOP if top is None else top
    return list(zip(i[rank < top].tolist(), j[rank < top].tolist()))
