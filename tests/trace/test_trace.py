"""Families of documents built here: an original, its spun copy, a summary, a rewrite, a duplicate,
an independent report of the same event and an unrelated text."""

from __future__ import annotations

import json

import pytest

from detector import spin
from detector.cli import main
from detector.trace import DERIVED_KINDS, align_pair, trace_documents

ORIGINAL = (
    "The city council of Millbrook voted 7 to 2 on Tuesday to build a new bridge over the Avon river, "
    "ending a debate that has divided the town for more than a decade.\n"
    "The bridge will cost about 48 million dollars and should open in 2027, said Mayor Helen Drake, "
    "who called the vote a historic day for the region.\n"
    "Engineers from the firm Castell and Brown said the old crossing, built in 1931, could no longer carry "
    "heavy trucks safely and had been closed twice last winter.\n"
    "Opponents, led by the shop owner Martin Pike, argued that the money should be spent on schools and "
    "that the new road would bring traffic into the quiet streets of the old town.\n"
    "Pike said his group would ask for a public inquiry and collect signatures against the plan.\n"
    "Work is expected to begin in the spring, once the state has approved the final design, and the council "
    "will publish the contracts on its website."
)

SUMMARY = (
    "The city council of Millbrook voted 7 to 2 on Tuesday to build a new bridge over the Avon river.\n"
    "The bridge will cost about 48 million dollars and should open in 2027, said Mayor Helen Drake.\n"
    "Pike said his group would ask for a public inquiry."
)

REWRITE = (
    "On Tuesday, Millbrook's city council decided by 7 votes to 2 that a new bridge will be built across "
    "the Avon river, closing a decade-long argument that split the town.\n"
    "According to Mayor Helen Drake, who described the decision as historic for the region, the bridge "
    "will open in 2027 and cost roughly 48 million dollars.\n"
    "The old crossing dates from 1931 and cannot safely carry heavy trucks any longer, engineers from "
    "Castell and Brown said; it was closed twice last winter.\n"
    "Martin Pike, a shop owner who led the opponents, argued that schools deserved the money and that "
    "traffic from the new road would fill the old town's quiet streets.\n"
    "His group will call for a public inquiry and gather signatures against the plan, Pike said.\n"
    "Once the state approves the final design, work should start in the spring, and the contracts will "
    "be published on the council's website."
)

SAME_STORY = (
    "MILLBROOK - Residents gathered outside the town hall on Tuesday night after the council approved "
    "the Avon river bridge, a project first proposed in 2012.\n"
    "Some cheered, while others held signs reading 'Schools first'. Martin Pike, whose hardware shop "
    "faces the river, told reporters he felt ignored by the council.\n"
    "Mayor Helen Drake left without speaking to the crowd. A spokesman for the state transport office "
    "said the design review would take at least four months.\n"
    "Local historians note that the first wooden bridge at the site was washed away in a flood in 1872, "
    "and that the stone arches of the present crossing were paid for by a public appeal."
)

UNRELATED = (
    "The recipe calls for two cups of flour, a pinch of salt and three eggs, beaten until pale.\n"
    "Fold in the melted butter slowly, then leave the dough to rest in a cool place for an hour.\n"
    "Bake at a moderate heat until the top is golden, and serve the cake with fresh cream and berries."
)


@pytest.fixture(scope="module")
def family():
    spun = spin(ORIGINAL, rate=0.25, seed=3).text
    duplicate = "  " + ORIGINAL.replace("\n", "\n\n").replace("decade.", "decade. ") + "\n\nShare this article\n"
    records = [("spun", spun), ("original", ORIGINAL), ("summary", SUMMARY), ("rewrite", REWRITE),
               ("duplicate", duplicate), ("same-story", SAME_STORY), ("unrelated", UNRELATED)]
    return trace_documents(records, spun_scores=False)


def edge(result, derived):
    return result.parent(derived)


def test_spun_copy_points_back_to_its_source_with_the_swaps(family):
    r = edge(family, "spun")
    assert r is not None and r.kind == "spun-copy"
    assert r.source in ("original", "duplicate")
    assert r.evidence["swaps"], "a spun copy lists the spinner's swaps"
    assert all(isinstance(s, str) and isinstance(o, str) for s, o in r.evidence["swaps"])


def test_summary_and_rewrite_are_derived_from_the_original(family):
    assert edge(family, "summary").kind == "summary"
    assert edge(family, "summary").source in ("original", "duplicate", "rewrite", "spun")
    r = edge(family, "rewrite")
    assert r is not None and r.kind == "rewrite" and r.source in ("original", "duplicate")


def test_duplicate_is_found(family):
    kinds = {(r.source, r.derived): r.kind for r in family.relations}
    assert kinds.get(("original", "duplicate")) == "duplicate" or kinds.get(("duplicate", "original")) == "duplicate"


def test_independent_report_is_same_story_not_derived(family):
    assert family.parent("same-story") is None
    assert any(r.kind == "same-story" and "same-story" in (r.source, r.derived) for r in family.relations)
    assert all(not ({"same-story", "unrelated"} & {r.source, r.derived}) or r.kind == "same-story"
               for r in family.relations)


