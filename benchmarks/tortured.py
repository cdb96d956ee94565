"""Tortured phrases: known ones found, new ones found on a held-out fifth, false alarms on clean PLOS, papers from PDF.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/tortured.py [--quick]     # results/tortured.md

Tables (every figure from data never fitted on; PLOS is the held-out genre):

1. Known phrases: each entry of the list's given four fifths (``held_out`` false) in carrier
   sentences of scientific prose (hand-written here, three per phrase) and in a real PLOS abstract
   with the phrase swapped in for a noun; flagged (a known finding on the phrase), suggestion equal
   to the expected phrase, and the *controls* (the expected phrase in the same carriers) with any
   finding. Entries whose PPS guard asks for context get it (a sentence naming what the guard asks
   for) and are counted apart, as are ordinary-prose entries (which need their expected phrase
   nearby or other tortured phrases).
2. New phrases: the held-out fifth (by a hash of the phrase, never read by the list the benchmark
   uses or by the new-phrase model's training) the same way, with the detector's known list
   restricted to the given four fifths: flagged by a new finding (or by any finding: a held-out
   phrase may contain a given one), exact suggestion, controls flagged; and the whole
   operating curve of the new-phrase model (flagged against false alarms per 100,000 words).
3. Clean PLOS: findings per 100,000 words over the 120 articles, known and new, with the phrases.
4. Before: the spinning detector alone (its spans) on the same plain sentences, as the issue
   measured it (9.5% flagged, 1% restored).
5. PDF: papers printed from PLOS articles (``benchmarks/paper_pdfs.py``): body words extracted in
   reading order (matched in order against the printed body), words that are not body, time, for
   pypdfium2 (the library chosen) and pypdf; and `detector score paper.pdf` end to end on one core.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.tortured.match import words_of  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results" / "tortured.md"
CARRIERS = [
    "In this paper we study {} and report the results of our experiments.",
    "The proposed approach combines {} with a lightweight preprocessing step.",
    "Recent work has applied {} to problems in medicine and engineering.",
    "We evaluate {} on three public benchmarks and discuss its limitations.",
    "Our results show that {} improves accuracy over the baseline methods.",
    "A detailed description of {} is given in the supplementary material.",
]
_SLOT = re.compile(r"\bthe ([a-z]{5,}) (?=of|in|was|is|and|for|were|with)\b")


SEED = 0


def pick(key: str, n: int, k: int) -> list[int]:
    """``k`` distinct indices below ``n``, drawn by a generator seeded with ``SEED`` and ``key`` (the
    benchmark's only random choice)."""
    seed = int(hashlib.sha256(f"{SEED}:{key}".encode()).hexdigest()[:16], 16)
    return random.Random(seed).sample(range(n), min(k, n))


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and words_of(a) == words_of(b)


def plos_articles() -> list[dict]:
    path = CORPUS / "plos-articles" / "plos-articles.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def plos_slots(articles: list[dict]) -> list[tuple[str, int, int]]:
    """(abstract, start, end) of a noun to swap a phrase in for, one per article that has one."""
    out = []
    for a in articles:
        abstract = a["text"].split("\n")[0]
        m = _SLOT.search(abstract)
        if m:
            out.append((abstract, m.start(1), m.end(1)))
    return out


def guard_context(entry) -> str:
    from detector.tortured.guards import satisfying_context

    parts = []
    if entry.queries:
        parts = satisfying_context(entry.queries[0], words_of(entry.tortured))
    if entry.ordinary and entry.expected:
        parts.append(entry.expected)
    return (" We also discuss " + " and ".join(parts) + ".") if parts else ""


def flagged_at(report: dict, start: int, end: int, kinds=("known", "new")) -> list[dict]:
    return [f for f in report["findings"] if f["kind"] in kinds and f["start"] < end and start < f["end"]]


def suggestion_of(text: str, start: int, end: int, hits: list[dict]) -> str | None:
    """The phrase at text[start:end] with every finding's suggestion put in (None if a finding has none)."""
    out = text[start:end]
    for f in sorted(hits, key=lambda f: -f["start"]):
        if not f.get("expected"):
            return None
        a, b = max(f["start"], start) - start, min(f["end"], end) - start
        out = out[:a] + f["expected"] + out[b:]
    return out


def measure(screen, entries, carriers_per: int, plos: list, kinds: tuple[str, ...], context: bool) -> dict:
    """Flagged, exact suggestion and controls flagged, in carrier sentences and PLOS abstracts."""
    stats = {k: 0 for k in ("n", "flagged", "exact", "with_expected", "controls", "controls_flagged",
                            "plos_n", "plos_flagged", "plos_exact", "plos_controls_flagged")}
    misses, wrong = [], []
    for e in entries:
        extra = guard_context(e) if context else ""
        for c in pick("carrier:" + e.tortured, len(CARRIERS), carriers_per):
            template = CARRIERS[c]
            prefix = template.split("{}")[0]
            text = template.format(e.tortured) + extra
            start, end = len(prefix), len(prefix) + len(e.tortured)
            report = screen.screen(text)
            hits = flagged_at(report, start, end, kinds)
            stats["n"] += 1
            stats["flagged"] += bool(hits)
            if not hits and len(misses) < 12 and e.tortured not in misses:
                misses.append(e.tortured)
            if e.expected:
                stats["with_expected"] += 1
                got = suggestion_of(text, start, end, hits) if hits else None
                stats["exact"] += same(got, e.expected)
                line = f"{e.tortured} -> {got} (expected {e.expected})"
                if hits and not same(got, e.expected) and len(wrong) < 12 and line not in wrong:
                    wrong.append(line)
                control = template.format(e.expected)
                stats["controls"] += 1  # a finding in the control sentence (not in the guard's context after it)
                stats["controls_flagged"] += any(f["start"] < len(control)
                                                 for f in screen.screen(control + extra)["findings"])
        if plos and e.expected:
            abstract, a, b = plos[pick("plos:" + e.tortured, len(plos), 1)[0]]
            text = abstract[:a] + e.tortured + abstract[b:] + extra
            report = screen.screen(text)
            hits = flagged_at(report, a, a + len(e.tortured), kinds)
            stats["plos_n"] += 1
            stats["plos_flagged"] += bool(hits)
            stats["plos_exact"] += bool(hits) and same(suggestion_of(text, a, a + len(e.tortured), hits), e.expected)
            control = abstract[:a] + e.expected + abstract[b:]
            stats["plos_controls_flagged"] += any(f["start"] < len(control)
                                                  for f in screen.screen(control + extra)["findings"])
    stats["misses"], stats["wrong"] = misses, wrong
    return stats


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}% ({a:,}/{b:,})" if b else "n/a"


