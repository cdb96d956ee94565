"""The tortured-phrase report for people: terminal lines, TSV rows, the summary table over many papers.

>>> out = {"words": 120, "tortured": {"known": 1, "new": 0, "verdict": "suspicious", "rule": "...", "findings": [
...     {"kind": "known", "text": "profound learning", "expected": "deep learning", "papers": 1890,
...      "score": 1.0, "context": "we use profound learning here", "page": 3, "section": "2. Methods"}]}}
>>> print(tsv_header()); print(tsv_rows(out, "paper.pdf")[0])  # doctest: +NORMALIZE_WHITESPACE
source	page	section	kind	phrase	expected	pps_papers	score	context
paper.pdf	3	2. Methods	known	profound learning	deep learning	1890	1.0	we use profound learning here
>>> print(summary_table([("paper.pdf", {**out, "paper": {"pages": 9}})]))  # doctest: +NORMALIZE_WHITESPACE
known  new  verdict     pages  words  source
    1    0  suspicious      9    120  paper.pdf

The terminal report (:func:`tortured_lines`) lists the counts, the verdict with its rule, then one
line per finding: where (page and section for a paper), whether it is on the PPS list, the phrase,
its expected phrase, PPS's papers count, and its context.
"""

from __future__ import annotations

COLUMNS = ("source", "page", "section", "kind", "phrase", "expected", "pps_papers", "score", "context")


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def tsv_header() -> str:
    return "\t".join(COLUMNS)


def tsv_rows(out: dict, source: str) -> list[str]:
    """One TSV row per tortured phrase found in one scored document (its ``to_dict()``)."""
    rows = []
    for f in out.get("tortured", {}).get("findings", []):
        values = (source, f.get("page"), f.get("section"), f["kind"], f["text"], f.get("expected"), f.get("papers"),
                  f.get("score"), f.get("context"))
        rows.append("\t".join(_cell(v) for v in values))
    return rows


def summary_table(scored: list[tuple[str, dict]]) -> str:
    """Papers and texts sorted by how many tortured phrases they hold (known, then new), one line each."""
    rows = []
    for source, out in scored:
        t = out.get("tortured")
        if t is None:
            continue
        pages = (out.get("paper") or {}).get("pages")
        rows.append((t["known"], t["new"], t["verdict"], "" if pages is None else str(pages), out.get("words", 0),
                     source))
    rows.sort(key=lambda r: (-r[0], -r[1], r[5]))
    lines = [f"{'known':>5}  {'new':>3}  {'verdict':<10}  {'pages':>5}  {'words':>6}  source"]
    for known, new, verdict, pages, words, source in rows:
        lines.append(f"{known:>5}  {new:>3}  {verdict:<10}  {pages:>5}  {words:>6}  {source}")
    return "\n".join(lines)


def tortured_lines(report: dict, limit: int = 40) -> list[str]:
    """The report as terminal lines (see the module docstring)."""
    findings = report.get("findings", [])
    if not findings:
        return [f"  tortured phrases: none (verdict {report['verdict']})"]
    lines = [f"  tortured phrases: {report['known']} known, {report['new']} new: {report['verdict'].upper()} "
             f"({report['rule']})"]
    for f in findings[:limit]:
        where = ""
        if f.get("page") is not None:
            where = f"p.{f['page']}" + (f" {f['section']}" if f.get("section") else "") + ": "
        expected = f" -> {f['expected']!r}" if f.get("expected") else " (no expected phrase)"
        papers = f" (PPS: {f['papers']:,} papers)" if f["kind"] == "known" else f" (score {f['score']:.2f})"
        lines.append(f"    {where}{f['kind']:<5} {f['text']!r}{expected}{papers}")
        lines.append(f"          {f['context']}")
    if len(findings) > limit:
        lines.append(f"    ... and {len(findings) - limit} more (--format json or tsv lists them all)")
    lines.append(f"    ({report.get('attribution', '')})")
    return lines
