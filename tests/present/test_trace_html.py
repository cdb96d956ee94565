"""The page of ``detector trace --format html`` and the family tab's endpoint, without a browser."""

from __future__ import annotations

import json
import re

import pytest

from detector.present.serve import MAX_BYTES, MAX_DOCUMENTS, Api
from detector.present.trace_html import family_view, render_trace_page, side_by_side
from detector.spinner import spin

ORIGINAL = ("The city council said on Tuesday that it would spend 4,000,000 dollars to repair the old bridge over "
            "the river, which has been closed to lorries since March. The mayor, Anna Berg, told reporters that the "
            "work should begin in the spring and take about two years.\n"
            "Residents have complained for years about the traffic on the narrow roads around the town centre. "
            "A local shop owner said the closure had cost him many customers, and that he hoped the council would "
            "keep its promise this time.")
UNRELATED = ("Bake the bread for forty minutes in a hot oven, then leave it to cool on a rack. A crust that sounds "
             "hollow when tapped is a sign that the loaf is ready to eat.")
HOSTILE = '<script>window.__xss = 1</script> Users said " onmouseover="x()" <img src=x onerror="y()"> ' + ORIGINAL


def _result(relations: list[dict], ids: list[str], families: list[dict]) -> dict:
    return {"documents": [{"id": i, "path": None, "words": 10, "spun_score": 0.1} for i in ids],
            "relations": relations, "families": families}


def _edge(source: str, derived: str, kind: str, summary: str = "checkable", **evidence) -> dict:
    return {"source": source, "derived": derived, "kind": kind, "score": 0.9, "evidence": {"summary": summary,
                                                                                            **evidence}}


def test_page_escapes_every_text_and_id():
    spun = spin(HOSTILE, rate=0.3, seed=2).text
    bad = '<b onmouseover="z()">id'
    result = _result([_edge(bad, "copy", "spun-copy", summary="<i>2 swaps</i>",
                            swaps=[["<telephone>", "phone"]], shared_names=["<Anna>"])],
                     [bad, "copy"], [{"root": bad, "members": [bad, "copy"]}])
    page = render_trace_page(result, {bad: HOSTILE, "copy": spun})
    assert page.startswith("<!doctype html>")
    for raw in ("<script>", "<img", 'onmouseover="', "<i>2 swaps", "<telephone>", "<Anna>", '<b onmouseover'):
        assert raw not in page
    for escaped in ("&lt;script&gt;", "&lt;img", "&lt;i&gt;2 swaps&lt;/i&gt;", "&lt;telephone&gt;",
                    "&lt;Anna&gt;", "&lt;b onmouseover="):
        assert escaped in page
    assert "<script" not in page.lower()  # the page itself has no script


def test_one_collapsible_view_per_edge_and_unrelated_documents_listed():
    spun = spin(ORIGINAL, rate=0.3, seed=1)
    summary = ORIGINAL.split("\n")[0]
    ids = ["orig", "spun", "short", "other-report", "bread"]
    relations = [_edge("orig", "spun", "spun-copy", swaps=[[s.replacement, s.original] for s in spun.substitutions]),
                 _edge("orig", "short", "summary"),
                 _edge("orig", "other-report", "same-story", summary="shared names: Anna Berg")]
    page = render_trace_page(_result(relations, ids, [{"root": "orig", "members": ["orig", "spun", "short"]}]),
                             {"orig": ORIGINAL, "spun": spun.text, "short": summary,
                              "other-report": "Anna Berg spoke.", "bread": UNRELATED})
    assert page.count("<details") == 2  # the same-story link is not an edge of the tree
    assert page.count('<table class="sbs">') == 2
    unrelated = page.split("<h2>Unrelated</h2>", 1)[1].split("</ul>", 1)[0]
    assert "<li>bread</li>" in unrelated and "orig" not in unrelated and "other-report" not in unrelated
    same = page.split("<h2>Same story, not derived</h2>", 1)[1].split("</ul>", 1)[0]
    assert "other-report" in same and "shared names: Anna Berg" in same
    # the swaps table of the spun copy: every swap, spun word first
    swaps = page.split("<h4>Swaps", 1)[1].split("</table>", 1)[0]
    first = spun.substitutions[0]
    assert f"<td>{first.replacement}</td><td>{first.original}</td>" in swaps
    # the tree: the root first, each derived document under it with its kind and evidence line
    tree = page.split('<ul class="tree">', 1)[1]
    assert tree.index("<b>orig</b>") < tree.index("<b>spun</b>") and "spun-copy</span> 0.90 — checkable" in tree
    # the side by side of the spun copy highlights its swaps, and the summary's missing text is shaded
    spun_view, summary_view = page.split('<details class="edge"')[1:]
    marked = re.findall(r'<mark class="chg" title="was: [^"]*">([^<]*)</mark>', spun_view)
    assert any(s.replacement in m for s in spun.substitutions for m in marked)
    assert '<span class="only" title="only in the source">' in summary_view


