from hypothesis import given, settings
from hypothesis import strategies as st

from detector.text.tokenize import has_cjk, normalize_word, tokenize


def kinds(text):
    return [(t.text, t.kind) for t in tokenize(text)]


def test_words_keep_inner_apostrophes_hyphens_and_abbreviation_dots():
    assert kinds("Don’t U.S.-China well-liked 48-year-old's") == [
        ("Don’t", "word"), ("U.S.-China", "word"), ("well-liked", "word"), ("48-year-old's", "word"),
    ]


def test_curly_quotes_are_punctuation_not_part_of_words():
    assert kinds("“TikTok refugees”") == [("“", "punct"), ("TikTok", "word"), ("refugees", "word"), ("”", "punct")]
    assert kinds("'TikTok refugees'")[-1] == ("'", "punct")


def test_numbers_urls_emails():
    assert kinds("1,000.5% at 10:30 on 2025/01/15") == [
        ("1,000.5%", "number"), ("at", "word"), ("10:30", "number"), ("on", "word"), ("2025/01/15", "number"),
    ]
    assert kinds("see https://example.org/a?b=1.") == [
        ("see", "word"), ("https://example.org/a?b=1", "url"), (".", "punct"),
    ]
    assert kinds("mail a.b@c.com now")[1] == ("a.b@c.com", "email")


def test_cjk_runs_and_mixed_lines():
    assert kinds("上海,1 月(路透社)中國TikTok 難民") == [
        ("上海", "cjk"), (",", "punct"), ("1", "number"), ("月", "cjk"), ("(", "punct"), ("路透社", "cjk"),
        (")", "punct"), ("中國", "cjk"), ("TikTok", "word"), ("難民", "cjk"),
    ]
    assert has_cjk("a 中 b") and not has_cjk("plain")


def test_norm_folds_case_and_curly_apostrophes():
    assert tokenize("China’s")[0].norm == "china's" == normalize_word("CHINA’S")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_every_token_points_at_its_text(text):
    previous_end = 0
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
        assert token.start >= previous_end and token.end > token.start
        assert not token.text.isspace()
        previous_end = token.end


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["word", "U.S.", "don’t", "3.5%", "中文", " ", "\n", "—", "x-y", "“", "http://a.b"]),
                max_size=40))
def test_nothing_but_whitespace_is_dropped(parts):
    text = "".join(parts)
    covered = "".join(t.text for t in tokenize(text))
    assert covered == "".join(text.split())
