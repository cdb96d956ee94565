"""Lookup tables the detector scores with: vocabulary, per-word facts, candidate originals, bigrams.

>>> from detector.lexicon.tables import Vocabulary
>>> vocab = Vocabulary(["<num>", "<unk>", "phone", "number"])
>>> vocab.id("Phone"), vocab.id("zzz"), vocab.id("42")
(2, 1, 0)

Built once by :func:`build_tables` (from the lexicon, the thesauri and n-gram counts of a broad
corpus, :mod:`detector.lexicon.counts`) and saved inside a model folder as ``tables.npz`` (numpy arrays
only, loaded with ``allow_pickle=False``: no code runs when a model loads). The hash tables built
from it are cached on disk (:func:`~detector.lexicon.resources.cached_arrays`), so a model loads in
a fraction of a second after its first use.

* ``words``: the vocabulary; a word's id is its index. Ids 0 and 1 are ``<num>`` and ``<unk>``.
* ``zipf``: each word's wordfreq Zipf frequency.
* ``cand_ptr`` / ``cand_ids``: for each word, the words a spinner may have replaced with it (its
  *candidate originals*): WordNet synonyms and near relations, both directions of the phrase
  table, inflected like the word (most frequent first, at most ``MAX_CANDIDATES``), then its
  distributional neighbours in the counted corpus (:mod:`detector.lexicon.neighbours`).
* ``wiki_*``, ``trigrams_*``: unigram, bigram (keys ``first_id * V + second_id``) and trigram counts
  of English Wikipedia (2015 core articles and pages of 2018-21), as log10(1 + count), pruned to
  n-grams seen twice and quantised (:mod:`detector.lexicon.counts`). (The symspellpy web bigrams the
  first model used added nothing once these and the broad model were there.)
* ``phrase_*``: phrases of two to four words a spinner may have put in place of others ("chinese
  language" for "chinese", "for the reason that" for "because"), with their candidate originals
  (:class:`~detector.lexicon.phrases.PhraseTable`).

Beside them, :attr:`Tables.lm` is the broad trigram model of English (:mod:`detector.lexicon.broad_lm`),
read from the pocketsphinx wheel over the same vocabulary.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ModelError
from detector.lexicon.counts import NgramCounts
from detector.lexicon.hashtable import IntHashTable
from detector.lexicon.lexicon import Lexicon
from detector.lexicon.phrases import MAX_WORDS as MAX_PHRASE_WORDS
from detector.lexicon.phrases import PhraseTable
from detector.lexicon.thesaurus import STOPWORDS, TableThesaurus, WordNetThesaurus, builtin_table_path, read_table
from detector.text.tokenize import token_texts

NUM, UNK = 0, 1
BOUNDARY = -1
MAX_CANDIDATES = 12
SOURCES = ("wiki",)  # bigram count sources
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

    def fingerprint(self) -> str:
        """A short hash of the word list: tables keyed by ids are only valid for the same list."""
        import hashlib

        return hashlib.sha256("\n".join(self.words).encode("utf-8")).hexdigest()[:16]

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
    bigrams: dict[str, tuple[np.ndarray, np.ndarray]]  # source -> (keys a * V + b, log10(1 + count))
    unigrams: np.ndarray  # log10(1 + count) of each word in the counted corpus (Wikipedia)
    trigrams: tuple[np.ndarray, np.ndarray]  # keys (a * V + b) * V + c and log10(1 + count)
    phrases: PhraseTable  # multi-word swaps: spun phrases and what they may have stood for
    in_degree: np.ndarray  # log(1 + number of words the thesauri may replace with this word)
    hashed: dict | None = None  # IntHashTable per source and "trigrams"; built (or read from the cache) on use
    _lm: object = None
    _log_tokens: float | None = None

    def __post_init__(self) -> None:
        # words that take "an" (for article slips); "uni..."/"one" take "a" despite the vowel
        self.starts_with_vowel = np.array(
            [w[:1] in "aeiou" and not w.startswith(("uni", "use", "eu", "one", "ur")) for w in self.vocab.words],
            dtype=bool)
        if self.hashed is None:
            self.hashed = {name: IntHashTable(*table, load=LOAD) for name, table in self._sources().items()}

    def _sources(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {**self.bigrams, "trigrams": self.trigrams}

    @property
    def lm(self):
        """The broad trigram model of English over this vocabulary (:class:`~detector.lexicon.broad_lm.BroadLM`)."""
        if self._lm is None:
            from detector.lexicon.broad_lm import BroadLM

            self._lm = BroadLM.for_vocabulary(self.vocab)
        return self._lm

    @property
    def log_tokens(self) -> float:
        """log10 of the number of tokens counted (from the unigram counts)."""
        if self._log_tokens is None:
            total = float(np.sum(10.0 ** self.unigrams.astype(np.float64) - 1.0))
            self._log_tokens = float(np.log10(max(total, 1.0)))
        return self._log_tokens

    def candidates(self, word_id: int) -> np.ndarray:
        return self.cand_ids[self.cand_ptr[word_id] : self.cand_ptr[word_id + 1]]

    def bigram(self, source: str, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """log10 counts of the bigrams (first[i], second[i]); 0 where unlisted or at a boundary."""
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        valid = (first >= 0) & (second >= 0)
        return self.hashed[source].get(np.where(valid, first * len(self.vocab) + second, -1))

    def trigram(self, first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
        """log10 counts of corpus trigrams; 0 where unlisted or at a boundary."""
        a, b, c = (np.asarray(x, dtype=np.int64) for x in (first, second, third))
        V = len(self.vocab)
        valid = (a >= 0) & (b >= 0) & (c >= 0)
        return self.hashed["trigrams"].get(np.where(valid, (a * V + b) * V + c, -1))

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        blob = np.frombuffer("\n".join(self.vocab.words).encode("utf-8"), dtype=np.uint8)
        arrays = {"words": blob, "zipf": self.zipf, "stop": self.stop, "cand_ptr": self.cand_ptr,
                  "cand_ids": self.cand_ids, "in_degree": self.in_degree, "wiki_unigrams": quantise_log(self.unigrams)}
        for name, (keys, vals) in self._sources().items():
            order = np.argsort(keys, kind="stable")  # sorted keys delta-encode and compress well
            arrays[f"{name}_delta"] = np.diff(keys[order], prepend=0)
            arrays[f"{name}_q"] = quantise_log(vals[order])
        arrays.update(self.phrases.to_arrays())
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> Tables:
        from detector.lexicon.resources import cached_arrays

        try:
            with np.load(path, allow_pickle=False) as data:
                words = data["words"].tobytes().decode("utf-8").split("\n")
                sources = {}
                for name in (*SOURCES, "trigrams"):
                    keys = np.cumsum(data[f"{name}_delta"], dtype=np.int64)
                    sources[name] = (keys, dequantise_log(data[f"{name}_q"]))
                fields = {k: data[k] for k in ("zipf", "stop", "cand_ptr", "cand_ids", "in_degree")}
                unigrams = dequantise_log(data["wiki_unigrams"])
                phrases = PhraseTable.from_arrays(data)
            versions = {"tables": zlib.crc32(path.read_bytes()), "bytes": path.stat().st_size, "load": LOAD,
                        "numpy": np.__version__.split(".")[0]}

            def build() -> dict:
                out = {}
                for name, table in sources.items():
                    out.update(IntHashTable(*table, load=LOAD).state(name))
                return out

            state = cached_arrays("tables", versions, build)
            hashed = {name: IntHashTable.from_state(state, name) for name in sources}
            return cls(Vocabulary(words), fields["zipf"], fields["stop"], fields["cand_ptr"], fields["cand_ids"],
                       {s: sources[s] for s in SOURCES}, unigrams, sources["trigrams"], phrases,
                       fields["in_degree"], hashed)
        except (OSError, KeyError, ValueError, UnicodeDecodeError) as err:
            raise ModelError(f"model tables {path} are missing or damaged ({err}); reinstall detector") from err


LOAD = 0.6  # hash-table load factor: about 12 bytes a key at 1.7 slots a key, 1-2 probes a lookup
QUANT = 32  # stored log counts are rounded to steps of 1/32 (a factor of 1.07 in count)


def quantise_log(values: np.ndarray) -> np.ndarray:
    """log10(1 + count) values (already logs) as uint8 steps of ``1 / QUANT``."""
    return np.clip(np.rint(np.asarray(values, dtype=np.float64) * QUANT), 0, 255).astype(np.uint8)


def dequantise_log(q: np.ndarray) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) / QUANT).astype(np.float32)


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
    """Candidate originals of single words, and of phrases of 2-4 words, from every thesaurus both ways.

    A spinner that maps ``o`` to ``s`` makes ``o`` a candidate original of ``s``; synonymy is
    mostly symmetric, but hypernyms and the phrase table are not, so both directions are kept.
    Equal-length phrase pairs ("phone number" / "telephone quantity") also pair up word by word.
    """
    thesauri = [WordNetThesaurus(lex, broad=True), TableThesaurus("phrases", read_table(builtin_table_path("phrases")),
                                                                   lex)]
    single: dict[str, list[str]] = {}
    multi: dict[str, list[str]] = {}

    def add(original: str, replacement: str) -> None:
        o, r = original.lower().split(), replacement.lower().split()
        if len(r) == 1 and len(o) == 1:
            single.setdefault(r[0], []).append(o[0])
            single.setdefault(o[0], []).append(r[0])
            return
        if 2 <= len(r) <= MAX_PHRASE_WORDS and 1 <= len(o) <= MAX_PHRASE_WORDS:
            multi.setdefault(" ".join(r), []).append(" ".join(o))
        if 2 <= len(o) <= MAX_PHRASE_WORDS and len(r) == 1:  # read backwards: "because" for "for the reason that"
            multi.setdefault(" ".join(o), []).append(r[0])
        if len(r) == len(o):
            for a, b in zip(o, r):
                if a != b:
                    single.setdefault(b, []).append(a)

    keys = [w for w in words if w.replace("-", "").replace("'", "").isalpha()]  # WordNet skips function words
    keys += [k for k in thesauri[1].table if " " in k]
    keys += sorted({w for pos in "nvar" for w in lex.lemmas(pos) if " " in w
                    and len(w.split()) <= MAX_PHRASE_WORDS and w.replace(" ", "").replace("-", "").isalpha()})
    for word in dict.fromkeys(keys):
        for thesaurus in thesauri:
            for alt in thesaurus.alternatives(word):
                add(word, alt)
    return ({w: list(dict.fromkeys(c)) for w, c in single.items()},
            {w: list(dict.fromkeys(c)) for w, c in multi.items()})


def _table(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys and log10(1 + count) values."""
    return np.asarray(keys, dtype=np.int64), np.log10(1 + np.asarray(counts, dtype=np.float64)).astype(np.float32)


