"""Where line-level damage is found: interleaved translations and repeated lines (seed 001).

>>> text = ("Shanghai, Jan 15 (Reuters) - Users of RedNote welcomed 2 million Americans.\\n"
...         "上海,1月15日(路透社)- 小红书用户欢迎200万美国人。\\n"
...         "上海,1月15日(路透社)- 小红书用户欢迎200万美国人。\\n"
...         "The app rose to the top of the App Store on Tuesday, the company said.\\n"
...         "该应用周二登上应用商店榜首,公司表示。\\n")
>>> found = line_damage(text)
>>> found["interleaved_translation"]["score"], len(found["interleaved_translation"]["spans"])
(1.0, 3)
>>> found["repeated_lines"]["spans"][0]["reasons"]
['repeats the line before word for word']
>>> strip_translations(text).text.splitlines()[1]
'The app rose to the top of the App Store on Tuesday, the company said.'

A scraped page sometimes carries a translation of itself, line by line, next to the original (a
bilingual site, a translation widget), and lines repeated verbatim. Each line gets a script and
language profile (:mod:`detector.text.language`); a line in another language that stands next to
English lines is an interleaved translation, the more certainly when it shares numbers or Latin
names with its neighbours. The document's ``interleaved_translation`` score is the share of its
English lines that have such a neighbour; ``repeated_lines`` is the share of lines that repeat an
earlier one word for word. Both are document-level damage with line spans, kept apart from the
spinning score. :func:`strip_translations` keeps the English lines and says what it removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detector.text.language import FUNCTION_WORDS, MIN_FUNCTION_SHARE, SHORT_TEXT_WORDS

MIN_REPEAT_CHARS = 15  # shorter lines ("Advertisement", "***") repeat innocently
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # without the line break
    text: str
    language: str  # "english", "chinese", "japanese", "korean", "cyrillic", "arabic", "other", "" (blank)


def split_lines(text: str) -> list[Line]:
    """Lines with offsets (``text[line.start:line.end] == line.text``) and their language."""
    out, at = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(at, at + len(body), body, language_of(body)))
        at += len(raw)
    return out


def language_of(line: str) -> str:
    """A rough language for one line: English, or the script of another language."""
    if not line.strip():
        return ""
    counts = {"chinese": 0, "japanese": 0, "korean": 0, "cyrillic": 0, "arabic": 0}
    for c in line:
        o = ord(c)
        if 0x3040 <= o <= 0x30FF:
            counts["japanese"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            counts["chinese"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            counts["korean"] += 1
        elif 0x0400 <= o <= 0x04FF:
            counts["cyrillic"] += 1
        elif 0x0600 <= o <= 0x06FF:
            counts["arabic"] += 1
    latin = sum(c.isalpha() and ord(c) < 0x250 for c in line)
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 2 > latin:  # one CJK character carries about a word's worth
        return "japanese" if script == "chinese" and counts["japanese"] else script
    if latin == 0:
        return "other" if any(c.isalpha() for c in line) else ""
    words = _LATIN_WORD.findall(line)
    if len(words) < SHORT_TEXT_WORDS:  # too short to judge: the benefit of the doubt, as for documents
        return "english"
    function = sum(w.lower() in FUNCTION_WORDS for w in words)
    return "english" if function >= MIN_FUNCTION_SHARE * len(words) else "other"


def _shared_anchors(line: str, neighbours: list[str]) -> int:
    """Numbers and Latin names a line shares with its neighbours (a translation keeps them)."""
    mine = set(_NUMBER.findall(line)) | set(_LATIN_NAME.findall(line))
    theirs: set[str] = set()
    for other in neighbours:
        theirs |= set(_NUMBER.findall(other)) | set(_LATIN_NAME.findall(other))
    return len(mine & theirs)


def line_damage(text: str) -> dict:
    """``{"interleaved_translation": {...}, "repeated_lines": {...}}``, each with a ``score`` in
    [0, 1] and ``spans`` ({start, end, text, score, reasons}) in the same form as spinning spans."""
    lines = split_lines(text)
    content = [i for i, line in enumerate(lines) if line.language]
    english = [i for i in content if lines[i].language == "english"]
    position = {i: k for k, i in enumerate(content)}
    translation_spans, next_to_translation = [], set()
    for i in content:
        line = lines[i]
        if line.language in ("english", ""):
            continue
        k = position[i]
        # the nearest English lines before and after (skipping repeats of this same line)
        before = next((content[j] for j in range(k - 1, -1, -1) if lines[content[j]].language == "english"), None)
        after = next((content[j] for j in range(k + 1, len(content)) if lines[content[j]].language == "english"),
                     None)
        adjacent = [j for j in (before, after) if j is not None and abs(position[j] - k) <= 3]
        if not adjacent:
            continue
        next_to_translation.update(adjacent)
        shared = _shared_anchors(line.text, [lines[j].text for j in adjacent])
        reasons = [f"a {line.language.title()} line between English lines"]
        if shared:
            reasons.append(f"shares {shared} number(s) or name(s) with the English next to it: a translation")
        translation_spans.append({"start": line.start, "end": line.end, "text": line.text,
                                  "score": 1.0 if shared else 0.7, "reasons": reasons})
    translation_score = len(next_to_translation) / len(english) if english else 0.0
    seen: dict[str, int] = {}
    repeat_spans = []
    for i in content:
        key = " ".join(lines[i].text.split())
        if len(key) < MIN_REPEAT_CHARS:
            continue
        if key in seen:
            first = seen[key]  # its position among the non-blank lines
            where = "the line before" if first == position[i] - 1 else f"line {content[first] + 1}"
            repeat_spans.append({"start": lines[i].start, "end": lines[i].end, "text": lines[i].text, "score": 1.0,
                                 "reasons": [f"repeats {where} word for word"]})
        else:
            seen[key] = position[i]
    return {
        "interleaved_translation": {"score": round(min(1.0, translation_score), 4), "spans": translation_spans,
                                    "languages": sorted({lines[i].language for i in content} - {"english"})},
        "repeated_lines": {"score": round(len(repeat_spans) / len(content), 4) if content else 0.0,
                           "spans": repeat_spans},
    }


@dataclass(frozen=True)
class Stripped:
    """English lines kept; ``removed`` holds every line taken out, with its offsets in the input."""

    text: str
    removed: tuple[dict, ...]

    def to_dict(self) -> dict:
        return {"lines": len(self.removed), "chars": sum(len(r["text"]) for r in self.removed),
                "languages": sorted({r["language"] for r in self.removed}), "removed": list(self.removed)}


def strip_translations(text: str) -> Stripped:
    """Keep the main language's lines (English) and blank lines; remove lines in other languages."""
    kept, removed = [], []
    for raw_line, line in zip(text.splitlines(keepends=True), split_lines(text)):
        if line.language in ("english", ""):
            kept.append(raw_line)
        else:
            removed.append({"start": line.start, "end": line.end, "text": line.text, "language": line.language})
    return Stripped("".join(kept), tuple(removed))
