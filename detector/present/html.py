"""Where results become HTML: highlighted spans, the batch report, and single-document pages.

>>> spans_html("Users of the <b> app", [{"start": 0, "end": 5, "score": 0.9, "reasons": ["rare"],
...                                       "suggestion": "Customers"}])  # doctest: +ELLIPSIS
'<mark ... title="score 0.90 &#8212; rare &#8212; before: Customers">Users</mark> of the &lt;b&gt; app'

Every piece of user text goes through :func:`html.escape` (text, reasons, suggestions, ids), so
pasted markup shows as text and never runs. Pages are self-contained (inline CSS and SVG, no
scripts, no network).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from detector.lexicon.resources import write_atomic
from detector.present.render import mark_spans

EXAMPLE_CHARS = 1500
CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem} table{border-collapse:collapse}
td,th{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left} td.n{text-align:right}
.doc{white-space:pre-wrap;border:1px solid #ddd;border-radius:6px;padding:.8rem;background:#fcfcfc}
mark.span{border-radius:3px;padding:0 1px;cursor:help} .muted{color:#777;font-size:.9em}
.card{display:inline-block;border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.2rem;min-width:7rem}
.card b{display:block;font-size:1.4rem}
"""


def shade(score: float) -> str:
    """Background colour for a span: pale yellow (weak) to red (strong)."""
    score = min(max(float(score), 0.0), 1.0)
    return f"rgba(230,{int(200 - 170 * score)},{int(60 - 40 * score)},{0.25 + 0.55 * score:.2f})"


def spans_html(text: str, spans: list[dict], offset: int = 0) -> str:
    """``text`` escaped, each span (dict with start, end, score, reasons, suggestion; offsets minus
    ``offset``) wrapped in a ``<mark>`` whose title explains it."""
    def render(span_text: str, span: dict) -> str:
        title = f"score {span['score']:.2f}"
        if span.get("reasons"):
            title += " — " + "; ".join(span["reasons"])
        if span.get("suggestion"):
            title += f" — before: {span['suggestion']}"
        else:
            title += " — no confident original"
        return (f'<mark class="span" style="background:{shade(span["score"])};" '
                f'title="{_attr(title)}">{html.escape(span_text)}</mark>')

    marks = [(s["start"] - offset, s["end"] - offset, s) for s in spans if s["end"] - offset <= len(text)]
    return mark_spans(text, sorted(marks, key=lambda m: m[:2]), render, html.escape)


def _attr(value: str) -> str:
    """Escape for an attribute, with dashes as entities so titles read the same everywhere."""
    return html.escape(value, quote=True).replace("—", "&#8212;")


def example_for_report(record: dict, text_field: str, annotation: dict) -> dict:
    """A compact example of a spun record for the report: its id, score and first characters."""
    text = annotation.get("repair", {}).get("original_text") or record.get(text_field) or ""
    cut = text[:EXAMPLE_CHARS]
    spans = [s for s in annotation.get("spans", []) if s["end"] <= len(cut)]
    return {"id": record.get("id"), "score": annotation["score"], "text": cut, "truncated": len(text) > len(cut),
            "spans": spans}


def histogram_svg(counts: list[int], width: int = 600, height: int = 160) -> str:
    """Bars of document scores in equal bins from 0 to 1 (a log scale: clean news piles up near 0)."""
    import math

    top = max([math.log10(c + 1) for c in counts] + [1e-9])
    bar = width / max(len(counts), 1)
    parts = [f'<svg width="{width}" height="{height + 30}" role="img" aria-label="histogram of document scores">']
    for i, count in enumerate(counts):
        h = (height - 10) * math.log10(count + 1) / top
        colour = shade(i / max(len(counts) - 1, 1))
        parts.append(f'<rect x="{i * bar + 1:.1f}" y="{height - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                     f'fill="{colour}"><title>{i / len(counts):.2f}-{(i + 1) / len(counts):.2f}: {count:,}'
                     '</title></rect>')
        if count:
            parts.append(f'<text x="{i * bar + bar / 2:.1f}" y="{height - h - 2:.1f}" font-size="10" '
                         f'text-anchor="middle">{count:,}</text>')
    parts.append(f'<text x="0" y="{height + 20}" font-size="11">score 0</text>'
                 f'<text x="{width}" y="{height + 20}" font-size="11" text-anchor="end">1</text></svg>')
    return "".join(parts)


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>\n")


def report_html(summary: dict, examples: list[dict]) -> str:
    """The batch report: counts, the score histogram, the commonest substitutions, examples."""
    records = summary["records"]
    cards = "".join(f'<span class="card"><b>{value:,}</b>{html.escape(label)}</span>' for label, value in (
        ("records", records["in"]), ("kept", records["kept"]), ("rejected", records["rejected"]),
        ("errors", records["errors"])))
    def rows(counts: dict) -> str:
        return "".join(f'<tr><td>{html.escape(str(k))}</td><td class="n">{v:,}</td></tr>' for k, v in counts.items())

    speed = summary["throughput"]
    body = [f"<h1>detector clean: report</h1><p>{cards}</p>",
            f'<p class="muted">threshold {summary["threshold"]:.3f} · model {html.escape(summary["versions"]["model"])}'
            f' · mode {html.escape(summary["options"]["mode"])} · {speed["mb_per_second"] or 0:.2f} MB/s over '
            f'{speed["seconds"]:.1f} s with {summary["workers"]} worker(s)</p>',
            "<h2>Document scores</h2>", histogram_svg(summary["score_histogram"]["counts"]),
            "<h2>Verdicts</h2><table>", rows(summary["verdicts"]), "</table>"]
    if summary["rejected"]:
        body += ["<h2>Rejected, by reason</h2><table>", rows(summary["rejected"]), "</table>"]
    if summary["copies"]:
        body += ["<h2>Copies</h2><table>", rows(summary["copies"]), "</table>"]
    if summary["errors"]:
        body += ["<h2>Errors (see errors.jsonl)</h2><table>", rows(summary["errors"]), "</table>"]
    if summary["top_substitutions"]:
        body += ["<h2>Most frequent substitutions in spun records</h2>"
                 '<p class="muted">probable original -&gt; the spinner\'s word</p><table>',
                 rows(summary["top_substitutions"]), "</table>"]
    if examples:
        body.append("<h2>Examples of spun records</h2>")
        for example in examples:
            more = " …" if example["truncated"] else ""
            body.append(f'<p><b>{html.escape(str(example["id"]))}</b> score {example["score"]:.3f}</p>'
                        f'<div class="doc">{spans_html(example["text"], example["spans"])}{more}</div>')
    body.append(f'<p class="muted">options: {html.escape(json.dumps(summary["options"]))}</p>')
    return page("detector report", "".join(body))


