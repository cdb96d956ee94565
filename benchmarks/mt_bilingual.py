"""Bilingual documents: numbers and names a translation changed, found by comparing the two sides.

    python benchmarks/mt_bilingual.py              # writes results/mt_bilingual.{json,md}
    python benchmarks/mt_bilingual.py --split dev  # the half the rules were written on (not written)

The set is built here from human translations and their sources (never copied into the
repository): DEMETR's references and checked Google Translate output (FLORES and WMT sentences
from cs, de, es, fr, hi, it, ja, pl, ru, zh), Google's MQM set of WMT Chinese news (the human
translations Human-A and ref.A), bio-mqm's references (biomedical abstracts from de, es, fr, it,
pt, ru, zh) and WMT23 QE (he, zh references). Each document interleaves ``DOC_PAIRS`` pairs, the
English line and then its source line, as a bilingual web page does (seed 001).

* **unchanged** documents: every pair as published; any report is a false one;
* **changed** documents: one pair changed on one side (seeded, the side alternating): a number
  written with the same digits on both sides given another value (one or two digits changed), or
  a name spelt the same on both sides (Latin letters, capitalised, not the first word) replaced by
  a name from another pair (one kept the same on both sides of that pair and not a word of WordNet:
  a name, not a title word). Found when a report covers the changed characters (or names them as
  the counterpart). What a translation renders in other words or another script ("新冠" for
  "COVID-19", "韓国" for "South Korea") is not in this set: DEMETR's own changes below include it.

Items are split by a hash of the source sentence into ``dev`` (the half the rules were written
and tuned on) and ``test`` (reported). Also reported: DEMETR's own perturbations of the English
(numbers replaced, named entities replaced or removed; English against its source), including
names written in another script that no check without a dictionary can see.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from common import write_results

from detector.damage.bilingual import bilingual_damage, check_pair
from detector.damage.lines import language_of
from detector.damage.lines import language_of as line_language
from detector.detection.corpora import default_root

DOC_PAIRS = 6
SEED = 13
_DIGIT = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![\w'’-])[A-Z][a-z]{2,}(?![\w'’-])")


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def split_of(source: str) -> str:
    return "dev" if int(hashlib.sha256(source.encode()).hexdigest(), 16) % 2 == 0 else "test"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def read_pairs(corpus: Path) -> list[dict]:
    """``{"english", "other", "lang", "set"}`` for every usable human (or checked) translation pair."""
    pairs = []
    for r in _lines(corpus / "mt-judged" / "demetr" / "demetr.jsonl.gz"):
        if r["severity"] == "none":
            pairs.append({"english": r["ref"], "other": r["src"], "lang": r["source_lang"], "set": "demetr-ref"})
            pairs.append({"english": r["mt_unperturbed"], "other": r["src"], "lang": r["source_lang"],
                          "set": "demetr-checked-mt"})
    for name in ("newstest2020", "newstest2021"):
        for r in _lines(corpus / "mt-judged" / "google-mqm-zhen" / f"{name}.jsonl.gz"):
            if r["system"] in ("Human-A", "ref.A"):
                pairs.append({"english": r["mt"], "other": r["src"], "lang": "zh", "set": "google-mqm-human"})
    for r in _lines(corpus / "mt-judged" / "bio-mqm" / "round2.jsonl.gz"):
        if r["system"] == "reference":
            pairs.append({"english": r["mt"], "other": r["src"], "lang": r["source_lang"], "set": "bio-mqm-reference"})
    for r in _lines(corpus / "mt-judged" / "wmt-qe-xen" / "wmt23_heen_zhen_test_mqm.jsonl"):
        if r.get("ref"):
            pairs.append({"english": r["ref"], "other": r["src"], "lang": r["source_lang"], "set": "wmt23-reference"})
    out, seen = [], set()
    for p in pairs:
        p = {**p, "english": one_line(p["english"]), "other": one_line(p["other"])}
        key = (p["english"], p["other"])
        if key in seen or not p["english"] or not p["other"] or language_of(p["english"]) != "english":
            continue
        if language_of(p["other"]) == "english":
            continue  # a source line the page would not tell from English: not a bilingual pair
        seen.add(key)
        p["split"] = split_of(p["other"])
        out.append(p)
    return out


def _digits(text: str) -> set[str]:
    return {re.sub(r"\D", "", m.group()) for m in _DIGIT.finditer(text)}


def change_number(pair: dict, side: str, rng: random.Random) -> tuple[str, tuple[int, int]] | None:
    """One number written in digits on both sides (its digits the same), changed on ``side``."""
    text = pair[side]
    shared = _digits(pair["english"]) & _digits(pair["other"])
    found = [m for m in _DIGIT.finditer(text) if re.sub(r"\D", "", m.group()) in shared]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group()
    digits = [i for i, c in enumerate(old) if c.isdigit()]
    new = list(old)
    for _ in range(10):  # change one or two digits (never the first to 0)
        new = list(old)
        for i in rng.sample(digits, min(len(digits), rng.choice((1, 2)))):
            choices = [d for d in "0123456789" if d != old[i] and not (d == "0" and i == digits[0] and len(digits) > 1)]
            new[i] = rng.choice(choices)
        if "".join(new) != old:
            break
    new_text = "".join(new)
    return text[: m.start()] + new_text + text[m.end() :], (m.start(), m.start() + len(new_text))


def _dictionary_word(word: str) -> bool:
    """A word of WordNet (any part of speech): 'College' or 'Nuclear' kept in English is a title
    word, not the kind of name a translation is checked for."""
    from detector.lexicon.lexicon import get_lexicon

    return any(get_lexicon().is_lemma(word.lower(), pos) for pos in "nvar")


def change_name(pair: dict, side: str, rng: random.Random, names: list[str]) -> tuple[str, tuple[int, int]] | None:
    english, other = pair["english"], pair["other"]
    shared = [m for m in _NAME.finditer(english) if m.start() > 0 and re.search(rf"(?<!\w){m.group()}(?!\w)", other)]
    if not shared:
        return None
    m = rng.choice(shared)
    text = english if side == "english" else other
    target = m if side == "english" else re.search(rf"(?<!\w){m.group()}(?!\w)", other)
    replacement = rng.choice([n for n in names if n != m.group() and n.lower() not in (english + other).lower()])
    return (text[: target.start()] + replacement + text[target.end() :],
            (target.start(), target.start() + len(replacement)))


def build(pairs: list[dict], rng: random.Random, documents: int) -> list[dict]:
    """Documents of ``DOC_PAIRS`` pairs; half with one change (number or name, on either side)."""
    names = sorted({m.group() for p in pairs for m in _NAME.finditer(p["english"]) if m.start() > 0
                    and re.search(rf"(?<!\w){m.group()}(?!\w)", p["other"]) and not _dictionary_word(m.group())})
    out = []
    order = pairs[:]
    rng.shuffle(order)
    at = 0
    for d in range(documents):
        chosen = order[at : at + DOC_PAIRS]
        at += DOC_PAIRS
        if len(chosen) < DOC_PAIRS:
            break
        change = None
        if d % 2 == 1:
            kind = ("number", "name")[(d // 2) % 2]
            side = ("english", "other")[(d // 4) % 2]
            for k in rng.sample(range(DOC_PAIRS), DOC_PAIRS):
                p = chosen[k]
                made = (change_number(p, side, rng) if kind == "number" else change_name(p, side, rng, names))
                if made is not None:
                    chosen[k] = {**p, side: made[0]}
                    change = {"pair": k, "side": side, "kind": kind, "span": made[1], "set": p["set"],
                              "lang": p["lang"], "text": made[0][made[1][0] : made[1][1]]}
                    break
        lines, starts = [], []
        at_char = 0
        for p in chosen:
            starts.append((at_char, at_char + len(p["english"]) + 1))
            lines += [p["english"], p["other"]]
            at_char += len(p["english"]) + 1 + len(p["other"]) + 1
        out.append({"text": "\n".join(lines) + "\n", "pairs": chosen, "change": change, "starts": starts})
    return out


def evaluate(docs: list[dict]) -> dict:
    per = defaultdict(lambda: {"changed": 0, "found": 0})
    false_pairs, unchanged_pairs, false_docs, unchanged_docs, examples, missed = 0, 0, 0, 0, [], []
    for doc in docs:
        spans = bilingual_damage(doc["text"])["spans"]
        change = doc["change"]
        for k, (e0, _) in enumerate(doc["starts"]):  # pairs without a change: any report in them is false
            if change is not None and k == change["pair"]:
                continue
            end = doc["starts"][k + 1][0] if k + 1 < len(doc["starts"]) else len(doc["text"])
            unchanged_pairs += 1
            hit = [s for s in spans if e0 <= s["start"] < end]
            false_pairs += bool(hit)
            if hit and len(examples) < 40:
                examples.append({"pair": doc["pairs"][k], "reports": [s["reasons"][0] for s in hit]})
        if change is None:
            unchanged_docs += 1
            false_docs += bool(spans)
            continue
        e0, o0 = doc["starts"][change["pair"]]
        base = e0 if change["side"] == "english" else o0
        a, b = base + change["span"][0], base + change["span"][1]

        def covers(s, a=a, b=b) -> bool:
            if s["start"] < b and a < s["end"]:
                return True
            other = s.get("other")
            return bool(other and other["start"] < b and a < other["end"])

        key = f"{change['kind']} changed in the {'English' if change['side'] == 'english' else 'source'} line"
        per[key]["changed"] += 1
        per[key]["found"] += any(covers(s) for s in spans)
        if not any(covers(s) for s in spans) and len(missed) < 40:
            missed.append({"change": change, "pair": doc["pairs"][change["pair"]],
                           "reports": [s["reasons"][0] for s in spans]})
        lang_key = f"{change['kind']}, {change['lang']}"
        per[lang_key]["changed"] += 1
        per[lang_key]["found"] += any(covers(s) for s in spans)
    return {"changes": dict(per), "unchanged_pairs": unchanged_pairs, "false_pairs": false_pairs,
            "unchanged_documents": unchanged_docs, "false_documents": false_docs, "false_examples": examples,
            "missed_examples": missed}


KINDS = ("different number", "missing number", "different date", "missing date", "different name", "missing name")


def false_by_kind(pairs: list[dict]) -> dict:
    """Unchanged pairs with a mismatch of each kind (reported kinds and those left unreported)."""
    counts = dict.fromkeys(KINDS, 0)
    for p in pairs:
        kinds = {m.kind for m in check_pair(p["english"], p["other"], line_language(p["other"]), frozenset(KINDS))}
        for kind in kinds:
            counts[kind] += 1
    return counts


def demetr_perturbations(corpus: Path, split: str) -> dict:
    """DEMETR's own perturbations of the English (numbers replaced, names replaced or removed),
    each English sentence paired with its source: found when a report covers the changed words
    (or, for a removed name, when a name is reported missing)."""
    out = defaultdict(lambda: {"changed": 0, "found": 0})
    for r in _lines(corpus / "mt-judged" / "demetr" / "demetr.jsonl.gz"):
        kind = r["perturbation"] or ""
        if not any(k in kind for k in ("numbers_replaced", "ne_replaced", "ne_removed")):
            continue
        if split_of(one_line(r["src"])) != split:
            continue
        english, other = one_line(r["mt"]), one_line(r["src"])
        text = english + "\n" + other + "\n"
        spans = bilingual_damage(text)["spans"]
        errors = r.get("errors") or []
        hit = False
        for s in spans:
            for e in errors:
                a, b = e["start"], max(e["end"], e["start"] + 1)
                if s["start"] < b and a < s["end"] or (s["start"] > len(english) and "removed" in kind):
                    hit = True
            if "removed" in kind and s["start"] > len(english):
                hit = True
        script = "Latin" if r["source_lang"] in ("cs", "de", "es", "fr", "it", "pl") else "other script"
        key = f"{kind.split('_', 2)[2].replace('_', ' ')} (source in {script})"
        out[key]["changed"] += 1
        out[key]["found"] += hit
    return dict(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=default_root())
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--documents", type=int, default=2000)
    args = parser.parse_args()
    pairs = [p for p in read_pairs(args.corpus) if p["split"] == args.split]
    print(f"{len(pairs):,} pairs in {args.split}", file=sys.stderr)
    rng = random.Random(SEED)
    docs = build(pairs, rng, args.documents)
    result = evaluate(docs)
    result["demetr"] = demetr_perturbations(args.corpus, args.split)
    result["false_by_kind"] = false_by_kind(pairs)
    result["pairs_by_set"] = dict(sorted(defaultdict(int, {s: sum(p["set"] == s for p in pairs)
                                                           for s in {p["set"] for p in pairs}}).items()))
    result["languages"] = sorted({p["lang"] for p in pairs})
    sets = ", ".join(f"{k} {v:,}" for k, v in result["pairs_by_set"].items())
    lines = [f"Bilingual documents ({args.split} half; {len(docs)} documents of {DOC_PAIRS} pairs, English line then "
             f"its source line; {len(pairs):,} pairs from {sets}; languages {', '.join(result['languages'])}).", "",
             "| change | changed | found | share |", "| --- | --- | --- | --- |"]
    total = [0, 0]
    for key, v in sorted(result["changes"].items()):
        if "," in key:
            continue
        total[0] += v["changed"]
        total[1] += v["found"]
        lines.append(f"| {key} | {v['changed']} | {v['found']} | {v['found'] / max(v['changed'], 1):.1%} |")
    lines.append(f"| all | {total[0]} | {total[1]} | {total[1] / max(total[0], 1):.1%} |")
    result["found_share"] = total[1] / max(total[0], 1)
    lines += ["", f"Unchanged pairs with a report (false reports): {result['false_pairs']} of "
              f"{result['unchanged_pairs']:,} ({result['false_pairs'] / max(result['unchanged_pairs'], 1):.2%}); "
              f"unchanged documents with any report: {result['false_documents']} of "
              f"{result['unchanged_documents']}.",
              "", f"Unchanged pairs with a mismatch of each kind ({len(pairs):,} pairs; only "
              "different numbers, dates and names are reported):", "", "| kind | pairs | share |",
              "| --- | --- | --- |",
              *[f"| {k} | {v} | {v / max(len(pairs), 1):.2%} |" for k, v in result["false_by_kind"].items()],
              "", "By language (changes found):", "", "| change, language | changed | found |",
              "| --- | --- | --- |"]
    lines += [f"| {key} | {v['changed']} | {v['found']} |"
              for key, v in sorted(result["changes"].items()) if "," in key]
    lines += ["", "DEMETR's own perturbations of the English, each sentence beside its source:", "",
              "| perturbation | sentences | found | share |", "| --- | --- | --- | --- |"]
    lines += [f"| {k} | {v['changed']} | {v['found']} | {v['found'] / max(v['changed'], 1):.1%} |"
              for k, v in sorted(result["demetr"].items())]
    text = "\n".join(lines)
    print(text)
    if result["false_examples"]:
        print("\nfalse reports (examples, not written):", file=sys.stderr)
        for ex in result["false_examples"]:
            print(f"  {ex['reports']}\n    {ex['pair']['english'][:150]}\n    {ex['pair']['other'][:150]}",
                  file=sys.stderr)
    if result["missed_examples"]:
        print("\nmissed changes (examples, not written):", file=sys.stderr)
        for ex in result["missed_examples"]:
            c = ex["change"]
            print(f"  {c['kind']} in {c['side']}: {c['text']!r} {ex['reports']}\n    {ex['pair']['english'][:160]}\n"
                  f"    {ex['pair']['other'][:160]}", file=sys.stderr)
    result.pop("false_examples")
    result.pop("missed_examples")
    if args.split == "test":
        write_results("mt_bilingual", result, text)


if __name__ == "__main__":
    main()
