"""How the trace benchmark derives one document from another: reformatting, sentence-level rewriting, summarising.

>>> import random
>>> because_first("The shares fell in March because demand was weak.")
'Because demand was weak, the shares fell in March.'
>>> reported_speech('"We will not sell," Smith said.')
'Smith said that they would not sell.'
>>> merge_sentences("Prices rose 5 pct.", "The bank said it was pleased.")
'Prices rose 5 pct, and the bank said it was pleased.'

Every function is deterministic (a ``random.Random`` is passed in where a choice is made) and keeps
the facts a tracer relies on: names (capitalised words) and numbers are never dropped or changed,
only moved, joined or split. Used by ``benchmarks/trace_families.py``; spinning and round trips
through machine translation live there.
"""

from __future__ import annotations

import functools
import random
import re

# sentence-initial words that may be lowercased when a clause moves (not names)
LOWERABLE = frozenset(
    "the a an it its this that these those they he she we i there in on at for after before when while "
    "as but and so some many most all his her their our one two three analysts officials last earlier during by "
    "since before".split())
INTENSIFIERS = frozenset("very also really quite just even".split())
NOT_ADVERBS = frozenset(
    "only early likely daily weekly monthly quarterly yearly family fully july italy reply apply supply "
    "rely ally holy ugly jelly belly bully lovely friendly elderly unlikely costly timely orderly "
    "assembly anomaly italy poly nearly hardly".split())
PASSIVE_VERBS = {"acquired": "acquired", "bought": "bought", "approved": "approved", "announced": "announced",
                 "rejected": "rejected", "reported": "reported", "launched": "launched", "signed": "signed",
                 "sold": "sold", "raised": "raised", "cut": "cut", "lowered": "lowered", "completed": "completed",
                 "published": "published", "found": "found", "made": "made", "built": "built"}
BOILERPLATE = ("Copyright {year}. All rights reserved.", "Share this article:", "Originally published {year}.",
               "Click here to read more.", "(c) {year} The Editors", "Follow us for more stories like this.")
_NUM = re.compile(r"\d")


@functools.lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph (pysbd), stripped.

    >>> sentences("It rose. It fell again.")
    ['It rose.', 'It fell again.']
    """
    return [s.strip() for s in _segmenter().segment(paragraph) if s.strip()]


def paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (lines), each as its sentences."""
    return [sentences(p) for p in text.split("\n") if p.strip()]


def join(paras: list[list[str]]) -> str:
    return "\n".join(" ".join(p) for p in paras if p)


def _lower_first(s: str) -> str:
    word = s.split(" ", 1)[0]
    return s[0].lower() + s[1:] if word.lower().strip(",") in LOWERABLE and word != "I" else s