def write_report(path: Path, summary: dict, examples: list[dict]) -> None:
    write_atomic(path, report_html(summary, examples).encode("utf-8"))


def substitutions_html(text: str, substitutions: list[tuple[int, int, str]]) -> str:
    """The spun text with each ``(start, end, original)`` substitution marked; the original on hover."""
    def render(span: str, original: str) -> str:
        return f'<mark class="sub" title="{_attr("was: " + original)}">{html.escape(span)}</mark>'

    return mark_spans(text, substitutions, render, html.escape)


def diff_html(text: str, changes: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, after)`` change as ``<del>`` old ``<ins>`` new."""
    def render(before: str, after: str) -> str:
        return (f"<del>{html.escape(before)}</del>" if before else "") + (
            f"<ins>{html.escape(after)}</ins>" if after else "")

    return mark_spans(text, changes, render, html.escape)


def damage_html(damage: dict) -> str:
    """A short list of the damage other than spinning (machine translation, repeated lines)."""
    from detector.damage.gather import LABELS as labels

    items = []
    for kind, label in labels.items():
        found = damage.get(kind) or {}
        if not found.get("spans"):
            if found.get("verdict") in ("damaged", "machine-translated"):
                items.append(f"<li><b>{label}</b>: {found['verdict']}, score {found['score']:.2f}</li>")
            elif kind == "mt_roundtrip" and found.get("note"):
                note = html.escape(found["note"])
                items.append(f"<li><b>{label}</b>: none <span class=\"muted\">— {note}</span></li>")
            continue
        spans = "".join(f"<li>{html.escape(s['text'][:160])} <span class=\"muted\">— "
                        f"{html.escape('; '.join(s['reasons']))}</span></li>" for s in found["spans"][:5])
        items.append(f"<li><b>{label}</b>: score {found['score']:.2f}, {len(found['spans'])} span(s)<ul>{spans}</ul>"
                     "</li>")
    return f"<ul>{''.join(items)}</ul>" if items else '<p class="muted">No other damage found.</p>'


def tortured_html(report: dict) -> str:
    """The paper report: counts, verdict and rule, then a table of the tortured phrases found.

    >>> tortured_html({"known": 0, "new": 0, "verdict": "clean", "rule": "r", "findings": []})
    '<p><b>Tortured phrases</b>: 0 known, 0 new &#8212; CLEAN <span class="muted">(r)</span></p>'
    """
    head = (f"<p><b>Tortured phrases</b>: {report['known']} known, {report['new']} new &#8212; "
            f"{html.escape(report['verdict'].upper())} "
            f"<span class=\"muted\">({html.escape(report['rule'])})</span></p>")
    if not report["findings"]:
        return head
    rows = []
    for f in report["findings"]:
        where = " ".join(str(x) for x in (f.get("page") and f"p.{f['page']}", f.get("section")) if x)
        papers = f"{f['papers']:,}" if f.get("papers") is not None else ""
        rows.append(f"<tr><td>{html.escape(where)}</td><td>{html.escape(f['kind'])}</td>"
                    f"<td><b>{html.escape(f['text'])}</b></td><td>{html.escape(f.get('expected') or '')}</td>"
                    f"<td class=\"n\">{papers}</td><td class=\"muted\">{html.escape(f['context'])}</td></tr>")
    return (head + "<table><tr><th>where</th><th>kind</th><th>phrase</th><th>expected</th><th>PPS papers</th>"
            "<th>context</th></tr>" + "".join(rows) + "</table>"
            f"<p class=\"muted\">{html.escape(report.get('attribution', ''))}</p>")


def shown_spans(result: dict) -> list[dict]:
    """The spans of a score's JSON that people are shown (at least its display threshold)."""
    return [s for s in result.get("spans", []) if s["score"] >= result.get("display_threshold", 0.0)]


def score_page(results: list[dict], texts: list[str]) -> str:
    """``detector score --format html``: each document with its spans shaded and explained."""
    body = ["<h1>detector score</h1>"]
    for result, text in zip(results, texts):
        name = html.escape(str(result.get("id")))
        body.append(f'<h2>{name}: {html.escape(result["verdict"].upper())}, score {result["score"]:.3f}</h2>'
                    f'<p class="muted">{result["words"]} words, {len(shown_spans(result))} suspicious spans, model '
                    f'{html.escape(result["model"])}; hover a shaded span for its score, reasons and the word it '
                    f'probably replaced.</p><div class="doc">{spans_html(text, shown_spans(result))}</div>')
        if "tortured" in result:
            body.append("<h3>Tortured phrases</h3>" + tortured_html(result["tortured"]))
        if "damage" in result:
            body.append("<h3>Other damage</h3>" + damage_html(result["damage"]))
    return page("detector score", "".join(body))
