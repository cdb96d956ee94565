"""Collocation evidence (a variant of a pair or triple is a frequent collocation where the text's own
is rare) and lone evidence (one strong phrase in one sentence is shown, not buried by the document)."""

import numpy as np
import pytest

from detector.detection.features import COLLOCATION_FEATURES, FEATURE_NAMES, collocation_evidence, context, encode
from detector.detection.model import load_model
from detector.detection.scoring import Scorer

FRAME = "In this paper we study {} and report the results of our experiments."


@pytest.fixture(scope="module")
def tables():
    return load_model().tables


def evidence(text: str, tables) -> dict[str, dict[str, float]]:
    """Per word: its collocation features by name (for words that occur once)."""
    doc = encode(text, tables)
    values = collocation_evidence(doc, tables, context(doc, tables))
    return {doc.tokens[p]: {n: float(v[j]) for n, v in zip(COLLOCATION_FEATURES, values)}
            for j, p in enumerate(doc.word_positions.tolist())}


def test_collocation_features_are_the_last_columns():
    assert FEATURE_NAMES[-len(COLLOCATION_FEATURES):] == COLLOCATION_FEATURES


def test_a_pair_with_both_words_swapped_has_a_frequent_variant(tables):
    spun = evidence(FRAME.format("counterfeit consciousness"), tables)
    clean = evidence(FRAME.format("artificial intelligence"), tables)
    for word in ("counterfeit", "consciousness"):
        assert spun[word]["colloc_pair_gain"] > 0 and spun[word]["colloc_pair_count"] >= 1.0
    # the original pair is itself a collocation, so no variant is sought for it ("intelligence" pairs
    # with no other content word here; "artificial" also pairs with "study")
    assert clean["intelligence"]["colloc_pair_gain"] == 0


def test_function_words_and_unknown_words_give_no_pair_evidence(tables):
    found = evidence("We feed the zqxwv esteems to the network.", tables)
    assert found["zqxwv"]["colloc_pair_gain"] == 0 and found["the"]["colloc_pair_gain"] == 0
    assert found["zqxwv"]["colloc_surprise_right"] == 0  # a word the counts do not know is no evidence


def test_evidence_is_the_same_alone_and_in_a_batch(tables):
    from detector.detection.features import concat

    texts = [FRAME.format("counterfeit consciousness"), "Users can find the telephone quantity online."]
    docs = [encode(t, tables) for t in texts]
    joined, _, rows = concat(docs)
    together = np.column_stack(collocation_evidence(joined, tables, context(joined, tables)))
    for i, doc in enumerate(docs):
        alone = np.column_stack(collocation_evidence(doc, tables, context(doc, tables)))
        assert np.allclose(alone, together[rows[i] : rows[i + 1]])


@pytest.mark.parametrize("phrase", ["counterfeit consciousness", "profound learning"])
def test_a_lone_tortured_phrase_in_one_sentence_is_shown(phrase):
    result = Scorer().score(FRAME.format(phrase))
    start = result.text.index(phrase)
    shown = [s for s in result.shown_spans if s.start < start + len(phrase) and start < s.end]
    assert shown, f"no shown span on {phrase!r}: {[(s.text, s.score) for s in result.spans]}"


@pytest.mark.parametrize("phrase", ["artificial intelligence", "deep learning"])
def test_the_same_sentence_with_the_original_term_shows_nothing(phrase):
    assert not Scorer().score(FRAME.format(phrase)).shown_spans
