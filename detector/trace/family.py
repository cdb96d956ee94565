"""Trace a set of documents: which one is the source, and how each other one was made from it.

>>> source = ("The U.S. said on Monday that it would buy 500,000 tonnes of wheat from Egypt. "
...           "Officials in Cairo said the first cargo would leave the port of Alexandria in May. "
...           "Traders in Chicago said prices rose after the news.")
>>> spun = ("The U.S. stated on Monday that it might purchase 500,000 tonnes of wheat from Egypt. "
...         "Officers in Cairo stated the primary cargo would leave the port of Alexandria in May. "
...         "Traders in Chicago stated costs rose after the information.")
>>> other = "Shares of the company fell 3 pct in New York after it reported lower results on Friday."
>>> result = trace_documents([("orig", source), ("copy", spun), ("news", other)], spun_scores=False)
>>> [(r.source, r.derived, r.kind) for r in result.relations]
[('orig', 'copy', 'spun-copy')]
>>> result.families[0].root, result.families[0].members
('orig', ('orig', 'copy'))

Three steps, so that a large set stays affordable:

1. **Candidates.** Every document is a weighted bag of its content stems, names and numbers
   (rare words weigh more); pairs whose bags are similar, or whose substitution-proof fingerprints
   (:mod:`detector.repair.fingerprint`) overlap, are compared. At most ``TOP`` per document.
2. **Pairs.** Each candidate pair is measured and classified (:mod:`detector.trace.relate`).
3. **Tree.** A document made from another has one parent: of the relations that name it as
   derived, the one with the most in common (a spun copy of a spun copy hangs under the copy, not
   the original; two copies of one source are siblings, not each other's source). Cycles are cut at
   their weakest edge. ``same-story`` links join different families, one per pair of families.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from detector.trace.facts import Profile, profile
from detector.trace.relate import DERIVED_KINDS, Comparison, Relation, classify, compare, rarity

TOP = 10  # candidate partners per document, most similar first
MIN_CANDIDATE = 0.12  # bag-of-words similarity of a candidate pair (or any shared fingerprint)
MIN_FINGERPRINT = 0.1
ANCESTOR_MARGIN = 0.02  # affinity a document may give up to hang under an ancestor (best of 0, .02, .05 on train)


@dataclass(frozen=True)
class Family:
    root: str
    members: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"root": self.root, "members": list(self.members)}


@dataclass
class TraceResult:
    """What :func:`trace_documents` found; ``to_dict`` is the JSON contract of ``detector trace``."""

    documents: list[dict]
    relations: list[Relation]
    families: list[Family]
    texts: dict[str, str] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "relations": [r.to_dict() for r in self.relations],
                "families": [f.to_dict() for f in self.families]}

    def parent(self, doc_id: str) -> Relation | None:
        return next((r for r in self.relations if r.derived == doc_id and r.kind in DERIVED_KINDS), None)


def candidate_pairs(profiles: Sequence[Profile]) -> list[tuple[int, int]]:
    """Pairs worth comparing (see the module docstring), ``i < j``."""
    from scipy import sparse

    from detector.batch.copies import similar_pairs
    from detector.repair.fingerprint import fingerprint

    n = len(profiles)
    if n < 2:
        return []
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, p in enumerate(profiles):
        terms = dict(p.stems)
        for name in sorted(p.names):
            terms[name] = terms.get(name, 0) + 1
        for number in sorted(set(p.numbers)):
            terms["#" + number] = 1
        for t, c in terms.items():
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(rarity(t) * (1 + np.log(c)))
    x = sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(n, max(len(vocab), 1)))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(1 / np.maximum(norms, 1e-9)) @ x
    sim = (x @ x.T).toarray() if n <= 2000 else None
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        row = sim[i] if sim is not None else (x[i] @ x.T).toarray().ravel()
        order = [j for j in np.argsort(-row) if j != i][:TOP]
        for j in order:
            if row[j] >= MIN_CANDIDATE:
                pairs.add((min(i, j), max(i, j)))
    # pairs sharing substitution-proof fingerprints, found as batch grouping finds them
    pairs.update(similar_pairs([fingerprint(p.text) for p in profiles], MIN_FINGERPRINT, 0, top=n))
    return sorted(pairs)


def affinity(c: Comparison) -> float:
    """How much a pair has in common: what a derived document's parent is chosen by."""
    small = c.sentences_a if c.a.length <= c.b.length else c.sentences_b
    shorter = c.cover_a if c.a.length <= c.b.length else c.cover_b
    return round(shorter + 0.3 * small * c.order + 0.1 * c.topic, 6)  # rounded: ties fall to input order