def test_unrelated_text_has_no_relation(family):
    assert not [r for r in family.relations if "unrelated" in (r.source, r.derived)]


def test_one_family_rooted_at_the_original(family):
    (fam,) = family.families
    assert fam.root in ("original", "duplicate")
    assert set(fam.members) == {"original", "duplicate", "spun", "summary", "rewrite"}
    assert all(r.kind in DERIVED_KINDS or r.kind == "same-story" for r in family.relations)


def test_json_contract(family):
    d = family.to_dict()
    assert set(d) == {"documents", "relations", "families"}
    assert {"id", "path", "words", "spun_score"} <= set(d["documents"][0])
    for r in d["relations"]:
        assert set(r) == {"source", "derived", "kind", "score", "evidence"}
        assert 0.0 <= r["score"] <= 1.0 and r["evidence"]["summary"]
    json.dumps(d)


def test_two_spun_copies_are_siblings_not_each_others_source():
    a = spin(ORIGINAL, rate=0.15, seed=1).text
    b = spin(ORIGINAL, rate=0.15, seed=2).text
    result = trace_documents([("a", a), ("orig", ORIGINAL), ("b", b)], spun_scores=False)
    assert result.parent("a").source == "orig" and result.parent("b").source == "orig"
    assert result.parent("orig") is None


def test_align_pair_tiles_both_texts():
    spun = spin(ORIGINAL, rate=0.2, seed=5).text
    for source, derived in ((ORIGINAL, spun), (ORIGINAL, REWRITE), (ORIGINAL, "")):
        pieces = align_pair(source, derived)
        assert "".join(source[p.source[0]:p.source[1]] for p in pieces if p.source) == source
        assert "".join(derived[p.derived[0]:p.derived[1]] for p in pieces if p.derived) == derived
    tags = {p.tag for p in align_pair(ORIGINAL, spun)}
    assert {"same", "changed"} <= tags


def test_cli_json_and_text(tmp_path, capsys):
    (tmp_path / "original.txt").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    (tmp_path / "records.jsonl").write_text(json.dumps({"id": "r1", "text": REWRITE}) + "\n{oops\n",
                                           encoding="utf-8")
    assert main(["trace", str(tmp_path), "--format", "json", "--no-scores"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert {d["id"] for d in out["documents"]} == {"original.txt", "summary.txt", "r1"}
    assert any(r["derived"] == "summary.txt" and r["kind"] == "summary" for r in out["relations"])
    assert "records.jsonl:2" in captured.err and "Traceback" not in captured.err
    assert main(["trace", str(tmp_path), "--no-scores", "--no-color"]) == 0
    text = capsys.readouterr().out
    assert "original.txt" in text and "summary" in text


def test_cli_html_page(tmp_path, capsys):
    hostile = ORIGINAL + "\n<script>alert(1)</script> was found in the page."
    (tmp_path / "original.txt").write_text(hostile, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(spin(hostile, rate=0.2, seed=4).text, encoding="utf-8")
    (tmp_path / "other.txt").write_text(UNRELATED, encoding="utf-8")
    assert main(["trace", str(tmp_path), "--format", "html", "--no-scores"]) == 0
    page = capsys.readouterr().out
    assert page.lstrip().lower().startswith("<!doctype html") and "spun-copy" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"\xff\xfe\xfa not utf-8"])
def test_cli_bad_input_is_one_line(tmp_path, capsys, content):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    (tmp_path / "good.txt").write_text(ORIGINAL, encoding="utf-8")
    code = main(["trace", str(bad), str(tmp_path / "good.txt"), "--no-scores"])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("detector: error:")


def test_the_neural_preference_decides_a_spun_copys_direction():
    from detector.trace.facts import profile
    from detector.trace.relate import NEURAL_MIN, classify, compare

    c = compare(profile("copy", spin(ORIGINAL, rate=0.2, seed=3).text), profile("original", ORIGINAL))
    plain = classify(c)
    assert plain is not None and plain.kind == "spun-copy"
    assert classify(c, neural=-2 * NEURAL_MIN).source == "original"  # the model prefers the second side's wording
    assert classify(c, neural=2 * NEURAL_MIN).source == "copy"
    assert classify(c, neural=NEURAL_MIN / 2).source == plain.source  # too weak a preference: as without it


def test_neural_fluency_prefers_the_original_wording():
    from detector.neural.weights import NeuralUnavailable
    from detector.trace.facts import profile
    from detector.trace.neural_direction import neural_fluency
    from detector.trace.relate import compare

    try:
        from detector.neural import language_model

        lm = language_model(1)
    except NeuralUnavailable as err:
        pytest.skip(f"the neural model is not installed ({err})")
    c = compare(profile("original", ORIGINAL), profile("copy", spin(ORIGINAL, rate=0.2, seed=3).text))
    (value,) = neural_fluency(lm, [c])
    assert value is not None and value > 0