def test_side_by_side_keeps_every_character_of_both_texts():
    spun = spin(ORIGINAL, rate=0.3, seed=4).text
    from detector.trace import align_pair

    rows = side_by_side(align_pair(ORIGINAL, spun), ORIGINAL, spun)
    assert len(rows) >= 2  # one row per paragraph at least
    for side, text in (("source", ORIGINAL), ("derived", spun)):
        shown = "\n".join("".join(seg[1] for seg in row[side]) for row in rows)
        assert shown.split() == text.split()  # only the whitespace at row breaks may go


def test_family_view_draws_a_document_derived_twice_under_its_best_source():
    relations = [_edge("a", "b", "rewrite"), {**_edge("a", "c", "spun-copy"), "score": 0.5},
                 {**_edge("b", "c", "spun-copy"), "score": 0.95}]
    view = family_view(_result(relations, ["a", "b", "c"], [{"root": "a", "members": ["a", "b", "c"]}]))
    tree = view["families"][0]["tree"]
    assert tree["id"] == "a" and [n["id"] for n in tree["children"]] == ["b"]
    assert tree["children"][0]["children"][0] == {"id": "c", "edge": 2, "children": []}
    assert view["families"][0]["other"] == [1] and view["unrelated"] == []


def test_family_view_shows_every_edge_even_outside_the_families_given():
    relations = [_edge("a", "b", "rewrite"), _edge("b", "x", "summary"), _edge("y", "z", "duplicate")]
    view = family_view(_result(relations, ["a", "b", "x", "y", "z"], [{"root": "a", "members": ["a", "b"]}]))
    first, second = view["families"]
    assert first["other"] == [1]  # b -> x: x is in no family, the edge goes with b's
    assert second["tree"] == {"id": "y", "edge": None, "children": [{"id": "z", "edge": 2, "children": []}]}
    page = render_trace_page(_result(relations, ["a", "b", "x", "y", "z"], [{"root": "a", "members": ["a", "b"]}]),
                             {})
    assert page.count("<details") == 3 and page.count("The texts of this edge were not given") == 3


def _trace(api: Api, documents: list[dict]) -> tuple[int, dict]:
    return api.handle("/api/trace", json.dumps({"documents": documents}).encode("utf-8"))


@pytest.mark.parametrize(("documents", "status", "message"), [
    ([{"id": "a", "text": ORIGINAL}], 400, "at least two"),
    ([{"id": "a", "text": ORIGINAL}, {"id": "a", "text": UNRELATED}], 400, "two documents are named a"),
    ([{"id": "a", "text": ORIGINAL}, {"id": "b", "text": "  "}], 400, "b is empty"),
    ([{"id": "a", "text": ORIGINAL}, {"id": "b", "text": "word " * (MAX_BYTES // 4)}], 413, "b: the text is 1.2 MB"),
    ([{"id": str(i), "text": "x"} for i in range(MAX_DOCUMENTS + 1)], 413, f"at most {MAX_DOCUMENTS}"),
    ([{"id": "a", "text": 3}, {"id": "b", "text": "x"}], 400, 'send {"documents"'),
])
def test_trace_endpoint_refuses_bad_input_with_a_message(documents, status, message):
    got, body = _trace(Api(), documents)
    assert got == status and message in body["error"] and "\n" not in body["error"]


def test_trace_endpoint_answers_with_trees_and_side_by_side_rows():
    spun = spin(ORIGINAL, rate=0.25, seed=3)
    status, body = _trace(Api(), [{"id": "orig", "text": ORIGINAL}, {"id": "spun", "text": spun.text},
                                  {"id": "", "text": UNRELATED}])
    assert status == 200
    edge = next(e for e in body["edges"] if {e["source"], e["derived"]} == {"orig", "spun"})
    assert edge["source"] == "orig" and edge["kind"] == "spun-copy" and edge["evidence"]["summary"]
    assert any(seg[0] == "changed" for row in edge["rows"] for seg in row["derived"])
    assert "text 3" in body["view"]["unrelated"]  # a document without a name gets one
    assert body["view"]["families"][0]["tree"]["id"] == "orig"


def test_seeds_are_offered_to_the_family_tab():
    seeds = Api.seeds()["seeds"]
    assert [s["id"] for s in seeds] == ["000", "001", "002", "003", "004"]
    assert all(len(s["text"]) > 1000 for s in seeds)
