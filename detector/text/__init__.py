"""Text in: tokens with offsets, the is-this-English check, and reading files safely.

Every stage starts here. It takes raw bytes or strings and gives :class:`~detector.text.tokenize.Token`
objects whose ``[start, end)`` index the input, a language profile (:mod:`detector.text.language`),
and decoded text or one clear :class:`~detector.errors.InputError` (:mod:`detector.text.inputs`).
Open :mod:`detector.text.tokenize` first.
"""
