"""The terminal view of a trace: a small tree per family, one line of evidence per edge.

>>> result = {"documents": [{"id": "a", "path": "a.txt", "words": 120, "spun_score": 0.02},
...                         {"id": "b", "path": "b.txt", "words": 118, "spun_score": 0.99},
...                         {"id": "c", "path": "c.txt", "words": 300, "spun_score": 0.01}],
...           "relations": [{"source": "a", "derived": "b", "kind": "spun-copy", "score": 0.9,
...                          "evidence": {"summary": "aligned word for word (90% of words); 12 swaps"}}],
...           "families": [{"root": "a", "members": ["a", "b"]}]}
>>> print(render_trace(result))
a  (a.txt, 120 words, spun 0.02)  source
└── spun-copy  b  (b.txt, 118 words, spun 0.99)  score 0.90
      aligned word for word (90% of words); 12 swaps
<BLANKLINE>
unrelated to the others: c
"""

from __future__ import annotations

import click

from detector.trace.relate import DERIVED_KINDS


def _label(doc: dict) -> str:
    parts = []
    if doc.get("path") and not str(doc["path"]).endswith(doc["id"]):
        parts.append(str(doc["path"]))
    parts.append(f"{doc['words']} words")
    if doc.get("spun_score") is not None:
        parts.append(f"spun {doc['spun_score']:.2f}")
    return f"{doc['id']}  ({', '.join(parts)})"


def render_trace(result: dict, color: bool = False) -> str:
    """``result`` is :meth:`detector.trace.TraceResult.to_dict`; plain text unless ``color``."""
    docs = {d["id"]: d for d in result["documents"]}
    children: dict[str, list[dict]] = {}
    for r in result["relations"]:
        if r["kind"] in DERIVED_KINDS:
            children.setdefault(r["source"], []).append(r)

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    lines: list[str] = []

    def walk(node: str, prefix: str) -> None:
        kids = children.get(node, [])
        for k, r in enumerate(kids):
            last = k == len(kids) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{style(r['kind'], bold=True)}  "
                         f"{_label(docs[r['derived']])}  score {r['score']:.2f}")
            lines.append(f"{prefix}{'    ' if last else '│   '}  {r['evidence'].get('summary', '')}")
            walk(r["derived"], prefix + ("    " if last else "│   "))

    for family in result.get("families", []):
        root = family["root"]
        lines.append(f"{style(_label(docs[root]), bold=True)}  source")
        for note in docs[root].get("notes", []):
            lines.append(f"  note: {note}")
        walk(root, "")
        lines.append("")
    stories = [r for r in result["relations"] if r["kind"] == "same-story"]
    if stories:
        lines.append(style("same story, told independently:", bold=True))
        for r in stories:
            lines.append(f"  {r['source']} ~ {r['derived']}  score {r['score']:.2f}")
            lines.append(f"      {r['evidence'].get('summary', '')}")
        lines.append("")
    in_family = {m for f in result.get("families", []) for m in f["members"]}
    in_story = {x for r in stories for x in (r["source"], r["derived"])}
    alone = [d for d in docs if d not in in_family and d not in in_story]
    if alone:
        lines.append("unrelated to the others: " + ", ".join(alone))
    for d in docs.values():
        if d["id"] not in in_family and d.get("notes"):
            lines.append(f"note on {d['id']}: " + "; ".join(d["notes"]))
    return "\n".join(lines).rstrip("\n")
