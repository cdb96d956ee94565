"""Is this English? A fast check from script and function-word share, no model needed.

>>> english_profile("The app has been transformed into a channel for exchanges.").is_english
True
>>> english_profile("上海,1 月 15 日(路透社)—— 中國社交媒體應用程式「小紅書」的用戶週三以自拍照").is_english
False
>>> english_profile("Le gouvernement a annoncé une nouvelle loi sur la sécurité des données.").is_english
False

English prose is about 40% function words ("the", "of", "and", "to"...); other languages written
in Latin script have few of them, and Chinese, Japanese or Korean text has no Latin words at all.
A document is English when most of its letters are Latin and at least 15% of its words are
English function words, or, for terse text such as tables of figures ("Shr 30 cts vs 21 cts, net
3.3 mln"), when at least 70% of its words and numbers are common English words or numbers (Zipf
frequency >= 3; only when a frequency function is given). Texts under 12 words get the benefit of the doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from detector.text.tokenize import Token, tokenize

FUNCTION_WORDS = frozenset(
    """
    the of and to a in is that for it on was with as he be by at are this from i have or an they
    which you his not but had has were their we been will her she its would who more there one all
    can said also after than about into up out new other some could if so what when them over only
    these two may our any my no years him time first last year like then most just do did does
    before while such because should between how where those well many us much against
    """.split()
)
MIN_FUNCTION_SHARE = 0.15
MIN_LATIN_SHARE = 0.5
MIN_KNOWN_SHARE = 0.7
KNOWN_ZIPF = 3.0
SHORT_TEXT_WORDS = 12


class LanguageProfile(NamedTuple):
    words: int  # Latin-script word tokens
    latin_share: float  # share of letters that are in Latin-script words
    function_share: float  # share of Latin words that are English function words
    known_share: float = 0.0  # share of words and numbers that are numbers or common English words

    @property
    def is_english(self) -> bool:
        return is_english(self.words, self.latin_share, self.function_share, self.known_share)


def is_english(words: int, latin_share: float, function_share: float, known_share: float = 0.0) -> bool:
    """The rule of the module docstring, on counts measured by any tokenizer."""
    if words == 0 or latin_share < MIN_LATIN_SHARE:
        return False
    return words < SHORT_TEXT_WORDS or function_share >= MIN_FUNCTION_SHARE or known_share >= MIN_KNOWN_SHARE


def english_profile(text: str, tokens: list[Token] | None = None,
                    zipf: Callable[[str], float] | None = None) -> LanguageProfile:
    """Script and word counts of ``text`` (``tokens`` if already tokenized; ``zipf`` to count
    common English words)."""
    tokens = tokenize(text) if tokens is None else tokens
    latin_letters = other_letters = words = function = known = numbers = 0
    for token in tokens:
        if token.kind == "number":
            numbers += 1
        if token.kind == "word":
            if token.text.isascii() or all(ord(c) < 0x250 for c in token.text):
                words += 1
                latin_letters += len(token.text)
                function += token.norm in FUNCTION_WORDS
                known += zipf is not None and zipf(token.norm) >= KNOWN_ZIPF
            else:
                other_letters += len(token.text)
        elif token.kind == "cjk":
            other_letters += 2 * len(token.text)  # one CJK character carries about a word's worth
    letters = latin_letters + other_letters
    return LanguageProfile(
        words=words,
        latin_share=latin_letters / letters if letters else 0.0,
        function_share=function / words if words else 0.0,
        known_share=(known + numbers) / (words + numbers) if words else 0.0,
    )
