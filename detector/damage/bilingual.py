"""Where a translation is checked against its source on the same page: numbers, dates and names.

>>> found = check_pair("The influx of more than 700,000 new users came on Wednesday, Jan 15.",
...                    "1 月 15 日週三,湧入超過 70 萬名新用戶。", "chinese")
>>> found
[]
>>> found = check_pair("The influx of more than 900,000 new users came on Wednesday, Jan 15.",
...                    "1 月 15 日週三,湧入超過 70 萬名新用戶。", "chinese")
>>> [(m.kind, m.english.text, m.other.text if m.other else None) for m in found]
[('different number', '900,000', '70 萬')]

A bilingual page (seed 001: Chinese lines after the English ones) carries its own check: what a
translation may not change. Without an MT system for the language, a reader can still compare

* **numbers**, in digits on either side or as numerals ("70 萬" is 700,000; "1.7 億" 170 million;
  "四个" four; "2.600" in German is 2,600), with "thousand", "million", "billion", 万, 億 and their
  kin, percentages, ordinals, years;
* **dates**: months and weekdays ("Jan 15" and "1 月 15 日"; "Wednesday" and "週三"), for Chinese and
  Japanese lines;
* **names** a translation keeps in Latin letters: Latin words in a Chinese, Japanese, Korean,
  Russian or Arabic line ("TikTok"), and, in a line of another Latin-script language, capitalised
  words that are not that language's own words ("Bethnal Green" in German, but not "Stadtteil").

Facts are matched one to one (a figure given twice needs two). What is reported is a fact of each
side without an equal, the two alike and at about the same place: ``different number`` (digits
on both sides, the same order of magnitude), ``different date``, ``different name`` (both surely
names: no word of the English dictionary, rare in the other language). A fact missing on one side
only (``missing number``, ``missing name``) is counted by the benchmark but not reported: human
translators drop and rephrase figures and localise names ("Gand" for "Ghent", "Brně" for "Brno")
too often for it to be news (``benchmarks/results/mt_bilingual.md``). Names written in another
script on the other side (Chinese names, "韓国" for "South Korea") cannot be checked without a
dictionary; numbers the English writes as words ("four") are used to match but never reported,
since a translator may write a number either way.

:func:`pair_lines` finds the pairs of a document (each line in another language with the English
line it translates: the neighbour sharing most facts, else the one before it), and
:func:`bilingual_damage` gives the ``translation_mismatch`` entry of the damage report.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

from detector.damage.lines import Line, split_lines

CJK = ("chinese", "japanese", "korean")
NON_LATIN = (*CJK, "cyrillic", "arabic")
REPORTED = ("different number", "different date", "different name")  # kinds reported (others: the benchmark)
COMMON_ENGLISH = 4.0  # a capitalised English word this common (Zipf) is a title word, not a kept name
MIN_FOREIGN_WORDS = 3  # function words of its language a Latin-script line needs to count as a translation
NEAR = 0.35  # facts this share of their lines apart are at about the same place
STRONG_NAME_ZIPF = 3.0  # a capitalised word rarer than this in its own language is surely a name
LONGEST_UNKNOWN_NAME = 11  # an unknown capitalised word longer than this is a compound ('Blutaustauschtransfusion')
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mln": 1e6, "bln": 1e9, "bn": 1e9,
             "mn": 1e6, "k": 1e3, "m": 1e6, "b": 1e9, "tn": 1e12, "hundred": 1e2}
# scale words of other languages after digits ('50 Millionen', '3,5 milionu', '5 mil'), by how they start
_OTHER_SCALE = (("milliard", 1e9), ("miliard", 1e9), ("mld", 1e9), ("mrd", 1e9), ("млрд", 1e9),
                ("מיליארד", 1e9), ("milj", 1e6), ("mill", 1e6), ("milion", 1e6), ("milión", 1e6), ("milh", 1e6),
                ("mio", 1e6), ("млн", 1e6), ("миллион", 1e6), ("מיליון", 1e6), ("tausend", 1e3), ("tys", 1e3),
                ("tisíc", 1e3), ("тыс", 1e3), ("אלף", 1e3), ("אלפי", 1e3))
_OTHER_SCALE_EXACT = {"mil": 1e3, "mille": 1e3, "milles": 1e3, "k": 1e3}
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}
_CJK_SMALL = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "만": 1e4, "억": 1e8}
_CJK_APPROX = set("多余餘几幾来來")
_CJK_UNIT_WORDS = set("瓦克米卡焦赫字")  # 千瓦 kilowatt, 千克 kilogram, 千米 kilometre...
_CJK_STRONG_COUNTERS = set("个個名人位家年岁歲倍天次例")  # after which a bare numeral is surely a count
# what follows a numeral that makes it a count, a date or a measure (a bare 一 is mostly "a" or part of a word)
_CJK_COUNTERS = set("个個名人位家年月日号號岁歲次场場倍天周週时時秒元%％项項种種条條件架辆輛"
                    "座所台部本张張间間栋棟只隻头頭篇章届屆期艘门門亩畝吨噸公米斤例起")
_EN_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_NUMBER_WORDS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())})
_EN_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_EN_ORDINALS.update({"dozen": 12, "twentieth": 20, "thirtieth": 30, "hundredth": 100})
_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_EN_MONTHS.update({m[:3]: v for m, v in list(_EN_MONTHS.items())})
_EN_MONTHS["sept"] = 9
del _EN_MONTHS["may"]  # "may" is mostly a verb; "May 5" is found by the day after it anyway
_EN_WEEKDAYS = {d: i + 1 for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_CJK_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_JA_WEEKDAYS = {"月": 1, "火": 2, "水": 3, "木": 4, "金": 5, "土": 6, "日": 7}
_NATIONALITY = ("ese", "ish", "ian", "ean", "ican", "ench", "utch", "eek", "ai")  # 'Portuguese', 'Polish': translated

_EN_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d)")
_OTHER_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])(\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d+)([.,]\d+)?(?!\d)")
_CJK_RUN = re.compile(r"(?:[0-9０-９](?:[0-9０-９.．]|,(?=\d{3}))*"
                      r"|[零〇一二两兩三四五六七八九十百千万萬亿億만억多余餘几幾])+(?:\s*[万萬亿億만억])*")
_EN_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_L = "A-Za-z\u00c0-\u024f"  # letters of the Latin script
_LATIN_NAME = re.compile(rf"[{_L}][{_L}0-9'’.&-]*[{_L}0-9]|[{_L}]")
_TIME_AFTER = re.compile(r"\s*(?:h|Uhr|uur|hod\.?|godz\.?)\s*(\d\d)?\b|:(\d\d)\b")
_HOURS_AFTER = re.compile(r"\s*(?:GMT|UTC|CET|EST|hrs|hours)\b")


@dataclass(frozen=True)
class Fact:
    """A number, month, weekday or name found in a line: ``values`` are the readings it may have
    (``2.600`` is 2600 or 2.6; ``200 million`` is 200,000,000 or, beside a line that puts the scale
    elsewhere, 200), ``reportable`` says whether a difference in it is news."""

    kind: str  # "number", "month", "weekday", "name"
    values: frozenset
    start: int
    end: int
    text: str
    reportable: bool = True


@dataclass(frozen=True)
class Mismatch:
    """A fact of one side with no equal on the other: ``english`` or ``other`` is the fact (the
    other side's counterpart, when one stands out, in the other field)."""

    kind: str  # "different number", "missing number", "different date", "missing date", "different name", ...
    english: Fact | None
    other: Fact | None
    side: str  # where the unmatched fact is: "english", "other" or "both"

    def reason(self, language: str) -> str:
        name = language.title() if language not in ("other", "") else "other-language"
        e = f"'{self.english.text}'" if self.english else None
        o = f"'{self.other.text}'" if self.other else None
        if self.kind.startswith("different"):
            what = self.kind.split()[1]
            return f"the English says {e} where the {name} line says {o}: a {what} changed in translation"
        if self.side == "english":
            return f"the English has {e}, which the {name} line beside it lacks"
        return f"the {name} line has {o}, which its English lacks"


def _readings(whole: str, fraction: str | None, english: bool) -> set[float]:
    """Readings of a digit string: '700,000' is 700000 in English; '2.600' may be 2600 or 2.6 in
    other languages; '1,5' is 1.5 outside English."""
    groups = re.split(r"[,.\u00a0\u202f ]", whole)
    plain = float("".join(groups))
    if " " in whole:  # '15 212' is 15,212, or two numbers side by side
        return {plain, *(float(g) for g in groups)}
    if english:
        return {float(f"{''.join(groups)}{fraction}")} if fraction else {plain}
    out = set()
    if fraction is None:
        out.add(plain)
        if len(groups) == 2:
            out.add(float(f"{groups[0]}.{groups[1]}"))  # '2.600' or '2,600' as a decimal
    else:
        out.add(float(f"{''.join(groups)}.{fraction[1:]}"))
        if len(fraction) == 4:
            out.add(float(f"{''.join(groups)}{fraction[1:]}"))  # '2.600' read as thousands
    return out


def _time_and_scale(line: str, end: int, values: set[float], english: bool) -> tuple[set[float], int, list[Fact]]:
    """Readings after what follows a number: a scale word (both readings kept), an hour ('12 h 00',
    '12:30', '1200 GMT'); returns the readings, the new end and any minutes as their own fact."""
    extra: list[Fact] = []
    time = _TIME_AFTER.match(line, end)
    if time and (time.group(2) or not english):
        minutes = time.group(1) or time.group(2)
        if minutes and minutes != "00":
            extra.append(Fact("number", frozenset({float(minutes)}), time.end() - 2, time.end(), minutes))
        return values, time.end(), extra
    if english and _HOURS_AFTER.match(line, end):
        hours = {v // 100 for v in values if v == int(v) and 100 <= v <= 2400 and v % 100 == 0}
        return values | hours, end, extra
    word = re.match(r"[\s-]?([^\W\d_]+)\.?", line[end:])
    if not word:
        return values, end, extra
    lower = word.group(1).lower()
    scale = None
    if english:
        if lower in _EN_SCALE and (len(lower) > 2 or not word.group(0)[:1].isspace()):
            scale = _EN_SCALE[lower]
    elif lower in _OTHER_SCALE_EXACT:
        scale = _OTHER_SCALE_EXACT[lower]
    else:
        scale = next((v for start, v in _OTHER_SCALE if lower.startswith(start)), None)
    if scale is None:
        return values, end, extra
    return values | {v * scale for v in values}, end + word.end(), extra


def english_facts(line: str) -> list[Fact]:
    """Numbers (digits and words), months, weekdays of an English line."""
    facts: list[Fact] = []
    taken = []
    for m in _EN_DIGITS.finditer(line):
        readings = _readings(m.group(1), m.group(2), True)
        comma = re.match(r",(\d{1,2})\s+(?:million|billion|thousand|trillion)\b", line[m.end() :])
        if comma and not m.group(2):  # '3,5 million' (a decimal comma)
            readings = {float(f"{m.group(1).replace(',', '')}.{comma.group(1)}")}
            m_end = m.end() + 1 + len(comma.group(1))
        else:
            m_end = m.end()
        values, end, extra = _time_and_scale(line, m_end, readings, True)
        facts += extra
        if any(a <= m.start() < b for a, b in taken):
            continue
        facts.append(Fact("number", frozenset(values), m.start(), end, line[m.start() : end]))
        taken.append((m.start(), end))
    words = list(_EN_WORD.finditer(line))
    k = 0
    while k < len(words):
        w = words[k].group().lower()
        value = _word_number(w)
        if value is not None and not any(a <= words[k].start() < b for a, b in taken):
            start, end, total = words[k].start(), words[k].end(), value
            while w not in _EN_ORDINALS and k + 1 < len(words) and line[end : words[k + 1].start()].strip() in (
                    "", "-", "and"):
                nxt = words[k + 1].group().lower()
                if nxt in ("hundred", "thousand", "million", "billion"):
                    total *= _EN_SCALE[nxt]
                elif _word_number(nxt) is not None and nxt not in _EN_ORDINALS:
                    total += _word_number(nxt)
                else:
                    break
                end = words[k + 1].end()
                k += 1
            if total != 1:  # "one of", "first": rarely a count a translation keeps
                facts.append(Fact("number", frozenset({float(total)}), start, end, line[start:end], False))
        elif w in ("a", "an") and k + 1 < len(words) and words[k + 1].group().lower() in (
                "hundred", "thousand", "million", "billion", "dozen"):
            nxt = words[k + 1].group().lower()
            total = 12.0 if nxt == "dozen" else _EN_SCALE[nxt]
            facts.append(Fact("number", frozenset({total}), words[k].start(), words[k + 1].end(),
                              line[words[k].start() : words[k + 1].end()], False))
            k += 1
        elif w.rstrip(".") in _EN_MONTHS and words[k].group()[0].isupper():
            facts.append(Fact("month", frozenset({float(_EN_MONTHS[w.rstrip('.')])}), words[k].start(),
                              words[k].end(), words[k].group()))
        elif w in _EN_WEEKDAYS and words[k].group()[0].isupper():
            facts.append(Fact("weekday", frozenset({float(_EN_WEEKDAYS[w])}), words[k].start(), words[k].end(),
                              words[k].group()))
        k += 1
    return facts


def _word_number(word: str) -> float | None:
    if word in _EN_NUMBER_WORDS:
        return float(_EN_NUMBER_WORDS[word])
    if word in _EN_ORDINALS:
        return float(_EN_ORDINALS[word])
    if "-" in word:
        a, _, b = word.partition("-")
        if a in _EN_NUMBER_WORDS and b in _EN_NUMBER_WORDS and _EN_NUMBER_WORDS[a] >= 20:
            return float(_EN_NUMBER_WORDS[a] + _EN_NUMBER_WORDS[b])
    return None


def cjk_number(run: str) -> set[float]:
    """Readings of a run of digits and Chinese numerals.

    >>> [sorted(cjk_number(t)) for t in ("七万八千", "11万7015", "22万亿", "1.7 億", "一九九八", "二十多万")]
    [[78000.0], [117015.0], [22000000000000.0], [170000000.0], [1998.0], [200000.0]]
    """
    run = run.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    total, section, number, digits = 0.0, 0.0, None, ""
    for token in re.findall(r"\d+(?:\.\d+)?|\S", run.replace(",", "")):
        if token[0].isdigit():
            number = float(token)
        elif token in _CJK_DIGITS:
            digits += token
            value = float(_CJK_DIGITS[token])
            number = value if number is None or len(digits) == 1 else number * 10 + value
            continue
        elif token in _CJK_SMALL:
            section += (1.0 if number is None else number) * _CJK_SMALL[token]
            number = None
        elif token in _CJK_BIG:
            chunk = section + (number or 0.0)
            total = total * _CJK_BIG[token] if chunk == 0 and total else total + chunk * _CJK_BIG[token]
            section, number = 0.0, None
        digits = ""
    value = total + section + (number or 0.0)
    if len(digits) == 2 and value == total + section + (number or 0):  # '六七': six or seven, or 67
        return {value, *(float(_CJK_DIGITS[c]) for c in digits)}
    return {value}


def other_facts(line: str, language: str) -> list[Fact]:
    """Numbers (digits, CJK numerals), dates and Latin-script names of a line in ``language``."""
    facts: list[Fact] = []
    if language in CJK:
        facts += _cjk_facts(line)
    else:
        line = _split_clock_and_dates(line)
        for m in _OTHER_DIGITS.finditer(line):
            values, end, extra = _time_and_scale(line, m.end(), _readings(m.group(1), m.group(2), False), False)
            facts += extra
            facts.append(Fact("number", frozenset(values), m.start(), end, line[m.start() : end]))
    return facts + _names(line, language)


def _split_clock_and_dates(line: str) -> str:
    """'3.40 Uhr' and '15.09.' written with a space for the dot (same length: offsets hold), so that
    hours and minutes, days and months are read as numbers of their own."""
    line = re.sub(r"\b(\d{1,2})\.(\d\d)(?=\s*(?:Uhr|h)\b)", r"\1 \2", line)
    return re.sub(r"\b(\d{1,2})\.(\d{1,2})\.(?=\s|\d|$)", r"\1 \2 ", line)


def _cjk_facts(line: str) -> list[Fact]:
    facts = []
    line = line.replace("百分之", "   ")  # '百分之二十': twenty per cent (same length: offsets hold)
    for m in _CJK_RUN.finditer(line):
        text = m.group().rstrip()
        if text[-1] in "千百十" and line[m.start() + len(text) : m.start() + len(text) + 1] in _CJK_UNIT_WORDS:
            text = text[:-1]  # '1000万千瓦': ten million kilowatts
        if not text or not re.search(r"[0-9０-９零〇一二两兩三四五六七八九十百千]", text):
            continue
        before = line[max(m.start() - 2, 0) : m.start()]
        if before.endswith(("星期", "礼拜", "禮拜")) or before[-1:] in ("周", "週"):
            continue
        values = cjk_number(text)
        end = m.start() + len(text)
        following = line[end : end + 1]
        has_digits = bool(re.search(r"[0-9０-９]", text))
        counted = following in _CJK_COUNTERS or before[-1:] == "第" or any(c in _CJK_BIG for c in text)
        if not has_digits and not counted and len(text) == 1:
            continue  # 一些, 统一, 三思: part of a word, not a number
        kind = "month" if following == "月" and max(values) <= 12 and not any(c in _CJK_BIG for c in text) else "number"
        strong = following in _CJK_STRONG_COUNTERS or before[-1:] == "第" or len(text) > 1
        reportable = has_digits or (strong and max(values) > 1 and not any(c in _CJK_APPROX for c in text))
        facts.append(Fact(kind, frozenset(values), m.start(), end, text, reportable))
    for m in re.finditer(r"(?:星期|礼拜|禮拜|周|週)([一二三四五六日天])", line):
        facts.append(Fact("weekday", frozenset({float(_CJK_WEEKDAYS[m.group(1)])}), m.start(), m.end(), m.group()))
    for m in re.finditer(r"([月火水木金土日])曜日?", line):
        facts.append(Fact("weekday", frozenset({float(_JA_WEEKDAYS[m.group(1)])}), m.start(), m.end(), m.group()))
    return facts


def _name_words(line: str):
    """(start, word) of each Latin-script word, split at hyphens, possessives dropped."""
    for m in _LATIN_NAME.finditer(line):
        offset = m.start()
        for part in re.split(r"([-])", m.group()):
            word = re.sub(r"['’]s?$", "", part).rstrip(".'’")
            if part != "-" and len(word) >= 2 and not word[0].isdigit():
                yield offset, word
            offset += len(part)


def _initial(line: str, start: int) -> bool:
    """Whether a word at ``start`` opens the line or a sentence (its capital says nothing)."""
    before = line[:start]
    return not re.search(r"[^\W\d_]", before) or bool(re.search(r"[.!?:]\s*[\"“«„(]?\s*$", before))


def _names(line: str, language: str) -> list[Fact]:
    """Latin-script names a translation keeps: in a non-Latin line every Latin word of two letters or
    more; in a Latin-script line, capitalised words (not the first of a sentence) that are not words
    of the line's own language more than of English."""
    out = []
    for start, word in _name_words(line):
        if language not in NON_LATIN and (not word[0].isupper() or _initial(line, start) or
                                          not _name_like(word, language)):
            continue
        out.append(Fact("name", frozenset({word.lower()}), start, start + len(word), word))
    return out


def _acronym(word: str) -> bool:
    return len(word) >= 2 and (word.isupper() or (word[:-1].isupper() and word[-1] == "s" and len(word) >= 3))


@functools.lru_cache(maxsize=65536)
def _name_like(word: str, language: str) -> bool:
    """A capitalised word of a Latin-script line that a translation keeps as it is: an acronym, a
    short word neither language knows, or a word no commoner in ``language`` than in English."""
    if _acronym(word):
        return True
    if language not in _NOUNS_CAPITALISED:
        return True  # only names are capitalised inside a sentence (titles too, and those are translated)
    from wordfreq import zipf_frequency

    lower = word.lower()
    own = zipf_frequency(lower, language) if language in _WORDFREQ else 0.0
    english = _english_zipf(lower)
    if own < 1.0 and english < 1.0:
        return len(word) <= LONGEST_UNKNOWN_NAME
    return own < english + 0.5


_NOUNS_CAPITALISED = frozenset({"de"})  # languages that capitalise every noun
_WORDFREQ = frozenset("ar bn ca cs de es fi fr he it ja mk nb nl pl pt ru sv uk zh en".split())
# function words of the Latin-script languages wordfreq knows, to tell which one a line is in
_FUNCTION_WORDS = {
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem", "fr": "le la les et est un une "
    "des du dans que qui pour pas sur au avec", "es": "el la los las y es un una de que en del por con para se no",
    "it": "il la le e è un una di che in del per con non si della", "pt": "o a os as e é um uma de que em do da para "
    "com não se", "nl": "de het een en is van in dat op te niet met voor zijn", "pl": "i w na z się nie do że jest to "
    "o jak ale od", "cs": "a v na se je že z do to s o jako by ale", "sv": "och i att det som en på är av för med",
    "fi": "ja on ei se että hän oli ovat mutta kun", "ca": "el la els les i és un una de que en per amb no"}


def latin_language(line: str) -> str:
    """The likeliest language of a Latin-script line that is not English, by its function words
    ('other' when none stands out).

    >>> latin_language("Green wurde 1946 als Sohn einer jüdischen Arbeiterfamilie im Londoner Stadtteil geboren.")
    'de'
    """
    words = re.findall(r"[^\W\d_]+", line.lower())
    best, best_n = "other", 0
    for language, listed in _FUNCTION_WORDS.items():
        n = sum(w in listed.split() for w in words)
        if n > best_n:
            best, best_n = language, n
    return best


def _latin_share(line: str) -> float:
    letters = [c for c in line if c.isalpha()]
    return sum(ord(c) < 0x250 for c in letters) / max(len(letters), 1)


def foreign_prose(line: str) -> bool:
    """Whether a Latin-script line that is not English is prose of another language (a line a
    translation could be), not a list, a table row, a reference or a caption in English: at least
    ``MIN_FOREIGN_WORDS`` function words of one language, twice as many as English ones; or, by
    word frequencies, at least ``MIN_FOREIGN_WORDS`` words more common in one language than in
    English, twice as many as words more common in English (content words carry it where function
    words are few: 'Schon beim ersten Turnier ... hatte Werth alle wichtigen vier Prüfungen gewonnen').

    >>> foreign_prose("Der Park umfasst 2.600 Quadratkilometer und wird von der Stadt verwaltet.")
    True
    >>> foreign_prose("Schon beim ersten Turnier in Achleiten vor drei Wochen hatte Werth alle Prüfungen gewonnen.")
    True
    >>> foreign_prose("Terminal 2: Alaska (Gates 10 & 11), Great Lakes (Gates C & D), Spirit")
    False
    """
    from detector.text.language import FUNCTION_WORDS

    language = latin_language(line)
    if language == "other":
        return False
    listed = set(_FUNCTION_WORDS[language].split())
    words = re.findall(r"[^\W\d_]+", line.lower())
    own = sum(w in listed for w in words)
    english = sum(w in FUNCTION_WORDS and w not in listed for w in words)
    if own >= MIN_FOREIGN_WORDS and own >= 2 * english:
        return True
    for language in _FUNCTION_WORDS:  # the function words may have named the wrong one ('in' is Italian too)
        own = sum(_zipf(w, language) > _zipf(w, "en") for w in words)
        english = sum(_zipf(w, "en") > _zipf(w, language) for w in words)
        if own >= MIN_FOREIGN_WORDS and own >= 2 * english:
            return True
    return False


@functools.lru_cache(maxsize=65536)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language)


def _match(a: Fact, b: Fact) -> bool:
    if a.kind == "name" or b.kind == "name":
        return a.kind == b.kind and _same_name(next(iter(a.values)), next(iter(b.values)))
    if "weekday" in (a.kind, b.kind) and a.kind != b.kind:
        return False
    for x in a.values:
        for y in b.values:
            if abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0):
                return True
            low, high = min(x, y), max(x, y)
            if 1900 <= high <= 2099 and high == int(high) and low == high % 100:
                return True  # '1992' and '九二', '1980s' and '80年代'
    return False


