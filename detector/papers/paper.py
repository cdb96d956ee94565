"""A paper's body: running headers and footers, front matter and references set apart, pages and sections kept.

>>> from detector.papers.testing import simple_pdf
>>> first = "A Study of Things\\nA. Author, University of Somewhere\\nAbstract\\nWe study things with care."
>>> second = "1. Introduction\\nThings matter a great deal.\\nReferences\\n1. Smith J. Things. 2010."
>>> paper = read_paper(simple_pdf([first, second]), "study.pdf")
>>> print(paper.text)
Abstract
We study things with care.
<BLANKLINE>
1. Introduction
Things matter a great deal.
>>> paper.locate(paper.text.index("Things")), paper.left_out
({'page': 2, 'section': '1. Introduction'}, {'front matter': 9, 'References': 5})

What is scored is the *body*: from the abstract (or the first section heading) to the reference
list, without the sections that are not the authors' prose about their work (references,
acknowledgements, author contributions, funding, competing interests, data availability,
supporting information). Front matter (title, authors, affiliations) and those sections are
counted in ``left_out`` (words). Lines repeated at the top or bottom of most pages (running
headers and footers: journal name, DOI, page numbers) are dropped. A heading is a short line that
names a known section ("Results", "Materials and methods") or carries a section number ("3.2 Data
collection", "IV. EXPERIMENTS"). Lines join into paragraphs; a short line ending a sentence ends
one. A PDF with no heading at all is scored whole.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from detector.papers.pdf import MAX_PAGES, read_pdf_pages

KNOWN = {"abstract", "summary", "introduction", "background", "related work", "literature review", "method", "methods",
         "methodology", "materials and methods", "material and methods", "methods and materials", "experimental",
         "experiments", "experimental setup", "experimental results", "results", "findings", "discussion",
         "results and discussion", "conclusion", "conclusions", "conclusion and future work", "future work",
         "limitations", "proposed method", "proposed system", "system model", "problem statement", "evaluation",
         "case study", "analysis", "overview", "acknowledgments", "acknowledgements", "acknowledgment",
         "acknowledgement", "references", "bibliography", "literature cited", "works cited", "author contributions",
         "funding", "funding statement", "competing interests", "conflict of interest", "conflicts of interest",
         "declaration of competing interest", "data availability", "data availability statement",
         "supporting information", "supplementary material", "abbreviations", "ethics statement", "appendix",
         "keywords", "author summary", "significance", "index terms"}
NOT_BODY = ("references", "bibliography", "literature cited", "works cited", "acknowledg", "author contributions",
            "funding", "competing interests", "conflict", "declaration of", "data availability",
            "supporting information", "supplementary material", "abbreviations", "keywords", "index terms")
_NUMBER = r"(?:(?:[1-9]|1\d|20)(?:\.\d{1,2})*\.?|[IVXL]+\.|[A-H]\.)"  # sections 1 to 20, I., A.
_HEADING = re.compile(rf"^(?:(?P<num>{_NUMBER})\s+)?(?P<title>[A-Z][A-Za-z][\w ,:&'()/-]{{0,70}})$")
_INLINE = re.compile(r"^(?P<title>Abstract|ABSTRACT|Summary)\s*[:.\u2014\u2013-]\s*(?P<rest>\S.*)$")
_OPEN_ENDS = {"a", "an", "the", "of", "in", "on", "and", "or", "for", "to", "with", "by", "is", "are", "was", "were",
              "be", "that", "as", "at", "from"}  # a line ending in one of these runs on: not a title
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_END = re.compile(r"[.!?:;)\]\"'\u201d]$")


@dataclass
class Paper:
    """A paper read from PDF: the body ``text`` to score, where each part of it came from."""

    name: str
    pages: int
    text: str
    marks: list[tuple[int, int, str]] = field(default_factory=list)  # (offset in text, page, section)
    left_out: dict[str, int] = field(default_factory=dict)  # section (or "front matter") -> words
    words: int = 0  # words in the whole PDF (after headers and footers)

    def locate(self, offset: int) -> dict:
        """The page and section of a character offset of ``text``."""
        if not self.marks:
            return {"page": None, "section": None}
        i = max(bisect.bisect_right([m[0] for m in self.marks], offset) - 1, 0)
        return {"page": self.marks[i][1], "section": self.marks[i][2] or None}

    def to_dict(self) -> dict:
        return {"pages": self.pages, "words": self.words, "body_words": len(self.text.split()),
                "left_out": self.left_out}


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def running_lines(pages: list[list[str]], edge: int = 3) -> set[str]:
    """Shapes (digits as #) of lines at the top or bottom ``edge`` lines of at least half the pages
    (two pages at least): running headers and footers.

    >>> sorted(running_lines([["Journal X 12", "text a", "p 1"], ["Journal X 13", "text b", "p 2"]]))
    ['journal x #', 'p #']
    """
    if len(pages) < 2:
        return set()
    seen: Counter = Counter()
    for lines in pages:
        edges = {_shape(x) for x in lines[:edge] + lines[-edge:] if x.strip()}
        seen.update(edges)
    need = max(2, (len(pages) + 1) // 2)
    return {shape for shape, n in seen.items() if n >= need}


def heading(line: str) -> str | None:
    """The section title a line is, or None.

    >>> heading("3.2 Data collection"), heading("RESULTS"), heading("IV. EXPERIMENTS"), heading("The results are good.")
    ('3.2 Data collection', 'RESULTS', 'IV. EXPERIMENTS', None)
    """
    line = line.strip()
    m = _HEADING.match(line)
    if not m or len(line.split()) > 10 or line.endswith((".", ",")) and not m.group("num"):
        return None
    title = m.group("title").strip().rstrip(":")
    known = title.lower() in KNOWN
    if m.group("num"):  # a numbered title: no comma (author lists: "A. Author, University of ...")
        ok = (known or title[:1].isupper()) and "," not in title and not re.search(r"\d{3,}", title) \
            and title.split()[-1].lower() not in _OPEN_ENDS
        return line.rstrip(":") if ok else None
    return line.rstrip(":") if known else None


def _not_body(title: str) -> bool:
    t = re.sub(rf"^{_NUMBER}\s+", "", title).lower()
    return t.startswith(NOT_BODY)


def read_paper(data: bytes, name: str, max_pages: int = MAX_PAGES) -> Paper:
    """Read a PDF (bytes) into its body and where each part came from (see the module docstring)."""
    pages = [p.split("\n") for p in read_pdf_pages(data, name, max_pages)]
    return paper_from_pages(pages, name)


def paper_from_pages(pages: list[list[str]], name: str = "paper") -> Paper:
    """The body of a paper given as the lines of each page."""
    running = running_lines(pages)
    lines: list[tuple[int, str]] = []  # (page, line)
    for number, page in enumerate(pages, 1):
        for i, line in enumerate(page):
            text = line.strip()
            if not text:
                continue
            near_edge = i < 3 or i >= len(page) - 3
            if near_edge and (_shape(text) in running or _PAGE_NUMBER.match(text)):
                continue
            lines.append((number, text))
    words = sum(len(t.split()) for _, t in lines)
    # split into sections at headings
    sections: list[tuple[str | None, list[tuple[int, str]]]] = [(None, [])]
    for page, text in lines:
        inline = _INLINE.match(text)
        if inline:
            sections.append((inline.group("title"), [(page, inline.group("rest"))]))
            continue
        title = heading(text)
        if title is not None:
            sections.append((title, []))
        else:
            sections[-1][1].append((page, text))
    found_heading = len(sections) > 1
    left_out: dict[str, int] = {}
    body: list[tuple[str | None, list[tuple[int, str]]]] = []
    for k, (title, content) in enumerate(sections):
        n = sum(len(t.split()) for _, t in content)
        if k == 0 and found_heading:
            if n:
                left_out["front matter"] = n
            continue
        if title is not None and _not_body(title):
            left_out[title] = left_out.get(title, 0) + n
            continue
        body.append((title, content))
    widths = sorted(len(t) for _, content in body for _, t in content)
    typical = widths[len(widths) // 2] if widths else 80
    text, marks = [], []
    offset = 0
    for title, content in body:
        if text:
            text.append("\n\n")
            offset += 2
        if title is not None:
            marks.append((offset, content[0][0] if content else 1, title))
            text.append(title + "\n")
            offset += len(title) + 1
        for j, (page, line) in enumerate(content):
            if not marks or marks[-1][1] != page:
                marks.append((offset, page, title or ""))
            text.append(line)
            offset += len(line)
            if j + 1 < len(content):
                ends = _END.search(line) and len(line) < 0.8 * typical
                sep = "\n" if ends else ("" if line.endswith("-") and content[j + 1][1][:1].islower() else " ")
                text.append(sep)
                offset += len(sep)
    return Paper(name, len(pages), "".join(text), marks, left_out, words)