def base_tables(lex: Lexicon) -> Tables:
    """Vocabulary, frequencies, candidate originals and phrase swaps, with empty corpus counts."""
    base = [w for w in lex.frequency_table if " " not in w]
    cand_lists, phrase_lists = _candidate_lists(base, lex)
    extra = sorted(({c for cands in cand_lists.values() for c in cands} | set(cand_lists)
                    | {w for p, originals in phrase_lists.items() for x in (p, *originals) for w in x.split()})
                   - set(base))
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
    phrase_table = PhraseTable.build(phrase_lists, vocab)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    return Tables(vocab, zipf, stop, np.array(ptr, dtype=np.int32), np.array(ids, dtype=np.int32),
                  {"wiki": empty}, np.zeros(len(words), dtype=np.float32), empty,
                  phrase_table, in_degree)


def _replace(base: Tables, **changes) -> Tables:
    fields = {name: getattr(base, name) for name in ("vocab", "zipf", "stop", "cand_ptr", "cand_ids", "bigrams",
                                                     "unigrams", "trigrams", "phrases", "in_degree")}
    fields.update(changes)
    if not {"bigrams", "trigrams"} & set(changes):
        fields["hashed"] = base.hashed
    return Tables(**fields)


def with_counts(base: Tables, counts: NgramCounts) -> Tables:
    """A copy of ``base`` whose corpus tables hold ``counts`` (of the same vocabulary)."""
    return _replace(base, bigrams={**base.bigrams, "wiki": _table(counts.bigram_keys, counts.bigram_counts)},
                    unigrams=np.log10(1 + counts.unigrams.astype(np.float64)).astype(np.float32),
                    trigrams=_table(counts.trigram_keys, counts.trigram_counts))