def table_rows(name: str, s: dict) -> list[str]:
    return [f"| {name} | carriers | {pct(s['flagged'], s['n'])} | {pct(s['exact'], s['with_expected'])} | "
            f"{pct(s['controls_flagged'], s['controls'])} |",
            f"| {name} | PLOS abstracts | {pct(s['plos_flagged'], s['plos_n'])} | "
            f"{pct(s['plos_exact'], s['plos_n'])} | {pct(s['plos_controls_flagged'], s['plos_n'])} |"]


def curve(finder, held, plos_texts: list[str], words: int) -> list[str]:
    """Held-out phrases flagged (in the first carrier) against false alarms per 100k words of PLOS, per threshold."""
    from detector.tortured.match import Document

    scores = []
    for e in held:
        text = CARRIERS[0].format(e.tortured)
        prefix = len(CARRIERS[0].split("{}")[0])
        doc = Document(text)
        runs, X, _ = finder.candidates(doc)
        p = finder.model.predict_proba(X) if len(runs) else []
        inside = [float(q) for r, q in zip(runs, p) if doc.starts[r.first] < prefix + len(e.tortured)
                  and doc.ends[r.last] > prefix]
        scores.append(max(inside, default=0.0))
    neg = []
    for text in plos_texts:
        doc = Document(text)
        runs, X, _ = finder.candidates(doc)
        if len(runs):
            neg += [(text[:0], r.first, r.last, float(q)) for r, q in zip(runs, finder.model.predict_proba(X))]
    rows = []
    for t in (0.5, 0.7, 0.8, 0.9, 0.95, finder.paper_threshold, finder.threshold, 0.99):
        hit = sum(s >= t for s in scores) / max(len(scores), 1)
        false = sum(q >= t for *_, q in neg)
        rows.append((t, hit, false * 100_000 / max(words, 1)))
    return [f"| {t:.4f} | {100 * h:.1f}% | {f:.1f} |" for t, h, f in sorted(set(rows))]