def _upper_first(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def _end(s: str) -> tuple[str, str]:
    """(body, final punctuation)."""
    m = re.search(r"[.!?]+[\"'”’)]*$", s)
    return (s[: m.start()], s[m.start():]) if m else (s, "")


# ---- sentence-level rewrites ----------------------------------------------------------------------

def because_first(s: str) -> str | None:
    """'X because Y.' -> 'Because Y, x.' (also while, although, after, since, when); None if not applicable."""
    body, end = _end(s)
    m = re.match(r"^(.{12,}?),? (because|while|although|after|since|when|as soon as) ([^,;\"“]{8,})$", body)
    if not m or end != ".":
        return None
    main, conj, sub = m.groups()
    return f"{_upper_first(conj)} {sub}, {_lower_first(main)}{end}"


def clause_first(s: str) -> str | None:
    """'X, because Y.' reversed, or a leading adverbial moved to the end: 'In 1987, X.' -> 'X in 1987.'"""
    body, end = _end(s)
    m = re.match(r"^(In|On|At|During|After|Before|Since|By|Last|This|Earlier) ([^,]{3,40}), (.{15,})$", body)
    if not m or end != "." or '"' in body or "“" in body:
        return None
    head, rest, main = m.groups()
    return f"{_upper_first(main)} {_lower_first(head + ' ')}{rest}{end}".replace("  ", " ")


def split_sentence(s: str) -> list[str] | None:
    """'A, and B.' / 'A; B.' / 'A, but B.' -> two sentences."""
    body, end = _end(s)
    if '"' in body or "“" in body:
        return None
    m = re.match(r"^(.{25,}?)(?:, and |; |, but |, while )(.{20,})$", body)
    if not m or end != ".":
        return None
    first, second = m.groups()
    lead = "But " if ", but " in body[len(first): len(first) + 6] else ""
    second = _upper_first(second) if not lead else second
    return [first + ".", lead + second + end]


def merge_sentences(a: str, b: str) -> str | None:
    """Two short sentences -> one joined with ', and '."""
    body_a, end_a = _end(a)
    if end_a != "." or len((a + b).split()) > 45 or not b:
        return None
    return f"{body_a}, and {_lower_first(b)}"


def reported_speech(s: str) -> str | None:
    """'"We will ...," X said.' -> 'X said that they would ...'; 'X said Y.' -> 'According to X, Y.'"""
    m = re.match(r'^["“](.{10,}?),["”] (\w+(?: \w+){0,3}) said\.$', s)
    if m:
        quote, who = m.groups()
        quote = re.sub(r"\bWe\b", "they", quote)
        quote = re.sub(r"\bwe\b", "they", quote)
        quote = re.sub(r"\bwill\b", "would", quote)
        quote = re.sub(r"\bour\b", "their", quote)
        return f"{who} said that {_lower_first(quote)}."
    m = re.match(r"^((?:The |A )?[A-Z][\w-]*(?: [A-Z][\w-]*){0,3}) said (?:that )?(.{15,})$", s)
    if m and '"' not in s and "“" not in s:
        who, rest = m.groups()
        return f"According to {_lower_first(who)}, {rest}"
    return None


def said_first(s: str) -> str | None:
    """'Prices will rise, the officials said.' -> 'The officials said that prices will rise.'

    >>> said_first("The prices will rise next year, Finance Ministry officials said.")
    'Finance Ministry officials said that the prices will rise next year.'
    """
    m = re.match(r"^([^\"“”]{20,}), ((?:the |a |an )?[\w.' -]{2,50}?) (said|says|told reporters|added)\.$", s)
    if not m:
        return None
    what, who, verb = m.groups()
    verb = "said" if verb == "added" else verb
    return f"{_upper_first(who)} {verb} that {_lower_first(what)}."


def said_last(s: str) -> str | None:
    """'The officials said prices will rise.' -> 'Prices will rise, the officials said.'

    >>> said_last("Finance Ministry officials said that the prices will rise next year.")
    'The prices will rise next year, Finance Ministry officials said.'
    """
    m = re.match(r"^((?:The |A )?[A-Z][\w.'-]*(?: [\w.'-]+){0,4}?) said (?:that |on \w+ that )?(.{20,})\.$", s)
    if not m or '"' in s or "“" in s or " said " in m.group(2):
        return None
    who, what = m.groups()
    return f"{_upper_first(what)}, {_lower_first(who)} said."


TIMES = (r"(?:on |last |this |next |early |late |in )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
         r"January|February|March|April|May|June|July|August|September|October|November|December|week|month|"
         r"year|quarter|(?:19|20)\d\d)(?: \d{4})?")


def time_first(s: str) -> str | None:
    """A trailing time moved to the front: 'Sales rose 5 pct last year.' -> 'Last year, sales rose 5 pct.'

    >>> time_first("The shares rose 5 pct in March.")
    'In March, the shares rose 5 pct.'
    """
    body, end = _end(s)
    m = re.match(rf"^(.{{15,}}?) ({TIMES})$", body)
    if not m or end != "." or '"' in body or "“" in body or "," in m.group(1)[-3:]:
        return None
    main, when = m.groups()
    return f"{_upper_first(when)}, {_lower_first(main)}{end}"


def split_long(s: str) -> list[str] | None:
    """A long sentence split at ' and the / and it / and its / and he / and she / and they'."""
    body, end = _end(s)
    if len(body.split()) < 22 or end != "." or '"' in body or "“" in body:
        return None
    m = re.search(r",? and (the|it|its|he|she|they|this|their|a) ", body)
    if not m or m.start() < 40 or len(body) - m.end() < 40:
        return None
    return [body[: m.start()] + ".", _upper_first(m.group(1)) + " " + body[m.end():] + end]


def passive(s: str) -> str | None:
    """'Acme Corp acquired the rival unit.' -> 'The rival unit was acquired by Acme Corp.'"""
    m = re.match(r"^((?:The )?[A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3}) (\w+) ((?:the|a|an|its|their) [^,;\"]{3,60})\.$", s)
    if not m or m.group(2) not in PASSIVE_VERBS:
        return None
    who, verb, what = m.groups()
    aux = "were" if what.split()[-1].endswith("s") and not what.split()[-1].endswith("ss") else "was"
    return f"{_upper_first(what)} {aux} {PASSIVE_VERBS[verb]} by {_lower_first(who)}."


def drop_modifiers(s: str, rng: random.Random, share: float = 0.7) -> str:
    """Drop intensifiers and -ly adverbs (lowercase words only: names stay)."""
    def keep(word: str) -> bool:
        w = word.strip(",;:")
        low = w.lower()
        if w != low or word != w or rng.random() > share:
            return True
        if low in INTENSIFIERS:
            return False
        return not (low.endswith("ly") and len(low) > 5 and low not in NOT_ADVERBS)
    words = s.split(" ")
    kept = [w for i, w in enumerate(words) if i == 0 or i == len(words) - 1 or keep(w)]
    return " ".join(kept)


def drop_clause(s: str) -> str:
    """Drop a trailing or parenthetical ', which ...' / ', who ...' / '(...)' clause without numbers or names."""
    body, end = _end(s)
    for pattern in (r"\s*\([^()]{3,80}\)", r", (?:which|who|where) [^,]{5,80}(?:,|$)"):
        for m in re.finditer(pattern, body):
            part = m.group(0)
            if not _NUM.search(part) and not re.search(r"(?<!^)\b[A-Z]", part.strip(" ,(")):
                return body[: m.start()] + body[m.end():] + end
    return s


OPERATIONS = (("reported", reported_speech), ("said-first", said_first), ("said-last", said_last),
              ("passive", passive), ("because", because_first), ("front", clause_first), ("time-first", time_first))


def rewrite_sentences(text: str, rng: random.Random, paraphrase=None, strength: float = 0.6) -> tuple[str, list[str]]:
    """Restructure ``text`` sentence by sentence; returns the rewrite and the operations used.

    ``paraphrase`` (optional) is a function sentence -> sentence (a phrase-thesaurus spinner at a low
    rate); ``strength`` sets how often modifiers are dropped and sentences paraphrased; merges, splits and moved
    clauses are tried on every sentence.
    """
    ops: list[str] = []
    out: list[list[str]] = []
    for para in paragraphs(text):
        new: list[str] = []
        i = 0
        while i < len(para):
            s = para[i]
            choice = rng.random()
            if choice < 0.3 and i + 1 < len(para) and (m := merge_sentences(s, para[i + 1])):
                new.append(m)
                ops.append("merge")
                i += 2
                continue
            if choice < 0.65 and (parts := split_sentence(s) or split_long(s)):
                new += parts
                ops.append("split")
                i += 1
                continue
            ops_here = list(OPERATIONS)
            rng.shuffle(ops_here)
            for name, op in ops_here:
                if rng.random() < 0.9 and (r := op(s)):
                    s = r
                    ops.append(name)
                    break
            if rng.random() < strength:
                t = drop_modifiers(s, rng)
                if t != s:
                    ops.append("drop-modifiers")
                    s = t
            if paraphrase is not None and rng.random() < strength:
                t = paraphrase(s)
                if t != s:
                    ops.append("paraphrase")
                    s = t
            new.append(s)
            i += 1
        out.append(new)
    return join(out), ops


def summarise(text: str, rng: random.Random, share: tuple[float, float] = (0.2, 0.5), reword=None) -> tuple[str, str]:
    """A subset of 20-50% of the sentences, in order (the first always), lightly reworded: a dropped
    clause here and there and ``reword`` (sentence -> sentence, e.g. a spinner at a low rate) on some.
    Returns (summary, how)."""
    sents = [s for p in paragraphs(text) for s in p]
    if len(sents) < 3:
        return " ".join(sents), "too short: whole text"
    k = max(2, round(len(sents) * rng.uniform(*share)))
    chosen = sorted([0] + rng.sample(range(1, len(sents)), min(k - 1, len(sents) - 1)))
    out, dropped, reworded = [], 0, 0
    for i in chosen:
        s = sents[i]
        if rng.random() < 0.3:
            t = drop_clause(s)
            dropped += t != s
            s = t
        if reword is not None and rng.random() < 0.5:
            t = reword(s)
            reworded += t != s
            s = t
        out.append(s)
    # one or two paragraphs
    cut = rng.randrange(1, len(out)) if len(out) > 3 and rng.random() < 0.5 else len(out)
    text_out = " ".join(out[:cut]) + ("\n" + " ".join(out[cut:]) if cut < len(out) else "")
    return text_out, f"{len(chosen)} of {len(sents)} sentences, {dropped} clauses dropped, {reworded} reworded"


# ---- duplicates -------------------------------------------------------------------------------------

def straight_quotes(text: str) -> str:
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


def curly_quotes(text: str) -> str:
    text = re.sub(r'(^|[\s(\[])"', "\\1“", text)
    text = text.replace('"', "”")
    text = re.sub(r"(^|[\s(\[])'", "\\1‘", text)
    return text.replace("'", "’")


def wrap(text: str, width: int) -> str:
    """Hard line breaks at ``width`` columns, paragraphs separated by a blank line."""
    out = []
    for para in text.split("\n"):
        line, lines = "", []
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def reformat(text: str, rng: random.Random) -> tuple[str, str]:
    """The same text, reformatted: quotes, whitespace, line breaks, a boilerplate line. Returns (text, how)."""
    how = []
    if rng.random() < 0.5:
        text = straight_quotes(text) if "“" in text or "’" in text else curly_quotes(text)
        how.append("quotes")
    r = rng.random()
    if r < 0.35:
        width = rng.choice((60, 72, 80))
        text = wrap(text, width)
        how.append(f"wrapped at {width}")
    elif r < 0.6:
        text = "\n\n".join(p.strip() for p in text.split("\n") if p.strip())
        how.append("blank lines")
    elif r < 0.8:
        text = re.sub(r"([.!?]) (?=[A-Z])", lambda m: m.group(1) + rng.choice(("  ", " ", "\t")), text)
        how.append("spaces")
    if rng.random() < 0.7 or not how:
        line = rng.choice(BOILERPLATE).format(year=rng.randrange(2005, 2024))
        text = text + "\n\n" + line if rng.random() < 0.6 else line + "\n\n" + text
        how.append("boilerplate")
    return text, ", ".join(how)


def facts(text: str) -> tuple[list[str], list[str]]:
    """The numbers and the capitalised non-initial words of ``text`` (what a rewrite must keep).

    >>> facts("In 1987, Acme sold 5 units to Bolt Inc.")
    (['1987', '5'], ['Acme', 'Bolt', 'Inc'])
    """
    numbers = re.findall(r"\d+(?:[.,]\d+)*", text)
    names = []
    for para in paragraphs(text):
        for s in para:
            words = re.findall(r"[A-Za-z][\w'-]*", s)
            names += [w for w in words[1:] if w[0].isupper() and w.lower() not in LOWERABLE and w != "I"]
    return numbers, names
