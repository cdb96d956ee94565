"""Tokenizer that keeps every token's character span in the original text.

>>> [(t.text, t.start, t.end, t.kind) for t in tokenize("Don’t call 555-0100, see https://x.org.")]
... # doctest: +NORMALIZE_WHITESPACE
[('Don’t', 0, 5, 'word'), ('call', 6, 10, 'word'), ('555-0100', 11, 19, 'number'),
 (',', 19, 20, 'punct'), ('see', 21, 24, 'word'), ('https://x.org', 25, 38, 'url'),
 ('.', 38, 39, 'punct')]

Every token satisfies ``text[token.start:token.end] == token.text``; whitespace is never a token.
Kinds: ``word`` (letters, with inner apostrophes, hyphens and abbreviation dots: "U.S.",
"well-liked", "China’s", "48-year-old"), ``number``, ``url``, ``email``, ``cjk`` (a run of Chinese,
Japanese or Korean characters), ``punct`` and ``other``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f"
_LETTER = rf"[^\W\d_{_CJK}]"
_APOS = "'\u2019"

_URL = r"""(?:https?://|www\.)[^\s<>"“”]+?(?=[.,;:!?)\]'"”’]*(?:\s|$|[<>"“”]))"""
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_CJK_RUN = f"[{_CJK}]+"
_WORD = (
    rf"(?:{_LETTER}\.){{2,}}(?:-{_LETTER}+)*"  # U.S. / e.g. / U.S.-China
    rf"|\d+(?:-{_LETTER}+)+(?:[{_APOS}]{_LETTER}+)?"  # 48-year-old('s), 3-D
    rf"|{_LETTER}+(?:[{_APOS}]{_LETTER}+)*(?:-(?:{_LETTER}|\d)+(?:[{_APOS}]{_LETTER}+)*)*"
)
_NUMBER = r"[+\-]?\d+(?:[.,:/\-]\d+)*%?"

_TOKEN_RE = re.compile(
    rf"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<cjk>{_CJK_RUN})|(?P<word>{_WORD})|(?P<number>{_NUMBER})"
    r"|(?P<punct>(?P<p>[^\w\s])(?P=p)*)|(?P<other>\S)"
)
# The same tokens without kinds (punctuation runs split into single characters), for hot paths
# that need only token strings and spans: several times faster than building Token objects.
_PLAIN_RE = re.compile(rf"{_URL}|{_EMAIL}|{_CJK_RUN}|{_WORD}|{_NUMBER}|\S")

_CJK_RE = re.compile(f"[{_CJK}]")
_APOS_TABLE = str.maketrans({"\u2019": "'", "\u2018": "'"})


class Token(NamedTuple):
    """One token: its text, its span ``[start, end)`` in the original string, and its kind."""

    text: str
    start: int
    end: int
    kind: str

    @property
    def norm(self) -> str:
        """Lower-cased text with typographic apostrophes folded to ``'``: the lookup key."""
        return self.text.translate(_APOS_TABLE).lower()

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, each pointing back at ``text[start:end]``."""
    return [Token(m.group(), m.start(), m.end(), m.lastgroup or "other") for m in _TOKEN_RE.finditer(text)]


def token_texts(text: str) -> list[str]:
    """Token strings only, fast: ``tokenize`` without kinds or spans (punctuation runs split).

    >>> token_texts("Nice Firewall... ok")
    ['Nice', 'Firewall', '.', '.', '.', 'ok']
    """
    return _PLAIN_RE.findall(text)


def token_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` span of each string :func:`token_texts` returns, in the same order."""
    return [m.span() for m in _PLAIN_RE.finditer(text)]


def has_cjk(text: str) -> bool:
    """True when ``text`` contains any Chinese, Japanese or Korean character."""
    return _CJK_RE.search(text) is not None


def normalize_word(word: str) -> str:
    """The lookup key of a word: lower case, curly apostrophes folded (``"China’s" -> "china's"``)."""
    return word.translate(_APOS_TABLE).lower()
