"""New tortured phrases: the finder on phrases of the held-out fifth (never seen in training) and on clean text."""

import pytest

from detector.tortured.novel import NovelFinder, pairs_from_entries, terms_from_entries
from detector.tortured.phrases import KnownPhrases

FOUND = [  # (sentence, phrase the finder flags, its suggestion): held-out phrases of the PPS list
    ("We train an assistance vector machine on the extracted features.", "assistance vector machine",
     "support vector machine"),
    ("The prognosis of bosom carcinoma improved over the decade.", "bosom carcinoma", "breast cancer"),
    ("Outages of the astute matrix were logged for a year.", "astute matrix", "smart grid"),
]
MISSED = [  # held-out phrases the default threshold misses: a known limit, kept honest as strict xfails
    ("Each actuation work was compared on the validation set.", "actuation work"),
    ("The added substance model fits the seasonal data well.", "added substance model"),
]


@pytest.fixture(scope="module")
def finder():
    return NovelFinder.load()


@pytest.mark.parametrize("text,phrase,suggestion", FOUND, ids=[f[1] for f in FOUND])
def test_held_out_phrases_are_found_with_their_original(finder, text, phrase, suggestion):
    assert KnownPhrases.load(exclude_held_out=True).find(text) == []  # not on the list the finder learnt from
    found = finder.find(text)
    assert [(f.text, f.suggestion) for f in found] == [(phrase, suggestion)]
    assert found[0].reason == f"not in the PPS list; '{suggestion}' fits this context far better"


@pytest.mark.xfail(strict=True, reason="below the default threshold, which keeps false alarms on clean abstracts "
                                       "under 0.5 per 100,000 words: clean text has many rare pairs like these")
@pytest.mark.parametrize("text,phrase", MISSED, ids=[m[1] for m in MISSED])
def test_known_misses(finder, text, phrase):
    assert any(f.text == phrase for f in finder.find(text))


def test_a_tortured_paper_lowers_the_bar(finder):
    """Beside three known tortured phrases the looser paper threshold applies, never alone."""
    assert finder.paper_threshold < finder.threshold
    weaker = [e for e in KnownPhrases.load().entries if e.held_out and not e.guarded and not e.ordinary]
    alone = in_paper = 0
    for e in weaker[:200]:
        text = f"In this paper we study {e.tortured} and report the results of our experiments."
        alone += bool(finder.find(text))
        in_paper += bool(finder.find(text, known=3))
    assert in_paper > alone


def test_swaps_and_terms_read_off_the_list():
    pairs = pairs_from_entries([("profound learning", "deep learning"),
                                ("profound brain network", "deep neural network")])
    assert pairs["profound"]["deep"] == 2 and pairs["brain"]["neural"] == 1
    terms = terms_from_entries(["deep learning", "deep neural network"])
    assert terms[("deep", "learning")] == [1, 0] and terms[("neural", "network")] == [0, 1]
