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

_TOKEN_RE = re.compile(
    rf"""
    (?P<url>(?:https?://|www\.)[^\s<>"“”]+?(?=[.,;:!?)\]'"”’]*(?:\s|$|[<>"“”])))
  | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<cjk>[{_CJK}]+)
  | (?P<word>
        (?:{_LETTER}\.){{2,}}(?:-{_LETTER}+)*                     # U.S. / e.g. / U.S.-China
      | \d+(?:-{_LETTER}+)+(?:[{_APOS}]{_LETTER}+)?                 # 48-year-old('s), 3-D
      | {_LETTER}+(?:[{_APOS}]{_LETTER}+)*(?:-(?:{_LETTER}|\d)+(?:[{_APOS}]{_LETTER}+)*)*
    )
  | (?P<number>[+\-]?\d+(?:[.,:/\-]\d+)*%?)
  | (?P<punct>(?P<p>[^\w\s])(?P=p)*)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)

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


def has_cjk(text: str) -> bool:
    """True when ``text`` contains any Chinese, Japanese or Korean character."""
    return _CJK_RE.search(text) is not None


def normalize_word(word: str) -> str:
    """The lookup key of a word: lower case, curly apostrophes folded (``"China’s" -> "china's"``)."""
    return word.translate(_APOS_TABLE).lower()
