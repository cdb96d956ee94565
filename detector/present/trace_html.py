"""The page of ``detector trace --format html``: families of documents as trees, each edge side by side.

>>> result = {"documents": [{"id": "a.txt", "path": None, "words": 8, "spun_score": 0.02},
...                         {"id": "b.txt", "path": None, "words": 8, "spun_score": 0.91}],
...           "relations": [{"source": "a.txt", "derived": "b.txt", "kind": "spun-copy", "score": 0.93,
...                          "evidence": {"summary": "1 swap in 8 aligned words",
...                                       "swaps": [["telephone quantity", "phone number"]]}}],
...           "families": [{"root": "a.txt", "members": ["a.txt", "b.txt"]}]}
>>> page = render_trace_page(result, {"a.txt": "Users can find the phone number online <today>.",
...                                   "b.txt": "Users can find the telephone quantity online <today>."})
>>> page.count("<details"), '<mark class="chg"' in page, "&lt;today&gt;" in page, "<today>" in page
(1, True, True, False)

The page shows (a) each family as a tree, its root the source and one line of evidence per edge
(kind, score, the evidence's one-line summary), the ``same-story`` links (independent texts about
one event) apart, and the documents related to no other as "unrelated"; (b) for every derived-from
edge a collapsible (``<details>``) side-by-side view, source left and derived right, built from
:func:`detector.trace.align_pair`: changed parts highlighted (the other side's words on hover),
parts only one side has shaded, and for a spun copy the table of swaps (the spinner's dictionary).
:func:`family_view` and :func:`side_by_side` give the same structure as data for ``detector
serve``'s family tab. Every text goes through :func:`html.escape`; the page is self-contained
(inline CSS, no script, no network).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

from detector.present.html import CSS, _attr

SAME_STORY = "same-story"
KIND_NOTES = {
    "duplicate": "the same text, up to formatting",
    "spun-copy": "aligned word by word, with words swapped for 'synonyms'",
    "rewrite": "sentences restructured, the facts shared in order",
    "summary": "shorter, its facts a subset of the source's",
    "translation": "machine-translation damage, or an interleaved copy in another language",
    SAME_STORY: "an independent text about the same event (not derived)",
}
HIDDEN_EVIDENCE = ("summary", "swaps", "swap_count")  # shown otherwise: the summary line, the swaps table
ROW_CHARS = 1500  # a side-by-side row is cut at the next piece boundary after this many characters
TITLE_CHARS = 200
LINE_BREAK = re.compile(r"(?<=\n)(?=[^\r\n])")
TRACE_CSS = """
body{max-width:90rem} ul.tree,ul.tree ul{list-style:none;padding-left:1.4rem;margin:.2rem 0}
ul.tree{padding-left:0} ul.tree ul{border-left:2px solid #ccc}
ul.tree li{margin:.25rem 0} .kind{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.85em;
font-weight:600;background:#e3f2fd;color:#0d47a1} .kind.spun-copy{background:#ffecb3;color:#7a4f01}
.kind.duplicate{background:#eeeeee;color:#333} .kind.rewrite{background:#e8f5e9;color:#1b5e20}
.kind.summary{background:#f3e5f5;color:#4a148c} .kind.translation{background:#e0f7fa;color:#006064}
.kind.same-story{background:#fff;border:1px dashed #999;color:#555}
details.edge{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.3rem .8rem;background:#fcfcfc}
details.edge>summary{cursor:pointer;font-weight:600}
table.sbs{width:100%;table-layout:fixed;margin-top:.6rem} table.sbs th{width:50%}
table.sbs td{vertical-align:top;white-space:pre-wrap;overflow-wrap:anywhere;font-size:14px;border-right:1px solid #eee}
mark.chg{background:#ffd54f;border-radius:3px;cursor:help}
.only{background:#e0e0e0;color:#555;border-radius:3px} div.swaps{max-height:12rem;overflow:auto}
.facts{display:flex;flex-wrap:wrap;gap:0 2.5rem;align-items:flex-start} .facts h4{margin:.3rem 0}
div.swaps td{font-size:14px}
.legend span{margin-right:1rem}
"""


# ----- the structure, shared with detector serve --------------------------------------------------------------------

def derived_edges(result: dict) -> list[dict]:
    """The derived-from relations (every kind but ``same-story``), in the result's order."""
    return [r for r in result.get("relations", []) if r.get("kind") != SAME_STORY]


def family_view(result: dict) -> dict:
    """The families as trees, the same-story links and the unrelated documents, as plain data.

    Each family is ``{"root", "tree", "other"}``: ``tree`` a node ``{"id", "edge", "children"}``
    (``edge`` the index in :func:`derived_edges` of the relation from its parent, None at the root),
    ``other`` the indexes of derived-from edges touching the family that its tree does not show (a
    document derived from two members is drawn under the one with the higher score). An edge
    between documents of no family makes a family of its own.

    >>> view = family_view({"documents": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}],
    ...     "relations": [{"source": "a", "derived": "b", "kind": "rewrite", "score": 0.8},
    ...                   {"source": "a", "derived": "c", "kind": "same-story", "score": 0.5}],
    ...     "families": [{"root": "a", "members": ["a", "b"]}]})
    >>> view["families"][0]["tree"]["children"][0]["id"], view["same_story"], view["unrelated"]
    ('b', [1], ['d'])
    """
    relations = result.get("relations", [])
    edges = derived_edges(result)
    index_of = {id(edge): i for i, edge in enumerate(edges)}
    families = []
    for family in result.get("families", []):
        members = [str(m) for m in family.get("members", [])]
        root = str(family.get("root", members[0] if members else ""))
        inside = set(members) | {root}
        parent: dict[str, int] = {}
        for i, edge in enumerate(edges):
            src, dst = str(edge["source"]), str(edge["derived"])
            if src in inside and dst in inside and dst != root and (
                    dst not in parent or edge.get("score", 0) > edges[parent[dst]].get("score", 0)):
                parent[dst] = i
        children: dict[str, list[str]] = {}
        for dst, i in parent.items():
            children.setdefault(str(edges[i]["source"]), []).append(dst)
        seen: set[str] = set()
        tree = _node(root, None, parent, children, seen)
        for doc in members:  # members the engine put here without a path from the root: under it, no edge
            if doc not in seen:
                tree["children"].append(_node(doc, None, parent, children, seen))
        shown = {n for n in parent.values()}
        other = [index_of[id(e)] for e in edges if str(e["source"]) in inside and str(e["derived"]) in inside
                 and index_of[id(e)] not in shown]
        families.append({"root": root, "tree": tree, "other": other, "inside": inside, "shown": shown})
    listed = {i for family in families for i in family.pop("shown") | set(family["other"])}
    for i, edge in enumerate(edges):  # edges no family shows: with a family they touch, else a family of their own
        if i in listed:
            continue
        src, dst = str(edge["source"]), str(edge["derived"])
        home = next((f for f in families if src in f["inside"] or dst in f["inside"]), None)
        if home is not None:
            home["other"].append(i)
        else:
            families.append({"root": src, "tree": {"id": src, "edge": None, "children": [
                {"id": dst, "edge": i, "children": []}]}, "other": [], "inside": {src, dst}})
    for family in families:
        del family["inside"]
    related = {str(r[k]) for r in relations for k in ("source", "derived")}
    same_story = [i for i, r in enumerate(relations) if r.get("kind") == SAME_STORY]
    unrelated = [str(d["id"]) for d in result.get("documents", []) if str(d["id"]) not in related]
    return {"families": families, "same_story": same_story, "unrelated": unrelated}


def _node(doc: str, edge: int | None, parent: dict[str, int], children: dict[str, list[str]], seen: set[str]) -> dict:
    seen.add(doc)
    kids = [_node(kid, parent[kid], parent, children, seen) for kid in children.get(doc, []) if kid not in seen]
    return {"id": doc, "edge": edge, "children": kids}


def _piece(piece) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None]:
    """A piece as ``(tag, source_span, derived_span)``: the engine's Piece (a named tuple), a tuple or a dict."""
    if isinstance(piece, dict):
        return (piece["tag"], piece.get("source", piece.get("source_span")),
                piece.get("derived", piece.get("derived_span")))
    if isinstance(piece, (tuple, list)):
        tag, source_span, derived_span = piece
        return tag, source_span, derived_span
    return piece.tag, getattr(piece, "source", None), getattr(piece, "derived", None)


def _lines(text: str) -> list[str]:
    """``text`` cut after each run of line breaks (the parts join back to ``text``)."""
    return [part for part in LINE_BREAK.split(text) if part]


def _at_line_start(segments: list[list[str]]) -> bool:
    """Whether a side of a row is empty or ends a line (so that a new row may start)."""
    return not segments or segments[-1][1].rstrip(" \t").endswith("\n")


def side_by_side(pieces: Iterable, source: str, derived: str, row_chars: int = ROW_CHARS) -> list[dict]:
    """Rows of the side-by-side view: ``{"source": [[tag, text, other], ...], "derived": [...]}``.

    ``tag`` is ``same``, ``changed``, ``source-only``, ``derived-only`` or ``""`` (text no piece
    covers); ``other`` is, for a changed part, the other side's text. A new row starts where both
    sides have just ended a line (paragraphs stay side by side; a part only one side has gets a row
    of its own); a row longer than ``row_chars`` ends at the next line break of either side. The
    line breaks at the end of a row are left out (the row's border stands for them).

    >>> source, derived = "Users can find it\\nonline", "Users can locate it\\nonline"
    >>> rows = side_by_side([("same", (0, 10), (0, 10)), ("changed", (10, 17), (10, 19)),
    ...                      ("same", (17, 24), (19, 26))], source, derived)
    >>> [[seg[:2] for seg in row["derived"]] for row in rows]
    [[['same', 'Users can '], ['changed', 'locate it']], [['same', 'online']]]
    >>> rows[0]["derived"][1][2]
    'find it'
    """
    rows: list[dict] = []
    row: dict = {"source": [], "derived": []}
    size = 0
    pos = {"source": 0, "derived": 0}
    texts = {"source": source, "derived": derived}

    def close() -> None:
        nonlocal row, size
        for segments in row.values():
            while segments and not segments[-1][1].rstrip("\r\n"):
                segments.pop()
            if segments:
                segments[-1][1] = segments[-1][1].rstrip("\r\n")
        if row["source"] or row["derived"]:
            rows.append(row)
        row, size = {"source": [], "derived": []}, 0

    def add(side: str, tag: str, text: str, other: str) -> None:
        nonlocal size
        if not text or (not row[side] and not text.strip()):  # no row starts with bare line breaks
            return
        row[side].append([tag, text, other])
        size += len(text)

    def maybe_close() -> None:
        ended = [_at_line_start(row[side]) for side in ("source", "derived")]
        if (row["source"] or row["derived"]) and (all(ended) or (size > row_chars and any(ended))):
            close()

    for piece in pieces:
        tag, *spans = _piece(piece)
        parts: dict[str, list[str]] = {}
        for side, span in zip(("source", "derived"), spans):
            if span and span[0] > pos[side]:  # text no piece covers: shown plain
                for part in _lines(texts[side][pos[side]:span[0]]):
                    add(side, "", part, "")
                    maybe_close()
            parts[side] = _lines(texts[side][span[0]:span[1]]) if span else []
            if span:
                pos[side] = max(pos[side], span[1])
        both = [texts[side][span[0]:span[1]] if span else "" for side, span in zip(("source", "derived"), spans)]
        others = {"source": both[1], "derived": both[0]} if tag == "changed" else {"source": "", "derived": ""}
        if len(parts["source"]) == len(parts["derived"]):  # line by line, side by side
            for s_part, d_part in zip(parts["source"], parts["derived"]):
                add("source", tag, s_part, others["source"])
                add("derived", tag, d_part, others["derived"])
                maybe_close()
        else:  # a part only one side has, or lines that do not correspond: each side whole
            for side in ("source", "derived"):
                for part in parts[side]:
                    add(side, tag, part, others[side])
                    if not parts["source"] or not parts["derived"]:
                        maybe_close()
            maybe_close()
    for side in ("source", "derived"):
        for part in _lines(texts[side][pos[side]:]):
            add(side, "", part, "")
    close()
    return rows


# ----- HTML ---------------------------------------------------------------------------------------------------------

def _segments_html(segments: list[list[str]], side: str) -> str:
    out = []
    for tag, text, other in segments:
        if tag in ("changed", "source-only", "derived-only"):
            core = text.strip()  # the mark covers the words, not the spaces around them
            lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            if tag == "changed":
                note = ("became: " if side == "source" else "was: ") + (other.strip()[:TITLE_CHARS] or "(nothing)")
                marked = f'<mark class="chg" title="{_attr(note)}">{html.escape(core)}</mark>'
            else:
                where = "only in the source" if tag == "source-only" else "only in the derived text"
                marked = f'<span class="only" title="{where}">{html.escape(core)}</span>'
            out.append(html.escape(lead) + marked + html.escape(trail) if core else html.escape(text))
        else:
            out.append(html.escape(text))
    return "".join(out)


def rows_html(rows: list[dict], source_id: str, derived_id: str) -> str:
    """The side-by-side table of :func:`side_by_side`'s rows."""
    body = "".join(f'<tr><td>{_segments_html(row["source"], "source")}</td>'
                   f'<td>{_segments_html(row["derived"], "derived")}</td></tr>' for row in rows)
    return (f'<table class="sbs"><thead><tr><th>source: {html.escape(source_id)}</th>'
            f"<th>derived: {html.escape(derived_id)}</th></tr></thead><tbody>{body}</tbody></table>")


def _value(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(" → ".join(map(str, v)) if isinstance(v, (list, tuple)) else _value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def evidence_html(evidence: dict) -> str:
    """The evidence facts but the summary and the swaps, as a small table with readable keys."""
    rows = "".join(f"<tr><th>{html.escape(str(key).replace('_', ' '))}</th><td>{html.escape(_value(value))}</td></tr>"
                   for key, value in evidence.items() if key not in HIDDEN_EVIDENCE and value not in ([], "", None))
    return f'<table class="evidence">{rows}</table>' if rows else ""


def swaps_html(swaps: list, count: int | None = None) -> str:
    """The spinner's dictionary as seen in one copy: each swap as (spun, original); ``count`` is how
    many there are in all when ``swaps`` is the first of them."""
    rows = "".join(f"<tr><td>{html.escape(str(pair[0]))}</td><td>{html.escape(str(pair[1]))}</td></tr>"
                   for pair in swaps if isinstance(pair, (list, tuple)) and len(pair) >= 2)
    shown = f"{len(swaps)} of {count}" if isinstance(count, int) and count > len(swaps) else f"{len(swaps)}"
    return (f'<div><h4>Swaps ({shown})</h4><div class="swaps"><table><thead><tr><th>in the copy (spun)</th>'
            f"<th>in the source (original)</th></tr></thead><tbody>{rows}</tbody></table></div></div>") if rows else ""


def edge_line(edge: dict) -> str:
    """One line for an edge: its kind, score and the evidence's summary."""
    kind = str(edge.get("kind", ""))
    summary = str((edge.get("evidence") or {}).get("summary", ""))
    return (f'<span class="kind {_attr(kind)}" title="{_attr(KIND_NOTES.get(kind, kind))}">{html.escape(kind)}</span> '
            f'{float(edge.get("score", 0)):.2f} — {html.escape(summary)}')


def _tree_html(node: dict, edges: list[dict]) -> str:
    line = f"<b>{html.escape(node['id'])}</b>"
    if node["edge"] is not None:
        line += f' {edge_line(edges[node["edge"]])} <a href="#edge-{node["edge"]}">side by side</a>'
    kids = "".join(_tree_html(kid, edges) for kid in node["children"])
    return f"<li>{line}" + (f"<ul>{kids}</ul>" if kids else "") + "</li>"


def render_trace_page(result: dict, texts: dict[str, str]) -> str:
    """``detector trace --format html``: ``result`` is ``TraceResult.to_dict()``, ``texts`` the
    documents' texts by id (an edge whose texts are missing gets its evidence without the side by side)."""
    from detector.trace import align_pair

    view = family_view(result)
    edges = derived_edges(result)
    relations = result.get("relations", [])
    documents = result.get("documents", [])
    body = [f"<h1>detector trace: {len(documents)} documents, {len(view['families'])} "
            f"famil{'y' if len(view['families']) == 1 else 'ies'}</h1>",
            '<p class="muted">Each family is drawn from its source (the root) down; every edge says how the '
            "document below was made from the one above, with its score and the evidence a reader can check. "
            "Open an edge below to see the two texts side by side.</p>"]
    for family in view["families"]:
        body.append(f"<h2>Family of {html.escape(family['root'])}</h2>"
                    f'<ul class="tree">{_tree_html(family["tree"], edges)}</ul>')
        if family["other"]:
            items = "".join(f"<li>{html.escape(str(edges[i]['source']))} → {html.escape(str(edges[i]['derived']))}: "
                            f'{edge_line(edges[i])} <a href="#edge-{i}">side by side</a></li>' for i in family["other"])
            body.append(f'<p class="muted">Also derived within this family:</p><ul>{items}</ul>')
    if view["same_story"]:
        items = "".join(f"<li><b>{html.escape(str(relations[i]['source']))}</b> and "
                        f"<b>{html.escape(str(relations[i]['derived']))}</b>: {edge_line(relations[i])}"
                        f"{evidence_html(relations[i].get('evidence') or {})}</li>" for i in view["same_story"])
        body.append("<h2>Same story, not derived</h2><p class=\"muted\">Independent texts about the same event: "
                    f"shared names and numbers, no shared wording.</p><ul>{items}</ul>")
    if view["unrelated"]:
        items = "".join(f"<li>{html.escape(doc)}</li>" for doc in view["unrelated"])
        body.append(f"<h2>Unrelated</h2><p class=\"muted\">Related to no other document given.</p><ul>{items}</ul>")
    if documents:
        rows = "".join(f"<tr><td>{html.escape(str(d['id']))}</td><td>{html.escape(str(d.get('path') or ''))}</td>"
                       f'<td class="n">{d.get("words", "")}</td><td class="n">'
                       f'{_value(float(d["spun_score"])) if d.get("spun_score") is not None else ""}</td>'
                       f"<td>{html.escape('; '.join(map(str, d.get('notes') or [])))}</td></tr>" for d in documents)
        body.append("<h2>Documents</h2><table><thead><tr><th>id</th><th>path</th><th>words</th><th>spun score</th>"
                    f"<th>notes</th></tr></thead><tbody>{rows}</tbody></table>")
    if edges:
        body.append('<h2>Edges side by side</h2><p class="muted legend">Source left, derived right: '
                    '<span><mark class="chg">changed</mark> (hover for the other side)</span>'
                    '<span><span class="only">only on one side</span></span></p>')
    for i, edge in enumerate(edges):
        src, dst = str(edge["source"]), str(edge["derived"])
        evidence = edge.get("evidence") or {}
        # the link target is inside the details, so that following a link to it opens them
        parts = [f'<details class="edge"><summary>{html.escape(src)} → {html.escape(dst)}: '
                 f'{edge_line(edge)}</summary><div id="edge-{i}"><div class="facts">', evidence_html(evidence)]
        if edge.get("kind") == "spun-copy" and evidence.get("swaps"):
            parts.append(swaps_html(evidence["swaps"], evidence.get("swap_count")))
        parts.append("</div>")
        if src in texts and dst in texts:
            pieces = align_pair(texts[src], texts[dst])
            parts.append(rows_html(side_by_side(pieces, texts[src], texts[dst]), src, dst))
        else:
            parts.append('<p class="muted">The texts of this edge were not given.</p>')
        body.append("".join(parts) + "</div></details>")
    title = "detector trace"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}{TRACE_CSS}</style></head><body>{''.join(body)}</body></html>\n")