def _same_name(a: str, b: str) -> bool:
    """The same name, allowing an inflected ending or another spelling ('Chicagem', 'Chicago';
    'Max', 'Maxa'; 'Bishkek', 'Bischkeks')."""
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    if min(len(a), len(b)) == common == 3 and max(len(a), len(b)) <= 5:
        return True
    if common >= 4 and common >= max(len(a), len(b)) - 3:
        return True
    return min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.8


def check_pair(english: str, other: str, language: str, report: frozenset = frozenset(REPORTED)) -> list[Mismatch]:
    """Facts of an English line and the line in ``language`` beside it that have no equal on the
    other side (see the module docstring); ``language`` as :func:`~detector.damage.lines.language_of`
    names it ('chinese', 'japanese', 'cyrillic', 'other' for a Latin-script language...) or a
    wordfreq code ('de', 'fr'...). Only the kinds in ``report`` are returned."""
    if language == "other":
        language = latin_language(other)
    mine, theirs = english_facts(english), other_facts(other, language)
    names_english = _english_names(english, language)
    left, right = _unmatched([f for f in mine], [g for g in theirs if g.kind != "name"])
    right_names = _names_without(([g for g in theirs if g.kind == "name"]), english)
    left_names = _names_without(names_english, other)
    _pair_acronyms(left_names, right_names)
    out: list[Mismatch] = []
    numbers_left = [f for f in left if f.kind == "number"]
    numbers_right = [g for g in right if g.kind == "number"]
    used: set[int] = set()
    for f in numbers_left:
        g = next((g for g in numbers_right if id(g) not in used and f.reportable and g.reportable and _alike(f, g)),
                 None)
        if g is not None:
            used.add(id(g))
            out.append(Mismatch("different number", f, g, "both"))
        elif f.reportable:
            out.append(Mismatch("missing number", f, None, "english"))
    for g in numbers_right:
        if id(g) not in used and g.reportable:
            out.append(Mismatch("missing number", None, g, "other"))
    if language in CJK:  # dates are read on both sides only for Chinese and Japanese lines
        for kind in ("month", "weekday"):
            a = [f for f in left if f.kind == kind]
            b = [g for g in right if g.kind == kind]
            for f, g in zip(a, b):
                out.append(Mismatch("different date", f, g, "both"))
            out += [Mismatch("missing date", f, None, "english") for f in a[len(b) :]]
            out += [Mismatch("missing date", None, g, "other") for g in b[len(a) :]]
    paired: set[int] = set()
    for f in left_names:
        g = next((g for g in right_names if id(g) not in paired and _near(f, g, english, other)
                  and not _alike_names(f.text, g.text)
                  and _strong_english_name(f.text) and _strong_name(g.text, language)), None)
        if g is None:
            out.append(Mismatch("missing name", f, None, "english"))
        else:
            paired.add(id(g))
            out.append(Mismatch("different name", f, g, "both"))
    out += [Mismatch("missing name", None, g, "other") for g in right_names if id(g) not in paired]
    return [m for m in out if m.kind in report]


