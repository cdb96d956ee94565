"""What people see: terminal output, HTML, the teaching demo and the local web page.

Takes results of the other stages and gives text for a terminal (:mod:`~detector.present.render`,
:mod:`~detector.present.report`), HTML with every user text escaped (:mod:`~detector.present.html`),
the four-step terminal walk-through (:mod:`~detector.present.demo`), ``detector serve``
(:mod:`~detector.present.serve` with ``static/``) and ``detector trace``'s family trees, in a
terminal (:mod:`~detector.present.trace_text`) and as a page with every edge side by side
(:mod:`~detector.present.trace_html`). Open :mod:`detector.present.report` first.
"""
