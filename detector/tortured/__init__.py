"""Tortured phrases: synonyms swapped into terms of art ("counterfeit consciousness" for "artificial intelligence").

Takes text and gives findings: known phrases of the Problematic Paper Screener's list
(:mod:`~detector.tortured.phrases`, found by :mod:`~detector.tortured.match` with the list's
guards, :mod:`~detector.tortured.guards`; cleaned by :mod:`~detector.tortured.clean`) and probable
new ones (:mod:`~detector.tortured.novel`). Open :mod:`detector.tortured.screen` first: it runs
both and gives the report and the verdict that :mod:`detector.analysis` adds to a score.
"""
