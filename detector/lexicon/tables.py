"""Lookup tables the detector scores with: vocabulary, per-word facts, candidate originals, bigrams.

>>> from detector.lexicon.tables import Vocabulary
>>> vocab = Vocabulary(["<num>", "<unk>", "phone", "number"])
>>> vocab.id("Phone"), vocab.id("zzz"), vocab.id("42")
(2, 1, 0)

Built once by :func:`build_tables` (from the lexicon, the thesauri and a corpus of clean text)
and saved inside a model folder as ``tables.npz`` (numpy arrays only, loaded with
``allow_pickle=False``: no code runs when a model loads).

* ``words``: the vocabulary; a word's id is its index. Ids 0 and 1 are ``<num>`` and ``<unk>``.
* ``zipf``: each word's wordfreq Zipf frequency.
* ``cand_ptr`` / ``cand_ids``: for each word, the words a spinner may have replaced with it (its
  *candidate originals*): WordNet synonyms and near relations, both directions of the phrase
  table, inflected like the word (most frequent first, at most ``MAX_CANDIDATES``), then its
  distributional neighbours in the news corpus (:mod:`detector.lexicon.neighbours`).
* ``{source}_keys`` / ``{source}_vals``: bigram keys ``first_id * V + second_id`` (in the order
  :class:`~detector.lexicon.hashtable.IntHashTable` builds from without sorting) with log10(1 + count),
  one pair of arrays per source (``web``: the symspellpy list, drawn from Google's web n-gram
  counts; ``news``: the clean training corpus).
* ``phrase_keys`` / ``phrase_ptr`` / ``phrase_ids``: two-word phrases a spinner may have put in
  place of one word ("chinese language" for "chinese"), with their candidate originals.
* ``news_unigrams``, ``trigram_keys`` / ``trigram_vals``: unigram and trigram counts of the
  clean training corpus, on the same log scale.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ModelError
from detector.lexicon.hashtable import IntHashTable
from detector.lexicon.lexicon import Lexicon
from detector.lexicon.thesaurus import STOPWORDS, TableThesaurus, WordNetThesaurus, builtin_table_path, read_table
from detector.text.tokenize import token_texts

NUM, UNK = 0, 1
BOUNDARY = -1
MAX_CANDIDATES = 12
SOURCES = ("web", "news")
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'"})
_WORDLIKE = re.compile(r"[^\W\d_]")


class Vocabulary:
    """Word <-> id. Numbers map to ``NUM``, unknown words to ``UNK``, anything else to ``BOUNDARY``."""

    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.words)

    def id(self, token: str) -> int:
        found = self.index.get(token.translate(_APOS).lower())
        if found is not None:
            return found
        return self.classify(token)

    @staticmethod
    def classify(token: str) -> int:
        """Id of a token missing from the vocabulary: NUM, UNK (a word) or BOUNDARY (anything else)."""
        if token[0].isdigit() or (token[0] in "+-" and len(token) > 1 and token[1].isdigit()):
            return NUM
        return UNK if _WORDLIKE.match(token) else BOUNDARY

    def ids(self, tokens: list[str]) -> list[int]:
        """Ids of already lower-cased, apostrophe-folded tokens (the hot path)."""
        get = self.index.get
        out = [get(t, -9) for t in tokens]
        for i, v in enumerate(out):
            if v == -9:
                out[i] = self.classify(tokens[i])
        return out


@dataclass
class Tables:
    vocab: Vocabulary
    zipf: np.ndarray
    stop: np.ndarray
    cand_ptr: np.ndarray
    cand_ids: np.ndarray
    bigrams: dict[str, tuple[np.ndarray, np.ndarray]]
    news_unigrams: np.ndarray  # log10(1 + count) of each word in the news corpus
    trigrams: tuple[np.ndarray, np.ndarray]  # news trigram keys (a * V + b) * V + c and log10 counts
    phrases: tuple[np.ndarray, np.ndarray, np.ndarray]  # two-word phrase keys a * V + b, ptr, original ids
    in_degree: np.ndarray  # log(1 + number of words the thesauri may replace with this word)

    def __post_init__(self) -> None:
        # hash tables for the hot path, built from the sorted arrays (which are what is saved)
        self._hashed = {source: IntHashTable(*table) for source, table in self.bigrams.items()}
        self._hashed["trigrams"] = IntHashTable(*self.trigrams)
        # words that take "an" (for article slips); "uni..."/"one" take "a" despite the vowel
        self.starts_with_vowel = np.array(
            [w[:1] in "aeiou" and not w.startswith(("uni", "use", "eu", "one", "ur")) for w in self.vocab.words],
            dtype=bool)

    def candidates(self, word_id: int) -> np.ndarray:
        return self.cand_ids[self.cand_ptr[word_id] : self.cand_ptr[word_id + 1]]

    def bigram(self, source: str, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """log10 counts of the bigrams (first[i], second[i]); 0 where unlisted or at a boundary."""
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        valid = (first >= 0) & (second >= 0)
        return np.where(valid, self._hashed[source].get(np.where(valid, first * len(self.vocab) + second, 0)), 0)

    def trigram(self, first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
        """log10 counts of news trigrams; 0 where unlisted or at a boundary."""
        a, b, c = (np.asarray(x, dtype=np.int64) for x in (first, second, third))
        V = len(self.vocab)
        valid = (a >= 0) & (b >= 0) & (c >= 0)
        return np.where(valid, self._hashed["trigrams"].get(np.where(valid, (a * V + b) * V + c, 0)), 0)

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        blob = np.frombuffer("\n".join(self.vocab.words).encode("utf-8"), dtype=np.uint8)
        arrays = {"words": blob, "zipf": self.zipf, "stop": self.stop, "cand_ptr": self.cand_ptr,
                  "cand_ids": self.cand_ids}
        for source, (keys, vals) in self.bigrams.items():
            arrays[f"{source}_keys"] = keys
            arrays[f"{source}_vals"] = vals
        arrays["news_unigrams"] = self.news_unigrams
        arrays["trigram_keys"], arrays["trigram_vals"] = self.trigrams
        arrays["phrase_keys"], arrays["phrase_ptr"], arrays["phrase_ids"] = self.phrases
        arrays["in_degree"] = self.in_degree
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> Tables:
        try:
            with np.load(path, allow_pickle=False) as data:
                words = data["words"].tobytes().decode("utf-8").split("\n")
                bigrams = {s: (data[f"{s}_keys"], data[f"{s}_vals"]) for s in SOURCES if f"{s}_keys" in data}
                return cls(Vocabulary(words), data["zipf"], data["stop"], data["cand_ptr"], data["cand_ids"],
                           bigrams, data["news_unigrams"], (data["trigram_keys"], data["trigram_vals"]),
                           (data["phrase_keys"], data["phrase_ptr"], data["phrase_ids"]), data["in_degree"])
        except (OSError, KeyError, ValueError, UnicodeDecodeError) as err:
            raise ModelError(f"model tables {path} are missing or damaged ({err}); reinstall detector") from err


def normalize_tokens(text: str) -> list[str]:
    """Lower-cased, apostrophe-folded token strings of ``text`` (aligned with ``token_texts``)."""
    return tokens_and_norms(text)[1]


def tokens_and_norms(text: str) -> tuple[list[str], list[str]]:
    """The token strings of ``text`` and their lower-cased, apostrophe-folded forms, aligned.

    Tokens never hold whitespace, so one ``lower()`` over the tokens joined by newlines folds them
    all at C speed and splits back into exactly as many pieces, whatever ``lower()`` does to
    lengths.
    """
    original = token_texts(text)
    return original, "\n".join(original).translate(_APOS).lower().split("\n") if original else []


def _candidate_lists(words: list[str], lex: Lexicon) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Candidate originals of single words, and of two-word phrases, from every thesaurus both ways.

    A spinner that maps ``o`` to ``s`` makes ``o`` a candidate original of ``s``; synonymy is
    mostly symmetric, but hypernyms and the phrase table are not, so both directions are kept.
    Equal-length phrase pairs ("phone number" / "telephone quantity") pair up word by word.
    """
    thesauri = [WordNetThesaurus(lex, broad=True), TableThesaurus("phrases", read_table(builtin_table_path("phrases")),
                                                                   lex)]
    single: dict[str, list[str]] = {}
    double: dict[str, list[str]] = {}

    def add(original: str, replacement: str) -> None:
        o, r = original.lower().split(), replacement.lower().split()
        if len(r) == 1 and len(o) == 1:
            single.setdefault(r[0], []).append(o[0])
            single.setdefault(o[0], []).append(r[0])
        elif len(r) == 2 and len(o) == 1:
            double.setdefault(" ".join(r), []).append(o[0])
        elif len(r) == len(o):
            for a, b in zip(o, r):
                if a != b:
                    single.setdefault(b, []).append(a)

    keys = [w for w in words if w not in STOPWORDS and w.replace("-", "").replace("'", "").isalpha()]
    keys += [k for k in thesauri[1].table if " " in k]
    for word in keys:
        for thesaurus in thesauri:
            for alt in thesaurus.alternatives(word):
                add(word, alt)
    return ({w: list(dict.fromkeys(c)) for w, c in single.items()},
            {w: list(dict.fromkeys(c)) for w, c in double.items()})


