"""Single-sentence set: held-out sentences with one swap each, and the same sentences untouched.

    python benchmarks/sentences.py          # prints the table (the detection benchmark includes it)

A research-integrity reader pastes one sentence; an editor checks a paragraph. Here every held-out
corpus (``detector.detection.corpora.HELD_OUT``) gives sentences of 12 to 40 words; each is spun
with exactly one substitution by every spinner of the detection benchmark (five trained, two never
trained on) and by a **science-term spinner**, which takes a two-word term of held-out science text
(PLOS: a pair of content words that the counted corpus sees at least ten times, "input values") and
swaps one of its words for a WordNet synonym of *any* sense ("input esteems"), the way tortured
phrases are made. Reported: the share of swaps inside a shown span (a span at or over the display
threshold that overlaps the swap) and the share of untouched sentences with any shown span.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.detection.corpora import HELD_OUT, default_root, held_out_documents
from detector.detection.scoring import Scorer
from detector.lexicon.lexicon import get_lexicon
from detector.spinner.spinner import Spinner
from detector.text.tokenize import token_spans

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
PER_CORPUS = 120
MIN_WORDS, MAX_WORDS = 12, 40
TERM_MIN_COUNT = 1.0  # log10(1 + count): a pair seen about ten times or more is a term
SCIENCE_SENTENCES = 400  # PLOS sentences tried by the science-term spinner


@dataclass(frozen=True)
class Swap:
    start: int
    end: int


def sentences(root: Path, seed: int = 0, per_corpus: int = PER_CORPUS,
              corpora: tuple[str, ...] = HELD_OUT) -> dict[str, list[str]]:
    """Sentences of 12-40 words from each held-out corpus (at most one in three per document)."""
    rng = random.Random(seed)
    out: dict[str, list[str]] = {}
    for name in corpora:
        pool = []
        for doc in held_out_documents(root, name):
            found = [s.strip() for p in doc.text.split("\n") for s in SENTENCE_END.split(p)]
            found = [s for s in found if MIN_WORDS <= len(s.split()) <= MAX_WORDS and s[-1:] in ".!?"]
            pool += rng.sample(found, min(len(found), max(1, len(found) // 3)))
        out[name] = rng.sample(pool, min(per_corpus, len(pool)))
    return out


def science_term_swap(sentence: str, scorer: Scorer, rng: random.Random) -> tuple[str, Swap] | None:
    """Swap one word of a frequent two-word term for a synonym of any WordNet sense, or None."""
    lex = get_lexicon()
    tables = scorer.model.tables
    spans = token_spans(sentence)
    words = [sentence[a:b] for a, b in spans]
    options = []
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if not (a.isalpha() and b.isalpha() and a.islower() and b.islower()):
            continue
        ia, ib = tables.vocab.id(a), tables.vocab.id(b)
        if tables.stop[ia] or tables.stop[ib] or ia <= 1 or ib <= 1:
            continue
        if float(tables.bigram("wiki", np.array([ia]), np.array([ib]))[0]) < TERM_MIN_COUNT:
            continue
        for k in (i, i + 1):
            synonyms = sorted({s for pos in "nvar" if lex.is_lemma(words[k], pos) for s in lex.synonyms(words[k], pos)
                               if s.isalpha() and s.islower() and s != words[k]})
            if synonyms:
                options.append((k, synonyms))
    if not options:
        return None
    k, synonyms = rng.choice(options)
    new = rng.choice(synonyms)
    start, end = spans[k]
    text = sentence[:start] + new + sentence[end:]
    return text, Swap(start, start + len(new))


def _spinner_swaps(name: str, items: list[str], spin_config) -> list[tuple[str, list] | None]:
    out = []
    for i, sentence in enumerate(items):
        rate = 1.0 / max(len(sentence.split()), 1)
        result = Spinner(spin_config(name, rate, seed=1)).spin(sentence, seed=i)
        out.append((result.text, [Swap(s.start, s.end) for s in result.substitutions][:1])
                   if result.substitutions else None)
    return out


def shown_hits(scorer: Scorer, texts: list[str], swaps: list[list[Swap]]) -> tuple[int, int]:
    """(swaps inside a shown span, swaps)."""
    hit = total = 0
    for result, subs in zip(scorer.score_many(texts), swaps):
        shown = [(s.start, s.end) for s in result.shown_spans]
        for sub in subs:
            total += 1
            hit += any(a < sub.end and sub.start < b for a, b in shown)
    return hit, total


def run(scorer: Scorer, spinners: tuple[str, ...], spin_config, root: Path | None = None,
        per_corpus: int = PER_CORPUS) -> tuple[dict, list[str]]:
    """The set's figures and its markdown table."""
    root = root or default_root()
    rng = random.Random(7)
    by_corpus = sentences(root, per_corpus=per_corpus)
    flat = [(c, s) for c, items in by_corpus.items() for s in items]
    results = scorer.score_many([s for _, s in flat])
    untouched = {}
    for c in by_corpus:
        flags = [bool(r.shown_spans) for (cc, _), r in zip(flat, results) if cc == c]
        untouched[c] = {"sentences": len(flags), "with_shown_span": float(np.mean(flags)) if flags else float("nan")}
    all_flags = [bool(r.shown_spans) for r in results]
    untouched["all"] = {"sentences": len(all_flags), "with_shown_span": float(np.mean(all_flags))}
    found = {}
    for name in spinners:
        spun = [x for x in _spinner_swaps(name, [s for _, s in flat], spin_config) if x]
        hit, total = shown_hits(scorer, [t for t, _ in spun], [s for _, s in spun])
        found[name] = {"swaps": total, "inside_shown_span": hit / total if total else float("nan")}
    science_pool = sentences(root, seed=1, per_corpus=SCIENCE_SENTENCES, corpora=("plos",))["plos"]
    science = [science_term_swap(s, scorer, rng) for s in science_pool]
    science = [x for x in science if x]
    hit, total = shown_hits(scorer, [t for t, _ in science], [[s] for _, s in science])
    found["science-term (held out)"] = {"swaps": total, "inside_shown_span": hit / total if total else float("nan")}
    pooled_hit = sum(v["inside_shown_span"] * v["swaps"] for v in found.values())
    pooled = pooled_hit / max(sum(v["swaps"] for v in found.values()), 1)
    lines = ["", f"Single sentences (held-out corpora, {MIN_WORDS}-{MAX_WORDS} words, one swap each; shown = at or "
             f"over the display threshold {scorer.model.display_threshold}):", "",
             "| spinner | swaps | inside a shown span |", "| --- | --- | --- |"]
    lines += [f"| {n} | {v['swaps']} | {v['inside_shown_span']:.3f} |" for n, v in found.items()]
    lines += [f"| all | {sum(v['swaps'] for v in found.values())} | {pooled:.3f} |", "",
              "| untouched sentences of | sentences | with a shown span |", "| --- | --- | --- |"]
    lines += [f"| {c} | {v['sentences']} | {v['with_shown_span']:.3f} |" for c, v in untouched.items()]
    return {"swaps": found, "pooled_inside_shown_span": pooled, "untouched": untouched}, lines


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    from detection import HELD_OUT_SPINNERS, TRAINED, spin_config

    _, table = run(Scorer(), TRAINED + HELD_OUT_SPINNERS, spin_config,
                   per_corpus=int(sys.argv[1]) if len(sys.argv) > 1 else PER_CORPUS)
    print("\n".join(table))