def trace_documents(records: Sequence[tuple[str, str]], paths: Sequence[str | None] | None = None,
                    spun_scores: bool = True, scorer=None, lm=None) -> TraceResult:
    """Trace ``records`` (id, text) (see the module docstring). ``spun_scores``: also score each
    document with the spinning detector (shown, and a tie-breaker for direction). ``lm``: the
    neural model (:func:`detector.neural.language_model`), to read the changed places of word-aligned
    pairs and decide a spun copy's direction by its preference
    (:mod:`detector.trace.neural_direction`)."""
    ids = [str(i) for i, _ in records]
    if len(set(ids)) != len(ids):
        raise ValueError("document ids must be unique")
    profiles = [profile(i, t) for i, t in records]
    scores: list[float | None] = [None] * len(profiles)
    if spun_scores and profiles:
        from detector.detection.scoring import Scorer

        scorer = scorer or Scorer()
        results = scorer.score_many([t for _, t in records], ids, exhaustive=True, reread=False)
        scores = [round(float(r.score), 4) if r.verdict != "not-english" else None for r in results]
    found: list[tuple[Relation, float]] = []
    damage: dict[str, float] = {}
    texts = dict(records)

    def damage_of(p: Profile) -> float:
        if p.id not in damage:
            from detector.damage.roundtrip import roundtrip_damage

            damage[p.id] = float(roundtrip_damage(texts[p.id])["score"])
        return damage[p.id]

    measured = [(i, j, compare(profiles[i], profiles[j])) for i, j in candidate_pairs(profiles)]
    neural: list[float | None] = [None] * len(measured)
    if lm is not None:
        from detector.trace.neural_direction import neural_fluency
        from detector.trace.relate import ALIGNED_COVERAGE, related

        aligned = [k for k, (_, _, c) in enumerate(measured) if related(c) and min(
            c.cover_a if c.a.length <= c.b.length else c.cover_b, 1.0) >= ALIGNED_COVERAGE]
        for k, value in zip(aligned, neural_fluency(lm, [measured[k][2] for k in aligned])):
            neural[k] = value
    for (i, j, c), n in zip(measured, neural):
        relation = classify(c, (scores[i], scores[j]), damage_of=damage_of if spun_scores else None, neural=n)
        if relation is not None:
            found.append((relation, affinity(c)))
    relations, families = build_tree(ids, found)
    documents = []
    for k, p in enumerate(profiles):
        doc = {"id": p.id, "path": paths[k] if paths else None, "words": p.length, "spun_score": scores[k]}
        if p.foreign_lines:
            doc["notes"] = [f"carries an interleaved {p.foreign_script or 'other-language'} translation "
                            f"({p.foreign_lines} lines)"]
        if not p.english:
            doc.setdefault("notes", []).append("mostly not English")
        documents.append(doc)
    return TraceResult(documents, relations, families, texts)


def _prefer_ancestors(best: dict[str, tuple[Relation, float]], derived: list[tuple[Relation, float]]) -> None:
    """Hang a document under an ancestor of its chosen parent when it has nearly as much in common with
    it (within ``ANCESTOR_MARGIN``): a summary of an original is about as close to the original's
    light spun copy, but was made from the original. A copy of a copy stays under the copy when
    the copy's own changes show (a margin of more than ``ANCESTOR_MARGIN``)."""
    by_pair = {(r.source, r.derived): (r, a) for r, a in derived}
    for node in sorted(best):
        relation, strength = best[node]
        ancestor = relation.source
        seen = {node}
        while ancestor in best and ancestor not in seen:
            seen.add(ancestor)
            ancestor = best[ancestor][0].source
            other = by_pair.get((ancestor, node))
            if other is not None and other[1] >= strength - ANCESTOR_MARGIN:
                best[node] = other
        # the chain is followed from the parent chosen first, so a cycle cannot form


def build_tree(ids: list[str], found: list[tuple[Relation, float]]) -> tuple[list[Relation], list[Family]]:
    """The tree edges and ``same-story`` links of relations ``found`` with their affinities (see the
    module docstring), and the families (two members or more)."""
    derived = [(r, a) for r, a in found if r.kind in DERIVED_KINDS]
    order = {d: k for k, d in enumerate(ids)}
    best: dict[str, tuple[Relation, float]] = {}
    for r, a in derived:
        if r.derived not in best or (a, -order[r.source]) > (best[r.derived][1], -order[best[r.derived][0].source]):
            best[r.derived] = (r, a)
    # cut cycles at their weakest edge
    for start in list(best):
        seen: list[str] = []
        node = start
        while node in best and node not in seen:
            seen.append(node)
            node = best[node][0].source
        if node in seen:  # a cycle: node ... back to node
            cycle = seen[seen.index(node):]
            weakest = min(cycle, key=lambda d: best[d][1])
            del best[weakest]
    _prefer_ancestors(best, derived)
    parent = {d: r.source for d, (r, _) in best.items()}

    def root(d: str) -> str:
        while d in parent:
            d = parent[d]
        return d

    members: dict[str, list[str]] = {}
    for d in ids:
        members.setdefault(root(d), []).append(d)
    families = [Family(r, tuple(sorted(m, key=lambda d: (d != r, order[d])))) for r, m in members.items()
                if len(m) > 1]
    edges = sorted((r for r, _ in best.values()), key=lambda r: (order[root(r.derived)], order[r.derived]))
    stories: dict[tuple[str, str], Relation] = {}
    for r, _ in found:
        if r.kind != "same-story":
            continue
        ra, rb = root(r.source), root(r.derived)
        if ra == rb:
            continue
        key = (min(ra, rb, key=order.get), max(ra, rb, key=order.get))
        if key not in stories or r.score > stories[key].score:
            stories[key] = r
    return edges + sorted(stories.values(), key=lambda r: (order[r.source], order[r.derived])), families