def _sorted_table(counts: dict[int, float], log: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Keys and log10(1 + count) values, in the order their hash table is built from fastest."""
    keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    order = IntHashTable.home_order(keys)
    vals = np.log10(1 + vals[order]) if log else vals[order]
    return keys[order], vals.astype(np.float32)


# 1987 newswire shorthand, spelled out when the news corpus is counted: otherwise every modern
# "million" looks like a spinner's replacement of "mln", the form the corpus knows.
NEWSWIRE_SHORTHAND = {
    "mln": "million", "bln": "billion", "dlrs": "dollars", "dlr": "dollar", "pct": "percent", "cts": "cents",
    "shr": "share", "shrs": "shares", "qtr": "quarter", "qtly": "quarterly", "avg": "average", "yr": "year",
    "mths": "months", "revs": "revenues", "oper": "operating", "stg": "sterling", "tonnes": "tonnes",
}


@dataclass
class NewsCounts:
    """Unigram, bigram and trigram counts of a clean corpus, keyed by vocabulary ids."""

    unigrams: Counter
    bigrams: Counter
    trigrams: Counter

    @classmethod
    def count(cls, vocab: Vocabulary, texts: Iterable[str]) -> NewsCounts:
        V = len(vocab)
        uni: Counter[int] = Counter()
        bi: Counter[int] = Counter()
        tri: Counter[int] = Counter()
        expand = {vocab.index[a]: vocab.index[b] for a, b in NEWSWIRE_SHORTHAND.items()
                  if a in vocab.index and b in vocab.index}
        for text in texts:
            seq = [expand.get(i, i) for i in vocab.ids(normalize_tokens(text))]
            uni.update(a for a in seq if a >= 0)
            bi.update(a * V + b for a, b in zip(seq, seq[1:]) if a >= 0 and b >= 0)
            tri.update((a * V + b) * V + c for a, b, c in zip(seq, seq[1:], seq[2:]) if a >= 0 and b >= 0 and c >= 0)
        return cls(uni, bi, tri)

    def __add__(self, other: NewsCounts) -> NewsCounts:
        return NewsCounts(self.unigrams + other.unigrams, self.bigrams + other.bigrams, self.trigrams + other.trigrams)

    def __sub__(self, other: NewsCounts) -> NewsCounts:
        return NewsCounts(self.unigrams - other.unigrams, self.bigrams - other.bigrams, self.trigrams - other.trigrams)


def base_tables(lex: Lexicon) -> Tables:
    """Vocabulary, frequencies, candidate originals and web bigrams, with empty news counts."""
    base = [w for w in lex.frequency_table if " " not in w]
    cand_lists, phrase_lists = _candidate_lists(base, lex)
    extra = sorted(({c for cands in cand_lists.values() for c in cands} | set(cand_lists)
                    | {w for p in phrase_lists for w in p.split()}) - set(base))
    words = ["<num>", "<unk>"] + base + extra
    vocab = Vocabulary(words)
    zipf = np.array([lex.zipf(w) if i > 1 else 0.0 for i, w in enumerate(words)], dtype=np.float32)
    stop = np.array([w in STOPWORDS for w in words], dtype=bool)
    ptr = [0]
    ids: list[int] = []
    in_degree = np.zeros(len(words), dtype=np.float32)
    for i, w in enumerate(words):
        cands = [vocab.index[c] for c in cand_lists.get(w, ()) if c in vocab.index]
        in_degree[i] = np.log1p(len(cands))
        cands.sort(key=lambda i: -zipf[i])
        ids += cands[:MAX_CANDIDATES]
        ptr.append(len(ids))
    V = len(words)
    phrase_map: dict[int, list[int]] = {}
    for phrase, originals in phrase_lists.items():
        a, b = phrase.split(" ")
        cands = sorted({vocab.index[o] for o in originals if o in vocab.index}, key=lambda i: -zipf[i])
        if cands:
            phrase_map[vocab.index[a] * V + vocab.index[b]] = cands[:MAX_CANDIDATES]
    phrase_keys = np.array(sorted(phrase_map), dtype=np.int64)
    phrase_ptr = np.cumsum([0] + [len(phrase_map[k]) for k in phrase_keys.tolist()]).astype(np.int32)
    phrase_ids = np.array([i for k in phrase_keys.tolist() for i in phrase_map[k]], dtype=np.int32)
    web: dict[int, float] = {}
    for key, count in lex.bigram_table.items():
        a, b = key.split(" ")
        ia, ib = vocab.index.get(a), vocab.index.get(b)
        if ia is not None and ib is not None:
            web[ia * V + ib] = count
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    return Tables(vocab, zipf, stop, np.array(ptr, dtype=np.int32), np.array(ids, dtype=np.int32),
                  {"web": _sorted_table(web), "news": empty}, np.zeros(V, dtype=np.float32), empty,
                  (phrase_keys, phrase_ptr, phrase_ids), in_degree)


def with_news(base: Tables, counts: NewsCounts) -> Tables:
    """A copy of ``base`` whose news tables hold ``counts``."""
    uni = np.zeros(len(base.vocab), dtype=np.float32)
    if counts.unigrams:
        ids = np.fromiter(counts.unigrams.keys(), dtype=np.int64)
        uni[ids] = np.log10(1 + np.fromiter(counts.unigrams.values(), dtype=np.float64))
    return Tables(base.vocab, base.zipf, base.stop, base.cand_ptr, base.cand_ids,
                  {"web": base.bigrams["web"], "news": _sorted_table(counts.bigrams)}, uni,
                  _sorted_table(counts.trigrams), base.phrases, base.in_degree)


def news_neighbours(base: Tables, counts: NewsCounts, top: int = 15_000, k: int = 6) -> dict[int, list[int]]:
    """Distributional neighbours of the ``top`` most frequent content words of the news corpus."""
    from detector.lexicon.neighbours import context_matrix, nearest_neighbours

    V = len(base.vocab)
    content = [(c, w) for w, c in counts.unigrams.items()
               if w > UNK and not base.stop[w] and base.vocab.words[w].isalpha()]
    words = [w for _, w in sorted(content, reverse=True)[:top]]
    pairs = {divmod(key, V): float(c) for key, c in counts.bigrams.items()}
    found = nearest_neighbours(context_matrix(pairs, words), k=k)
    return {words[i]: [words[j] for j in js] for i, js in found.items()}


def add_candidates(base: Tables, extra: dict[int, list[int]]) -> Tables:
    """A copy of ``base`` whose words also take ``extra`` candidate originals (after their own)."""
    ptr, ids = [0], []
    for w in range(len(base.vocab)):
        own = base.cand_ids[base.cand_ptr[w] : base.cand_ptr[w + 1]].tolist()
        more = [c for c in extra.get(w, ()) if c not in own]
        ids += own + more
        ptr.append(len(ids))
    return Tables(base.vocab, base.zipf, base.stop, np.array(ptr, dtype=np.int32), np.array(ids, dtype=np.int32),
                  base.bigrams, base.news_unigrams, base.trigrams, base.phrases, base.in_degree)


def build_tables(lex: Lexicon, corpus: Iterable[str]) -> Tables:
    """Every table, from the lexicon and an iterable of clean texts (for the news counts)."""
    base = base_tables(lex)
    counts = NewsCounts.count(base.vocab, corpus)
    return with_news(add_candidates(base, news_neighbours(base, counts)), counts)
