"""Papers as input: a PDF's text, pages and body.

Takes PDF bytes and gives a :class:`~detector.papers.paper.Paper` (the body text to score, the page
and section of each part, what was left out) or a one-line :class:`~detector.errors.InputError`.
Open :mod:`detector.papers.paper` first; :mod:`~detector.papers.pdf` reads the text with pypdfium2
and :mod:`~detector.papers.testing` writes small PDFs for tests.
"""