def _unmatched(left: list[Fact], right: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    """Facts of each side without an equal on the other, matched one to one (a figure the English
    gives twice needs two in the source), except that a number written as a word or a bare numeral
    may stand for several."""
    used: set[int] = set()
    paired: set[int] = set()
    for f in left:
        g = next((g for g in right if id(g) not in used and _match(f, g)), None)
        if g is not None:
            used.add(id(g))
            paired.add(id(f))
    loose_left = [f for f in left if id(f) not in paired and not any(
        _match(f, g) and not (f.reportable and g.reportable) for g in right)]
    loose_right = [g for g in right if id(g) not in used and not any(
        _match(f, g) and not (f.reportable and g.reportable) for f in left)]
    return loose_left, loose_right


def _alike(a: Fact, b: Fact) -> bool:
    """Numbers of the same order of magnitude (a changed figure, not two unrelated ones)."""
    return any(max(x, y) <= 10 * min(x, y) for x in a.values for y in b.values if x > 0 and y > 0)


def _near(a: Fact, b: Fact, english: str, other: str) -> bool:
    """Facts at about the same place in their lines (a quarter of the line either way)."""
    return abs(a.start / max(len(english), 1) - b.start / max(len(other), 1)) <= NEAR


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _alike_names(a: str, b: str) -> bool:
    """Two spellings of one name in two languages ('Brno' and 'Brně', 'Lausanne' and 'Losanna')."""
    a, b = _fold(a), _fold(b)
    return a[:2] == b[:2] or difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.5


@functools.lru_cache(maxsize=65536)
def _strong_english_name(word: str) -> bool:
    """An English word surely a name: an acronym, or no word of the dictionary (nor a word with an
    ending added to one)."""
    if _acronym(word):
        return True
    from detector.lexicon.lexicon import get_lexicon

    lexicon = get_lexicon()
    lower = word.lower()
    forms = {lower[:k] for k in range(max(4, len(lower) - 4), len(lower) + 1)}  # 'Wakefulness': 'wakeful'
    return not any(lexicon.is_lemma(form, pos) for form in forms for pos in "nvar")


@functools.lru_cache(maxsize=65536)
def _strong_name(word: str, language: str) -> bool:
    """A word of another language surely a name: an acronym, or rare as a word of that language."""
    if _acronym(word):
        return True
    from wordfreq import zipf_frequency

    return language not in _WORDFREQ or zipf_frequency(word.lower(), language) < STRONG_NAME_ZIPF


def _pair_acronyms(left: list[Fact], right: list[Fact]) -> None:
    """Drop acronyms the translation rendered as its own ('HIV' and 'VIH', 'WHO' and 'OMS'): an
    unmatched acronym on each side cancels one on the other."""
    a = [f for f in left if _acronym(f.text)]
    b = [g for g in right if _acronym(g.text)]
    for f, g in zip(a, b):
        left.remove(f)
        right.remove(g)


def _names_without(names: list[Fact], line: str) -> list[Fact]:
    """The names with no counterpart among the words of ``line``, one word standing for one name (a
    name given twice on one side needs it twice on the other)."""
    words = [w.lower() for _, w in _name_words(line)]
    used: set[int] = set()
    out = []
    for f in names:
        name = next(iter(f.values))
        k = next((k for k, w in enumerate(words) if k not in used and _same_name(name, w)), None)
        if k is None:
            out.append(f)
        else:
            used.add(k)
    return out


def _name_in(name: str, line: str) -> bool:
    """Whether ``name`` (lower case) is in ``line`` as a word (or part of a hyphenated one)."""
    return any(_same_name(name, w.lower()) for _, w in _name_words(line))


def _english_names(line: str, language: str) -> list[Fact]:
    """Capitalised words of an English line (not opening a sentence, not common English words, not
    nationalities) that a translation into ``language`` would keep; none beside a non-Latin line,
    whose own Latin words are compared instead."""
    if language in NON_LATIN:
        return []
    out = []
    for start, word in _name_words(line):
        lower = word.lower()
        if not word[0].isupper() or _initial(line, start) or lower in _EN_MONTHS or lower in _EN_WEEKDAYS:
            continue
        if not _acronym(word) and (_english_zipf(lower) >= COMMON_ENGLISH or lower.endswith(_NATIONALITY)):
            continue
        out.append(Fact("name", frozenset({lower}), start, start + len(word), word))
    return out


@functools.lru_cache(maxsize=65536)
def _english_zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def pair_lines(text: str) -> list[tuple[Line, Line]]:
    """(English line, line in another language) pairs of a bilingual document: each line in another
    language with the English line next to it (blank lines and repeats skipped) that shares most
    numbers and names with it, else the one before it."""
    lines = [line for line in split_lines(text) if line.language]
    out, seen = [], set()
    for k, line in enumerate(lines):
        if line.language == "english" or (line.language == "other" and _latin_share(line.text) >= 0.5
                                          and not foreign_prose(line.text)):
            continue
        key = " ".join(line.text.split())
        if key in seen:
            continue
        seen.add(key)
        before = next((lines[j] for j in range(k - 1, max(k - 4, -1), -1) if lines[j].language == "english"), None)
        after = next((lines[j] for j in range(k + 1, min(k + 4, len(lines))) if lines[j].language == "english"),
                     None)
        candidates = [c for c in (before, after) if c is not None]
        if not candidates:
            continue
        best = max(candidates, key=lambda c: (_shared(c.text, line.text, line.language), c is before))
        out.append((best, line))
    return out


def _shared(english: str, other: str, language: str) -> int:
    theirs = other_facts(other, latin_language(other) if language == "other" else language)
    return sum(any(_match(f, g) for g in theirs) for f in english_facts(english))


def bilingual_damage(text: str) -> dict:
    """The ``translation_mismatch`` entry: ``{"score", "pairs", "spans"}``, a span for each fact of
    one side with no equal on the other (on the English side when it has one, else on the other
    line), with the reason and the counterpart's offsets (``other``)."""
    spans = []
    pairs = pair_lines(text)
    for english, other in pairs:
        for found in check_pair(english.text, other.text, other.language):
            fact = found.english or found.other
            base = english.start if found.english else other.start
            score = 0.9 if found.kind.startswith("different") else 0.6
            span = {"start": base + fact.start, "end": base + fact.end, "text": fact.text, "score": score,
                    "reasons": [found.reason(other.language)]}
            if found.english and found.other:
                span["other"] = {"start": other.start + found.other.start, "end": other.start + found.other.end,
                                 "text": found.other.text}
            spans.append(span)
    spans.sort(key=lambda s: s["start"])
    return {"score": max((s["score"] for s in spans), default=0.0), "pairs": len(pairs), "spans": spans}
