"""A spinner the detector has never seen: a distributional thesaurus built from bigram contexts.

    python benchmarks/heldout_spinner.py   # writes benchmarks/results/heldout-thesaurus.tsv

The detector's training spinner draws on WordNet and the phrase table. Real spinners use other
dictionaries, and newer "AI" rewriters pick words that merely occur in similar contexts
("rose" -> "climbed", "company" -> "firm", sometimes "Monday" -> "Tuesday"). This builds such a
thesaurus without WordNet: each of the 12,000 most frequent content words is described by the
words seen right before and after it in the symspellpy (web) bigram list, and its alternatives
are its five nearest neighbours by cosine similarity of those contexts (PPMI-weighted, with
:mod:`detector.lexicon.neighbours`). The detector's own neighbours come from its news corpus instead, so
the two dictionaries are built from different text. The detection
benchmark spins with it to measure how the detector does on a spinner it was not built around.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from detector.lexicon.lexicon import get_lexicon
from detector.lexicon.neighbours import context_matrix, nearest_neighbours
from detector.lexicon.thesaurus import STOPWORDS

OUT = Path(__file__).parent / "results" / "heldout-thesaurus.tsv"
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


def _same_stem(a: str, b: str) -> bool:
    return a[:4] == b[:4] and abs(len(a) - len(b)) <= 3


if __name__ == "__main__":
    out = build()
    print(f"wrote {out} ({sum(1 for _ in out.open()) - 1} entries)", file=sys.stderr)
