"""Reading a paper's text out of a PDF, with its pages, and one-line errors for PDFs that cannot be read.

>>> from detector.papers.testing import simple_pdf
>>> pages = read_pdf_pages(simple_pdf(["Deep learning works.", "Page two text."]), "x.pdf")
>>> [p.strip() for p in pages]
['Deep learning works.', 'Page two text.']
>>> read_pdf_pages(b"%PDF-1.4 broken", "bad.pdf")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
detector.errors.InputError: bad.pdf is not a readable PDF (...)

The library is pypdfium2 (Google's PDFium, the engine of Chrome's PDF viewer, in a prebuilt wheel:
Apache-2.0 / BSD-3-Clause, about 3 MB, no compiler). Compared with pypdf on papers printed from
PLOS articles (``benchmarks/tortured.py``, the PDF table): both give the columns in reading order,
but PDFium expands ligatures ("ﬁ" -> "fi"), marks the hyphens it knows are line-end hyphenation
(U+FFFE; joined here) so that words broken across lines come back whole, keeps single spaces in
justified lines, and is several times faster; pypdf (pure Python) leaves ligature glyphs and
double spaces and cannot tell a line-end hyphen from a real one.

Errors (each an :class:`~detector.errors.InputError`, one line): not a PDF, broken,
encrypted (a password is needed), too many pages (``MAX_PAGES``), no text layer (a scanned paper:
run OCR first).
"""

from __future__ import annotations

import re
import unicodedata

from detector.errors import InputError

MAX_PAGES = 500  # a longer PDF is a book or a proceedings volume, not a paper
MIN_CHARS_PER_PAGE = 10  # less text than this on average: a scan without a text layer (or only a stamp)
_SOFT = "\ufffe"  # PDFium's mark for a hyphen it knows is line-end hyphenation


def is_pdf(data: bytes) -> bool:
    """Whether bytes are a PDF (its header within the first kilobyte, as readers accept).

    >>> is_pdf(b"%PDF-1.7 ..."), is_pdf(b"plain text")
    (True, False)
    """
    return b"%PDF-" in data[:1024]


def read_pdf_pages(data: bytes, name: str, max_pages: int = MAX_PAGES) -> list[str]:
    """The text of each page, in reading order, ligatures expanded and line-end hyphenation joined."""
    import pypdfium2 as pdfium

    if not is_pdf(data):
        raise InputError(f"{name} is not a PDF (no %PDF header)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        message = str(err)
        if "password" in message.lower():
            raise InputError(f"{name} is encrypted: it needs a password (decrypt it first, e.g. qpdf --decrypt)") \
                from err
        raise InputError(f"{name} is not a readable PDF ({message.split(': ', 1)[-1].strip() or 'damaged'})") from err
    try:
        n = len(document)
        if n == 0:
            raise InputError(f"{name} has no pages")
        if n > max_pages:
            raise InputError(f"{name} has {n} pages, over the {max_pages}-page limit for a paper")
        pages = []
        for i in range(n):
            page = document[i]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(clean_page(textpage.get_text_range()))
                finally:
                    textpage.close()
            finally:
                page.close()
    except pdfium.PdfiumError as err:
        raise InputError(f"{name} is not a readable PDF ({err})") from err
    finally:
        document.close()
    if sum(len(p.strip()) for p in pages) < MIN_CHARS_PER_PAGE * n:
        raise InputError(f"{name} has no text layer (a scanned paper?): run OCR first, e.g. ocrmypdf {name} out.pdf")
    return pages


def clean_page(text: str) -> str:
    """One page's text as PDFium gives it: line ends unified, ligatures and other compatibility
    characters expanded (NFKC), line-end hyphenation joined, control characters dropped.

    >>> clean_page("the decla\\ufffe\\r\\nration of e\\ufb03cacy")
    'the declaration of efficacy'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(_SOFT + r"\s*\n?", "", text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