def corpus_neighbours(base: Tables, counts: NgramCounts, top: int = 20_000, k: int = 6) -> dict[int, list[int]]:
    """Distributional neighbours of the ``top`` most frequent content words of the counted corpus."""
    from detector.lexicon.neighbours import context_matrix, nearest_neighbours

    words = [w for w in np.argsort(-counts.unigrams, kind="stable").tolist()
             if w > UNK and not base.stop[w] and base.vocab.words[w].isalpha()][:top]
    found = nearest_neighbours(context_matrix(counts.bigram_pairs(), words), k=k)
    return {words[i]: [words[j] for j in js] for i, js in found.items()}


def add_candidates(base: Tables, extra: dict[int, list[int]]) -> Tables:
    """A copy of ``base`` whose words also take ``extra`` candidate originals (after their own)."""
    ptr, ids = [0], []
    for w in range(len(base.vocab)):
        own = base.cand_ids[base.cand_ptr[w] : base.cand_ptr[w + 1]].tolist()
        more = [c for c in extra.get(w, ()) if c not in own]
        ids += own + more
        ptr.append(len(ids))
    return _replace(base, cand_ptr=np.array(ptr, dtype=np.int32), cand_ids=np.array(ids, dtype=np.int32))


def build_tables(lex: Lexicon, counts: NgramCounts, base: Tables | None = None) -> Tables:
    """Every table, from the lexicon and the n-gram counts of a broad corpus (counted over
    ``base_tables(lex).vocab``; pass ``base`` when it is already built)."""
    base = base or base_tables(lex)
    return with_counts(add_candidates(base, corpus_neighbours(base, counts)), counts)