def extraction(pdf: Path, ref: dict, library: str) -> dict:
    """Body words of a printed paper recovered in order, and extracted words that are not body."""
    from detector.papers.paper import paper_from_pages
    from detector.papers.pdf import clean_page

    t0 = time.perf_counter()
    if library == "pypdfium2":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(pdf))
        pages = [clean_page(doc[i].get_textpage().get_text_range()).split("\n") for i in range(len(doc))]
    else:
        import pypdf

        pages = [(p.extract_text() or "").split("\n") for p in pypdf.PdfReader(str(pdf)).pages]
    paper = paper_from_pages(pages, pdf.name)
    seconds = time.perf_counter() - t0
    norm = lambda s: [w.lower() for w in re.findall(r"[^\W_]+", s)]  # noqa: E731
    want, got = norm(ref["body"]), norm(paper.text)
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    matched = sum(b.size for b in matcher.get_matching_blocks())
    return {"pages": len(pages), "recall": matched / max(len(want), 1), "extra": 1 - matched / max(len(got), 1),
            "seconds": seconds, "words": len(want)}


def pdf_tables(tmp: Path, count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from paper_pdfs import make_paper

    articles = [a for a in plos_articles() if len(a["text"].split()) > 3000]
    chosen = [articles[i] for i in pick("pdf-papers", len(articles), count)]
    longest = max(plos_articles(), key=lambda a: len(a["text"].split()))
    if longest not in chosen:
        chosen.append(longest)
    rows, timing = [], []
    for a in chosen:
        out = tmp / f"{a['id']}.pdf"
        ref = make_paper(a, out)
        for library in ("pypdfium2", "pypdf"):
            r = extraction(out, ref, library)
            rows.append(f"| {a['id']} | {r['pages']} | {r['words']:,} | {library} | {100 * r['recall']:.2f}% | "
                        f"{100 * r['extra']:.2f}% | {r['seconds']:.2f} |")
    big = tmp / f"{longest['id']}.pdf"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    for args in (["--no-damage"], []):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "detector", "score", str(big), "--format", "json", *args],
                              capture_output=True, env=env, cwd=ROOT, timeout=600)
        seconds = time.perf_counter() - t0
        result = json.loads(proc.stdout) if proc.returncode == 0 else {}
        t = result.get("tortured", {})
        timing.append(f"| `detector score {big.name} --format json {' '.join(args)}` | "
                      f"{result.get('paper', {}).get('pages')} | {result.get('words')} | {seconds:.1f} s | "
                      f"{t.get('known')} known, {t.get('new')} new |")
    return rows, timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a sample of each set (minutes, not an hour)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    from detector.detection.model import load_model
    from detector.tortured.guards import satisfying_context
    from detector.tortured.novel import NovelFinder
    from detector.tortured.phrases import KnownPhrases
    from detector.tortured.screen import TorturedScreen

    t_start = time.time()
    tables = load_model().tables
    given_list = KnownPhrases.load(exclude_held_out=True)
    full_list = KnownPhrases.load()
    finder = NovelFinder.load(tables=tables)
    screen = TorturedScreen(given_list, finder)
    known_only = TorturedScreen(given_list, None)
    entries = full_list.entries
    given = [e for e in entries if not e.held_out]
    held = [e for e in entries if e.held_out]
    articles = plos_articles()
    slots = plos_slots(articles)
    sample = 400 if args.quick else None

    def take(xs, key):
        if sample is None or len(xs) <= sample:
            return xs
        return [xs[i] for i in sorted(pick(key, len(xs), sample))]

    plain = [e for e in given if not e.ordinary and not e.guarded]
    guarded = [e for e in given if e.guarded and not e.ordinary]
    ordinary = [e for e in given if e.ordinary]
    lines = ["# Tortured phrases", "",
             f"Run {time.strftime('%Y-%m-%d')} on {platform.machine()} ({os.cpu_count()} cores shared, one used), "
             f"Python {platform.python_version()}; list {full_list.version} ({len(entries):,} entries: "
             f"{len(given):,} given, {len(held):,} held out by a hash of the phrase), new-phrase model "
             f"{finder.version} (threshold {finder.threshold}, {finder.paper_threshold} in a paper with 3+ known). "
             f"{'A sample (--quick).' if args.quick else ''}", "",
             "## 1. Known phrases (the given four fifths)", "",
             "Known findings only. Carriers: three hand-written scientific sentences per phrase; PLOS: one real "
             "held-out abstract with a noun swapped for the phrase. Controls: the expected phrase in the same "
             "carrier, flagged if *any* finding (known or new) is in the text.", "",
             "| entries | carrier | flagged | suggestion = expected | controls flagged |", "|---|---|---|---|---|"]
    s_plain = measure(screen, take(plain, "plain"), 3, slots, ("known",), context=False)
    lines += table_rows(f"plain ({len(plain):,})", s_plain)
    s_guard = measure(screen, take(guarded, "guarded"), 1, slots, ("known",), context=True)
    lines += table_rows(f"PPS-guarded, guard context added ({len(guarded):,})", s_guard)
    needs = [e for e in guarded if len(e.queries) == 1 and satisfying_context(e.queries[0], words_of(e.tortured))]
    alone = sum(bool(known_only.screen(f"We study {e.tortured}.")["findings"]) for e in needs)
    lines.append(f"| PPS-guarded, guard asking for context, alone in 'We study ….' ({len(needs):,}) | carriers | "
                 f"{pct(alone, len(needs))} (the guard is honoured when this is 0) | | |")
    s_ord = measure(screen, ordinary, 1, slots, ("known",), context=True)
    lines += table_rows(f"ordinary prose, expected phrase added ({len(ordinary):,})", s_ord)
    s_ord_alone = measure(known_only, ordinary, 1, [], ("known",), context=False)
    lines.append(f"| ordinary prose, alone ({len(ordinary):,}) | carriers | "
                 f"{pct(s_ord_alone['flagged'], s_ord_alone['n'])} (kept out on purpose) | | |")
    lines += ["", f"Missed (plain): {', '.join(s_plain['misses']) or 'none'}.",
              f"Suggestion differs (plain): {'; '.join(s_plain['wrong']) or 'none'}.", ""]
    print(f"known done ({time.time() - t_start:.0f} s)", file=sys.stderr)

    lines += ["## 2. New phrases (the held-out fifth, never seen)", "",
              "The list in use is the given four fifths only. 'new' counts a new-phrase finding on the phrase; "
              "'any' also counts a known finding on part of it (a held-out phrase can contain a given one).", "",
              "| entries | carrier | flagged | exact suggestion | controls flagged |", "|---|---|---|---|---|"]
    held_plain = [e for e in held if not e.ordinary and not e.guarded]
    s_new = measure(screen, take(held_plain, "held"), 2, slots, ("new",), context=False)
    lines += table_rows(f"held out, new findings ({len(held_plain):,})", s_new)
    s_any = measure(screen, take(held_plain, "held"), 2, slots, ("known", "new"), context=False)
    lines += table_rows(f"held out, any finding ({len(held_plain):,})", s_any)
    lines += ["", f"Missed: {', '.join(s_new['misses'])}.", f"Suggestion differs: {'; '.join(s_new['wrong'])}.", ""]
    print(f"new done ({time.time() - t_start:.0f} s)", file=sys.stderr)

    plos_texts = [a["text"] for a in (articles if not args.quick else articles[:30])]
    words = sum(len(t.split()) for t in plos_texts)
    t0 = time.perf_counter()
    found = {"known": [], "new": []}
    for text in plos_texts:
        for f in screen.screen(text)["findings"]:
            found[f["kind"]].append(f"{f['text']} -> {f.get('expected')}")
    seconds = time.perf_counter() - t0
    lines += ["## 3. Clean PLOS (held-out genre): false alarms", "",
              f"{len(plos_texts)} articles, {words:,} words, screened in {seconds:.0f} s "
              f"({words / max(seconds, 1e-9):,.0f} words/s, known and new).", "",
              "| finding | count | per 100,000 words |", "|---|---|---|",
              f"| known (full list) | {len(found['known'])} | {len(found['known']) * 1e5 / words:.2f} |",
              f"| new | {len(found['new'])} | {len(found['new']) * 1e5 / words:.2f} |", "",
              f"Known: {'; '.join(found['known']) or 'none'}.", f"New: {'; '.join(found['new']) or 'none'}.", "",
              "Operating curve of the new-phrase model: held-out phrases (first carrier) flagged against new "
              "findings per 100,000 PLOS words, per threshold.", "",
              "| threshold | held-out flagged | PLOS false per 100k words |", "|---|---|---|"]
    lines += curve(finder, take(held_plain, "curve"), plos_texts, words)
    print(f"plos done ({time.time() - t_start:.0f} s)", file=sys.stderr)

    from detector.detection.scoring import Scorer

    scorer = Scorer(load_model())
    before = {"given": [0, 0, 0], "held out": [0, 0, 0]}
    for name, group in (("given", take(plain, "before")), ("held out", take(held_plain, "before"))):
        group = group[:300]
        texts = [CARRIERS[0].format(e.tortured) for e in group]
        for e, r in zip(group, scorer.score_many(texts, exhaustive=True)):
            a = len(CARRIERS[0].split("{}")[0])
            hits = [s for s in r.shown_spans if s.start < a + len(e.tortured) and a < s.end]
            before[name][0] += 1
            before[name][1] += bool(hits)
            got = suggestion_of(r.text, a, a + len(e.tortured),
                                [{"start": s.start, "end": s.end, "expected": s.suggestion} for s in hits])
            before[name][2] += bool(hits) and same(got, e.expected)
    lines += ["", "## 4. Before: the spinning detector alone", "",
              "Spans shown (display threshold) on the phrase in the first carrier, and the phrase restored exactly "
              "by their suggestions; the issue measured 9.5% and 1%.", "",
              "| entries | flagged | restored |", "|---|---|---|"]
    lines += [f"| {k} | {pct(v[1], v[0])} | {pct(v[2], v[0])} |" for k, v in before.items()]

    with tempfile.TemporaryDirectory() as tmp:
        try:
            rows, timing = pdf_tables(Path(tmp), 2 if args.quick else 4)
            lines += ["", "## 5. Papers from PDF", "",
                      "Papers printed from PLOS articles by `benchmarks/paper_pdfs.py` (two justified columns, "
                      "running header and footer, ligature glyphs, hyphenation at line ends, made-up front matter "
                      "and references). Body recall: printed body words recovered in order; not body: extracted "
                      "words matching none (headers, front matter, references leaking in).", "",
                      "| paper | pages | body words | library | body recall | not body | seconds |",
                      "|---|---|---|---|---|---|---|", *rows, "",
                      "End to end on one core (OMP_NUM_THREADS=1), the longest article:", "",
                      "| command | pages | words scored | wall time | tortured |", "|---|---|---|---|---|", *timing]
        except ImportError as err:
            lines += ["", f"## 5. Papers from PDF: skipped ({err}; pip install fpdf2 pypdf)"]
    lines += ["", f"Total time {time.time() - t_start:.0f} s.", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
