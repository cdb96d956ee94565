"""Repair: alignment with a reference, learned dictionaries, replayable changes, refusals."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.cli import main
from detector.errors import InputError
from detector.repair.align import align, sentence_spans
from detector.repair.repair import Dictionary, apply_changes, repair
from detector.spinner.spinner import spin
from tests.conftest import seed_path

ORIGINAL = (
    "The company said on Tuesday that its net profit rose to 12 million dollars in the first quarter, "
    "helped by strong demand for its products in Europe and Asia.\n"
    "Analysts had expected a smaller gain. The chief executive told reporters that the firm would open two "
    "new factories next year and hire about 500 workers.\n"
    "Shares of the company closed higher in New York after the announcement."
)


def test_reference_restores_the_spinners_substitutions():
    spun = spin(ORIGINAL, rate=0.3, seed=3).text
    result = repair(spun, reference=ORIGINAL)
    assert result.text == ORIGINAL
    assert all(c.source == "reference" for c in result.changes)
    assert result.reference["similarity"] > 0.5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0.02, 0.4), st.integers(0, 10_000), st.sampled_from(["wordnet", "phrases", "wordnet,phrases"]))
def test_changes_replay_and_touch_only_substituted_words(rate, seed, thesaurus):
    spun = spin(ORIGINAL, rate=rate, seed=seed, thesaurus=thesaurus)
    result = repair(spun.text, reference=ORIGINAL)
    assert apply_changes(spun.text, result.changes) == result.text
    for change in result.changes:
        assert spun.text[change.start : change.end] == change.before
        # every change sits on a substitution the spinner made (or the space right next to it)
        assert any(change.start <= s.end + 1 and s.start <= change.end + 1 for s in spun.substitutions), change


def test_text_without_counterpart_keeps_its_own_words():
    note = "(This story was corrected to fix the name of the city in paragraph two.)\n"
    spun = note + spin(ORIGINAL, rate=0.2, seed=1).text
    result = repair(spun, reference=ORIGINAL)
    assert result.text.startswith(note)
    assert result.text[len(note):] == ORIGINAL


def test_rewritten_sentence_is_not_filled_with_unrelated_text():
    spun = ORIGINAL.replace("Analysts had expected a smaller gain.",
                            "Forecasters had predicted a far weaker result for the period.")
    result = repair(spun, reference=ORIGINAL)
    assert "Forecasters had predicted a far weaker result" in result.text


def test_unrelated_or_foreign_reference_is_refused():
    chinese = seed_path("001").read_text(encoding="utf-8").splitlines()[2] * 3
    for reference in ("Completely different words about cooking pasta and tomatoes at home tonight.", chinese):
        with pytest.raises(InputError, match="reference shares too little with the input: similarity"):
            repair(ORIGINAL, reference=reference)


def test_seed_000_with_001_keeps_its_correction_note_and_rewritten_paragraph(seed_texts):
    result = repair(seed_texts["000"], reference=seed_texts["001"])
    text = result.text
    assert apply_changes(seed_texts["000"], result.changes) == text
    assert text.startswith("(This Jan. 15 story has been corrected")
    # the spinner's swaps are undone everywhere, the correction note and paragraph 11 included ...
    for spun in ("customers", "chinese language", "reminiscent of", "telephone number", "telephone quantity"):
        assert spun not in text.lower(), spun
    # ... while the rewritten paragraph 11 keeps its own statement (001 says the opposite): only the model
    # repairs it, each change saying that the reference has no counterpart there
    paragraph = next(p for p in text.split("\n") if "to register" in p)
    assert "require users to have a Chinese phone number" not in paragraph and "Weibo" in paragraph
    start = seed_texts["000"].find("Whereas many")
    inside = [c for c in result.changes if start <= c.start < seed_texts["000"].find("\n", start)]
    assert all(c.source != "model" or "no counterpart in the reference" in c.why for c in inside)
    learned = [c for c in result.changes if c.source == "learned"]
    assert learned and all(c.count >= 1 for c in learned)
    assert "Users of the Chinese social media app RedNote" in text
    assert "stated" not in text.split("By Brenda Goh", 1)[1].split("\n")[1]


def test_dictionary_learn_round_trip_and_cli(tmp_path, capsys, seed_texts):
    d = Dictionary()
    assert d.learn(seed_texts["000"], seed_texts["001"]) > 50
    again = Dictionary.from_json(json.loads(json.dumps(d.to_json())))
    assert again.pairs == d.pairs and again.best("customers") == "users"
    spun, original = tmp_path / "spun.txt", tmp_path / "original.txt"
    spun.write_text(seed_texts["000"], encoding="utf-8")
    original.write_text(seed_texts["001"], encoding="utf-8")
    out = tmp_path / "dictionary.json"
    assert main(["learn", str(spun), str(original), "-o", str(out)]) == 0
    assert Dictionary.load(out).best("customers") == "users"
    assert main(["learn", str(spun), "-o", str(out)]) == 2
    capsys.readouterr()


def test_repair_cli_json_and_diff(tmp_path, capsys, seed_texts):
    spun, original = tmp_path / "spun.txt", tmp_path / "original.txt"
    spun_text = spin(ORIGINAL, rate=0.3, seed=2).text
    spun.write_text(spun_text, encoding="utf-8")
    original.write_text(ORIGINAL, encoding="utf-8")
    assert main(["repair", str(spun), "--reference", str(original), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == ORIGINAL and data["reference"]["similarity"] > 0.5
    for change in data["changes"]:
        assert set(change) == {"start", "end", "before", "after", "source", "confidence", "why"} and change["why"]
        assert spun_text[change["start"] : change["end"]] == change["before"]
    assert main(["repair", str(spun), "--reference", str(original), "--no-color"]) == 0
    assert "{+" in capsys.readouterr().out
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text("Completely different words about cooking pasta and tomatoes at home tonight.")
    assert main(["repair", str(spun), "--reference", str(unrelated)]) == 1
    assert "similarity" in capsys.readouterr().err


def test_without_reference_only_flagged_words_change(seed_texts):
    clean = seed_texts["002"]
    result = repair(clean)
    assert all(c.source == "model" for c in result.changes)
    assert len(result.changes) <= 3


def test_alignment_handles_one_to_many_and_typography():
    a = align("He said “it’s a telephone quantity” – the Chinese language customers agreed.",
              'He said "it\'s a phone number" - the Chinese users agreed.')
    pairs = {(p.spun.strip(), p.original) for p in a.substitutions}
    assert ("telephone", "phone") in pairs and ("quantity", "number") in pairs
    assert ("language customers", "users") in pairs  # two words for one: one substitution
    assert sentence_spans("One. Two!\nThree") == [(0, 5), (5, 10), (10, 15)]


# --- finding the reference in a corpus ------------------------------------------------------------

CORPUS = [
    ("wheat", "The U.S. Agriculture Department said on Monday that Egypt bought 500,000 tonnes of wheat "
              "under the export program, and that more sales to North Africa were expected later this year."),
    ("shares", "Shares of the company fell 3 pct in New York on Friday after it said first-quarter results "
               "would be lower than expected because of weak demand in Europe."),
    ("oil", ORIGINAL),
]


def test_index_finds_the_source_of_a_spun_copy_and_repairs_from_it(tmp_path):
    from detector.repair.fingerprint import SourceIndex, open_corpus

    index = SourceIndex.build(CORPUS)
    spun = spin(ORIGINAL, rate=0.35, seed=9).text
    assert index.search(spun)[0][0] == "oil"
    index.save(tmp_path / "index")
    loaded = open_corpus(tmp_path / "index")
    result = repair(spun, corpus=loaded)
    assert result.reference["id"] == "oil" and result.text == ORIGINAL


def test_corpus_cli_and_no_match(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in CORPUS) + "\n{broken\n")
    assert main(["index", "build", str(corpus), "-o", str(tmp_path / "idx")]) == 0
    err = capsys.readouterr().err
    assert "indexed 3 records" in err and ":4: skipped" in err
    spun = tmp_path / "spun.txt"
    spun.write_text(spin(ORIGINAL, rate=0.3, seed=1).text)
    assert main(["repair", str(spun), "--corpus", str(tmp_path / "idx"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["reference"]["id"] == "oil"
    other = tmp_path / "other.txt"
    other.write_text("A quiet village festival celebrated its new bakery with music, games and a parade of "
                     "decorated bicycles through the old streets during the long summer evening.")
    assert main(["repair", str(other), "--corpus", str(corpus), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["reference"] is None and "no similar enough text" in out.err
    assert main(["repair", str(other), "--corpus", str(tmp_path / "missing.jsonl")]) == 1
    assert "corpus not found" in capsys.readouterr().err


def test_text_without_a_counterpart_says_what_it_left_and_why():
    spun = seed_path("000").read_text(encoding="utf-8")
    original = seed_path("001").read_text(encoding="utf-8")
    result = repair(spun, reference=original)
    assert result.left and all(spun[x.start : x.end] == x.text and x.why for x in result.left)
    assert not any(c.start < x.end and x.start < c.end for x in result.left for c in result.changes)
    overseas = [x for x in result.left if x.text == "overseas"]
    assert overseas and "'foreign'" in overseas[0].why  # a learned swap the context did not prefer enough
    assert "left" in result.to_dict() and repair("A short clean sentence about the weather.").to_dict()["left"] == []
