"""Repair benchmark: substitutions restored exactly, multi-word swaps, clean words left alone.

    python benchmarks/repair.py            # writes results/repair.{json,md}
    python benchmarks/repair.py --quick    # a quarter of the documents, no retrieval; written, marked quick

(a) Seed 000 repaired with 001 as reference: changes by source, and whether any of the spinner's
"customers", "Chinese language", "reminiscent of", "telephone number" is left anywhere (correction
note included) while the rewritten paragraph 11 keeps its own statement.

(b) Held-out corpora (``detector.detection.corpora.HELD_OUT``, never trained on), each document spun
at 0.05, 0.1 and 0.2 by each spinner (the training spinners, and two never used in training, see
``benchmarks/heldout_spinner.py``), repaired with the original as reference and without one. A
substitution is *restored* when the repaired text has exactly the original's words in its place
(compared word by word with the original); *multi-word* swaps are those where either side has more
than one word; an *untouched word changed* is a word the spinner left alone that is no longer in
place. The clean documents themselves are repaired too: the share of their words changed is the
damage repair does to text it should leave alone.

(c) A sentence-level set: single sentences of the held-out corpora, each with exactly one swap (the
first a spinner makes), repaired on their own, and the same sentences unspun.

(e) Suggestions, in the same runs without a reference: over the spans shown to people (score at or
over the display threshold), how many show a suggestion (a confident original, see
``detector/detection/suggestions.py``), the share of shown suggestions that are exactly the original
(judged by ``detector.detection.suggestions.judge``: the suggestion in the span's place gives the
original's words there; a suggestion on a span that covers no substitution is wrong), and the
share of true spans (shown spans covering a substitution) that get one.

(d) Retrieval: every Reuters article indexed by immutable fingerprints (detector/repair/fingerprint.py);
spun TEST articles are the queries; top-1 counts when the retrieved article has the same text as
the source (Reuters holds exact duplicates under other ids). Baseline: MinHash over 5-word shingles.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, reuters, write_results

from detector.detection.corpora import HELD_OUT, default_root, held_out_documents
from detector.detection.scoring import Scorer
from detector.detection.suggestions import judge
from detector.repair.align import sentence_spans
from detector.repair.repair import repair
from detector.spinner.spinner import Spinner, SpinResult, Substitution
from detector.text.tokenize import tokenize

RATES = (0.05, 0.1, 0.2)
SPINNERS = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases", "wordnet-naive", "distributional", "glove")
HELD_OUT_SPINNERS = ("distributional", "glove")
CAPS = {"onestopenglish": 40, "gum": 60, "plos": 15, "stackexchange": 120, "reuters-test": 120}
MAX_WORDS = 800


def compare(original: str, spun: SpinResult | None, repaired: str) -> dict:
    """Counts of substitutions (all, restored, multi-word, multi-word restored) and of untouched
    words (all, changed), comparing the repaired text with the original word by word (difflib)."""
    o_tokens = tokenize(original)
    r_tokens = tokenize(repaired)
    matcher = difflib.SequenceMatcher(None, [t.text for t in o_tokens], [t.text for t in r_tokens], autojunk=False)
    equal = np.zeros(len(o_tokens), dtype=bool)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            equal[i1:i2] = True
    starts = np.array([t.start for t in o_tokens])
    words = np.array([t.kind == "word" for t in o_tokens])
    inside = np.zeros(len(o_tokens), dtype=bool)
    out = {"subs": 0, "restored": 0, "multi": 0, "multi_restored": 0}
    for sub in (spun.substitutions if spun else ()):
        cells = (starts >= sub.original_start) & (starts < sub.original_end)
        inside |= cells
        ok = bool(cells.any()) and bool(equal[cells].all())
        multi = len(sub.original.split()) > 1 or len(sub.replacement.split()) > 1
        out["subs"] += 1
        out["restored"] += ok
        out["multi"] += multi
        out["multi_restored"] += multi and ok
    untouched = words & ~inside
    out["untouched"] = int(untouched.sum())
    out["changed"] = int((untouched & ~equal).sum())
    return out


def suggestion_counts(scored, spun: SpinResult) -> dict:
    """Shown spans, true ones (covering a substitution), shown suggestions, right ones, and true
    spans with a suggestion."""
    out = {"shown": 0, "true": 0, "suggestions": 0, "right": 0, "true_suggested": 0}
    for span in scored.shown_spans:
        true, right = judge(span.start, span.end, span.suggestion, spun)
        out["shown"] += 1
        out["true"] += true
        out["suggestions"] += span.suggestion is not None
        out["right"] += right
        out["true_suggested"] += true and span.suggestion is not None
    return out


def add(total: dict, part: dict) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def spin_config(name: str, rate: float, seed: int):
    from detection import spin_config as detection_spin_config

    return detection_spin_config(name, rate, seed)


def cut(text: str) -> str:
    from detection import cut as detection_cut

    return detection_cut(text, MAX_WORDS)


def one_swap(text: str, spinner: Spinner, seed: int) -> SpinResult | None:
    """``text`` with only the first substitution the spinner makes in it."""
    spun = spinner.spin(text, seed=seed)
    if not spun.substitutions:
        return None
    s = spun.substitutions[0]
    new = text[: s.original_start] + s.replacement + text[s.original_end :]
    sub = Substitution(s.original_start, s.original_start + len(s.replacement), s.replacement, s.original,
                       s.original_start, s.original_end)
    return SpinResult(new, text, (sub,))


def seed_check(seeds: dict[str, str], scorer: Scorer) -> dict:
    fixed = repair(seeds["000"], reference=seeds["001"], scorer=scorer)
    left = {w: fixed.text.lower().count(w) for w in ("customers", "chinese language", "reminiscent of",
                                                      "telephone number")}
    by_source: dict[str, int] = {}
    for c in fixed.changes:
        by_source[c.source] = by_source.get(c.source, 0) + 1
    paragraph = next((p for p in fixed.text.split("\n") if "to register" in p), "")
    start = seeds["000"].find("Whereas many")
    end = seeds["000"].find("\n", start)
    why = [f"{x.text!r}: {x.why}" for x in fixed.left if start <= x.start < end]
    return {"changes": len(fixed.changes), "by_source": by_source, "left": left,
            "note_kept": fixed.text.startswith("(This Jan. 15 story has been corrected"),
            "paragraph_11": paragraph.strip()[:200],
            "paragraph_11_restored": "allow foreign phone numbers to register" in paragraph,
            "paragraph_11_spun_words_left": [w for w in ("permit", "overseas", "telephone") if w in paragraph.split()],
            "paragraph_11_left_why": why}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scorer = Scorer()
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}
    seed = seed_check(seeds, scorer)
    rng = random.Random(0)
    docs = []
    for name in HELD_OUT:
        found = held_out_documents(args.corpus, name)
        docs += rng.sample(found, min(CAPS[name] // (4 if args.quick else 1), len(found)))
    texts = [cut(d.text) for d in docs]
    genres = [d.genre.split("/")[0] for d in docs]

    # clean documents: what repair does to text it should leave alone
    clean: dict[str, dict] = {}
    start = time.perf_counter()
    for text, genre in zip(texts, genres):
        add(clean.setdefault(genre, {}), compare(text, None, repair(text, scorer=scorer).text))
    print(f"clean done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    rows: dict[tuple[str, str, str], dict] = {}  # (mode, spinner, genre) -> counts
    suggestion_rows: dict[tuple[str, str], dict] = {}  # (spinner, genre) -> suggestion counts
    for name in SPINNERS:
        for rate in RATES:
            spinner = Spinner(spin_config(name, rate, seed=3))
            for i, (text, genre) in enumerate(zip(texts, genres)):
                spun = spinner.spin(text, seed=i)
                if not spun.substitutions:
                    continue
                scored = scorer.score(spun.text)
                for mode in ("given", "none"):
                    fixed = repair(spun.text, reference=text if mode == "given" else None, scorer=scorer,
                                   scored=scored)
                    add(rows.setdefault((mode, name, genre), {}), compare(text, spun, fixed.text))
                add(suggestion_rows.setdefault((name, genre), {}), suggestion_counts(scored, spun))
        print(f"  {name} done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    # sentence-level set: one swap per sentence, repaired on its own
    sentences = []
    for text, genre in zip(texts, genres):
        for a, b in sentence_spans(text):
            sentence = text[a:b].strip()
            if 8 <= len(sentence.split()) <= 40 and sentence[-1:] in ".!?\"'":
                sentences.append((sentence, genre))
    sentences = random.Random(1).sample(sentences, min(600 // (4 if args.quick else 1), len(sentences)))
    sentence_rows: dict[str, dict] = {}
    for k, (sentence, _genre) in enumerate(sentences):
        name = SPINNERS[k % len(SPINNERS)]
        swapped = one_swap(sentence, Spinner(spin_config(name, 0.3, seed=11)), seed=k)
        if swapped is None:
            continue
        fixed = repair(swapped.text, scorer=scorer)
        add(sentence_rows.setdefault("held-out" if name in HELD_OUT_SPINNERS else "trained", {}),
            compare(sentence, swapped, fixed.text))
        add(sentence_rows.setdefault("clean", {}), compare(sentence, None, repair(sentence, scorer=scorer).text))
    print(f"sentences done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    def share(a: int, b: int) -> float:
        return a / b if b else float("nan")

    corpora = sorted(set(genres))
    table = ["(a) seed 000 with 001 as reference: " + f"{seed['changes']} changes {seed['by_source']}; left in the "
             f"repaired text: {seed['left']}; correction note kept: {seed['note_kept']}; paragraph 11 reads 'allow "
             f"foreign phone numbers to register': {seed['paragraph_11_restored']}, spun words left in it: "
             f"{seed['paragraph_11_spun_words_left']} ({seed['paragraph_11']!r}); what repair says it left there: "
             f"{'; '.join(seed['paragraph_11_left_why']) or 'nothing'}", "",
             f"(b) held-out corpora, {len(texts)} documents (cut at {MAX_WORDS} words), spun at {RATES} by each "
             "spinner; without a reference unless said", "",
             "| spinner | corpus | substitutions | restored exactly | multi-word swaps | multi-word restored | "
             "untouched words changed | with reference: restored | with reference: untouched changed |",
             "|" + " --- |" * 9]
    results: dict = {"seed_000": seed, "per_spinner_corpus": {}, "clean": {}, "sentences": {}}
    means = {"restored": [], "multi": []}
    for name in SPINNERS:
        for genre in corpora:
            r, g = rows.get(("none", name, genre), {}), rows.get(("given", name, genre), {})
            if not r:
                continue
            rest, multi = share(r["restored"], r["subs"]), share(r["multi_restored"], r["multi"])
            means["restored"].append(rest)
            if r["multi"] >= 5:
                means["multi"].append(multi)
            label = f"{name} (held out)" if name in HELD_OUT_SPINNERS else name
            table.append(f"| {label} | {genre} | {r['subs']} | {rest:.1%} | {r['multi']} | {multi:.1%} | "
                         f"{r['changed']} of {r['untouched']} ({share(r['changed'], r['untouched']):.2%}) | "
                         f"{share(g['restored'], g['subs']):.1%} | {g['changed']} |")
            results["per_spinner_corpus"][f"{name}|{genre}"] = {"none": r, "given": g}
    given = {k: sum(v.get(k, 0) for (m, _, _), v in rows.items() if m == "given") for k in ("subs", "restored",
                                                                                           "changed", "untouched")}
    none = {k: sum(v.get(k, 0) for (m, _, _), v in rows.items() if m == "none") for k in ("subs", "restored", "multi",
                                                                                         "multi_restored")}
    results["summary"] = {
        "restored_mean_over_spinner_corpus": float(np.nanmean(means["restored"])),
        "multi_word_restored_mean": float(np.nanmean(means["multi"])) if means["multi"] else float("nan"),
        "restored_pooled": share(none["restored"], none["subs"]),
        "multi_word_restored_pooled": share(none["multi_restored"], none["multi"]),
        "with_reference_restored": share(given["restored"], given["subs"]),
        "with_reference_untouched_changed": given["changed"],
    }
    s = results["summary"]
    table += ["", f"Without a reference: restored exactly {s['restored_mean_over_spinner_corpus']:.1%} (mean over "
              f"spinner x corpus; pooled {s['restored_pooled']:.1%}); multi-word swaps "
              f"{s['multi_word_restored_mean']:.1%} (mean; pooled {s['multi_word_restored_pooled']:.1%}). With the "
              f"reference: {s['with_reference_restored']:.2%} restored, {s['with_reference_untouched_changed']} "
              f"untouched words changed of {given['untouched']:,}.", "",
              "Clean documents repaired without a reference (what repair does to text it should leave alone):", "",
              "| corpus | words | words changed |", "| --- | --- | --- |"]
    for genre in corpora:
        c = clean[genre]
        table.append(f"| {genre} | {c['untouched']:,} | {c['changed']} ({share(c['changed'], c['untouched']):.3%}) |")
        results["clean"][genre] = c
    total_clean = {k: sum(c[k] for c in clean.values()) for k in ("untouched", "changed")}
    results["clean"]["all"] = total_clean
    table.append(f"| all | {total_clean['untouched']:,} | {total_clean['changed']} "
                 f"({share(total_clean['changed'], total_clean['untouched']):.3%}) |")
    table += ["", f"(c) sentence-level set: {len(sentences)} single sentences of the held-out corpora, one swap each "
              "(spinners in turn), repaired on their own:", "", "| swaps by | swaps | restored exactly | "
              "untouched words changed |", "| --- | --- | --- | --- |"]
    for key in ("trained", "held-out"):
        r = sentence_rows.get(key, {"subs": 0, "restored": 0, "changed": 0, "untouched": 0})
        table.append(f"| {key} spinners | {r['subs']} | {share(r['restored'], r['subs']):.1%} | {r['changed']} of "
                     f"{r['untouched']} |")
    all_sent = {k: sum(sentence_rows.get(x, {}).get(k, 0) for x in ("trained", "held-out")) for k in ("subs",
                                                                                                      "restored")}
    c = sentence_rows.get("clean", {"changed": 0, "untouched": 0})
    table.append(f"| all | {all_sent['subs']} | {share(all_sent['restored'], all_sent['subs']):.1%} | |")
    table.append(f"\nThe same sentences unspun: {c['changed']} of {c['untouched']} words changed "
                 f"({share(c['changed'], c['untouched']):.2%}).")
    results["sentences"] = {**sentence_rows, "restored_all": share(all_sent["restored"], all_sent["subs"])}
    table += ["", "(e) suggestions on the shown spans of the spun documents of (b), without a reference (suggestion "
              f"threshold {scorer.model.suggestion_threshold}):", "",
              "| spinner | corpus | shown spans | true spans | suggestions shown | exactly the original | "
              "true spans with a suggestion | true spans with the right one |", "|" + " --- |" * 8]
    results["suggestions"] = {}
    pooled: dict[str, dict] = {}
    for name in SPINNERS:
        for genre in corpora:
            r = suggestion_rows.get((name, genre))
            if not r:
                continue
            add(pooled.setdefault("held-out" if name in HELD_OUT_SPINNERS else "trained", {}), r)
            add(pooled.setdefault("all", {}), r)
            label = f"{name} (held out)" if name in HELD_OUT_SPINNERS else name
            table.append(f"| {label} | {genre} | {r['shown']} | {r['true']} | {r['suggestions']} | "
                         f"{share(r['right'], r['suggestions']):.1%} | {share(r['true_suggested'], r['true']):.1%} | "
                         f"{share(r['right'], r['true']):.1%} |")
            results["suggestions"][f"{name}|{genre}"] = r
    for key in ("trained", "held-out", "all"):
        r = pooled.get(key)
        if r:
            table.append(f"| **{key} spinners, pooled** | all | {r['shown']} | {r['true']} | {r['suggestions']} | "
                         f"{share(r['right'], r['suggestions']):.1%} | {share(r['true_suggested'], r['true']):.1%} | "
                         f"{share(r['right'], r['true']):.1%} |")
            results["suggestions"][f"pooled|{key}"] = r
    if not args.quick:
        found = retrieval([r["body"] for r in reuters("TEST", min_words=40)][:300])
        results["retrieval"] = found
        table += ["", f"(d) retrieval over {found['articles']:,} Reuters articles: index built in "
                  f"{found['build_s']:.1f} s, {found['size_mb']:.1f} MB on disk (texts included), loads in "
                  f"{found['load_s']:.2f} s", "",
                  "| rate | top-1 (immutable fingerprints) | top-1 (5-word-shingle MinHash) | ms per query |",
                  "| --- | --- | --- | --- |"]
        table += [f"| {rate} | {found[rate]['top1']:.1%} | {found[rate]['minhash_top1']:.1%} | "
                  f"{found[rate]['ms_per_query']:.1f} |" for rate in ("0.1", "0.35")]
    if args.quick:
        table.insert(0, "**Quick run** (`--quick`): a quarter of the documents and sentences, no retrieval.\n")
        results["quick"] = True
    text = "\n".join(table)
    print(text)
    write_results("repair", results, text)


class MinHash:
    """Word-shingle MinHash (the baseline): 64 hash functions over 5-word shingles."""

    def __init__(self, texts: list[str], perms: int = 64, k: int = 5, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.k, self.a = k, rng.integers(1, 2**31 - 1, perms, dtype=np.int64)
        self.b = rng.integers(0, 2**31 - 1, perms, dtype=np.int64)
        self.signatures = np.vstack([self.signature(t) for t in texts])

    def signature(self, text: str) -> np.ndarray:
        words = text.lower().split()
        grams = {" ".join(words[i : i + self.k]) for i in range(max(len(words) - self.k + 1, 1))}
        h = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams],
                     dtype=np.int64)
        return ((np.outer(h, self.a) + self.b) % 2147483647).min(axis=0)

    def best(self, text: str) -> int:
        return int(np.argmax((self.signatures == self.signature(text)).mean(axis=1)))


def retrieval(texts: list[str]) -> dict:
    from detector.repair.fingerprint import SourceIndex
    from detector.spinner.spinner import SpinConfig

    corpus = {str(r["newid"]): r["body"] for r in reuters()}
    start = time.perf_counter()
    index = SourceIndex.build(corpus.items())
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp))
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        start = time.perf_counter()
        SourceIndex.load(Path(tmp))
        load_s = time.perf_counter() - start
    ids = list(corpus)
    minhash = MinHash([corpus[i] for i in ids])
    out = {"build_s": build_s, "size_mb": size_mb, "load_s": load_s, "articles": len(corpus)}
    for rate in (0.1, 0.35):
        spinner = Spinner(SpinConfig(rate=rate, seed=7, thesaurus="wordnet,phrases"))
        ours = base = 0
        elapsed = 0.0
        for i, text in enumerate(texts):
            spun = spinner.spin(text, seed=i).text
            start = time.perf_counter()
            hits = index.search(spun, top=1)
            elapsed += time.perf_counter() - start
            ours += bool(hits) and corpus[hits[0][0]].strip() == text.strip()
            base += corpus[ids[minhash.best(spun)]].strip() == text.strip()
        out[str(rate)] = {"top1": ours / len(texts), "minhash_top1": base / len(texts),
                          "ms_per_query": 1000 * elapsed / len(texts)}
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
