"""New tortured phrases: two or three words whose probable originals make a far commoner term.

>>> finder = NovelFinder.load()
>>> found = finder.find("Tumours were located by attractive reverberation imaging in all patients.")
>>> [(f.text, f.suggestion) for f in found]
[('attractive reverberation imaging', 'magnetic resonance imaging')]

("attractive reverberation imaging" is in the held-out fifth of the PPS list: the finder never saw it.)

A tortured phrase is a term of art with one or more words swapped for synonyms ("random forest"
-> "irregular woodland"). So a run of two or three content words is a candidate when the run
itself is rare in the detector's n-gram counts of Wikipedia and scientific abstracts, and putting
back *candidate originals* of its words gives a term those counts know well. The candidate
originals are the detector's own (:attr:`~detector.lexicon.tables.Tables.cand_ids`: WordNet
synonyms and relations, the phrase table, distributional neighbours) and the word swaps read off
the known PPS list (:func:`pairs_from_entries`: "irregular" for "random", "woodland" for
"forest"): a spinner is a fixed dictionary, so its swaps recur in phrases nobody has listed yet.

Evidence per run (:data:`FEATURES`): how often the run and its best variant occur, how many words
the variant changes and whether those swaps are known spinner swaps, how common the words are,
and how much likelier the broad model of English (:attr:`~detector.lexicon.tables.Tables.lm`)
finds the variant. A LightGBM model (``detector/data/tortured/novel/``, card beside it, trained by
``scripts/train_novel_tortured.py`` on the list's four fifths, never on the held-out fifth or on
PLOS) turns it into a probability; runs over the threshold are findings, strongest first, never
overlapping each other or a known phrase. The threshold holds false alarms on held-out clean
abstracts under ``MAX_FALSE_PER_100K`` per 100,000 words. The best variant is the suggestion when
it is common enough (``SUGGEST_MIN_COUNT``). A stronger word model (the neural model of issue 26)
would enter as one more column beside ``lm_gain``: nothing else changes.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.errors import ModelError
from detector.tortured.match import Document, fold, words_of

NOVEL = Path(__file__).resolve().parents[1] / "data" / "tortured" / "novel"
FORMAT = 1
MAX_OBSERVED = 20  # a run seen more often than this in the counts is an ordinary term
PER_WORD = 14  # candidate originals tried per word
DOUBLE = 5  # ...of which the first few are tried together with another word's
SUGGEST_MIN_COUNT = 20  # the variant is suggested when the counts saw it this often
MAX_FALSE_PER_100K = 0.5  # the threshold's target on held-out clean abstracts
PAPER_FALSE_PER_100K = 20.0  # the looser threshold's, used in a paper that already has known tortured phrases
PAPER_KNOWN = 3  # known tortured phrases that make a paper "tortured" enough for the looser threshold
CACHE = 200_000  # runs whose evidence is remembered
JOINERS = {"of", "and", "for", "in", "to"}  # may stand inside a three-word run ("warmth of sorption")
FEATURES = ("words", "observed", "best", "gain", "second_gain", "changed", "pair_swaps", "pair_support",
            "spinner_word", "min_zipf", "changed_zipf", "original_zipf", "lm_gain", "observed_parts",
            "better_variants", "joiner", "term_whole", "term_part", "independent", "variant_pmi", "max_word_count")


@dataclass(frozen=True)
class NewFinding:
    """A probable new tortured phrase at ``text[start:end]``."""

    start: int
    end: int
    text: str
    score: float
    suggestion: str | None  # the probable original, in the text's case
    variant: str  # the commonest variant (the suggestion when confident)
    variant_times: float  # how much commoner the variant is in the counts

    @property
    def reason(self) -> str:
        if self.suggestion:
            return f"not in the PPS list; '{self.suggestion}' fits this context far better"
        return "not in the PPS list; a far commoner term differs from it by a synonym or two"


def pairs_from_entries(entries: Iterable[tuple[str, str | None]]) -> dict[str, Counter]:
    """Word swaps read off (tortured, expected) pairs of equal length: folded spun word -> the
    originals it stood for, with how many entries show the swap.

    >>> pairs = pairs_from_entries([("irregular woodland", "random forest"), ("irregular timberland", "random forest")])
    >>> pairs["irregular"].most_common(), pairs["woodland"].most_common()
    ([('random', 2)], [('forest', 1)])
    """
    out: dict[str, Counter] = {}
    for tortured, expected in entries:
        if not expected:
            continue
        a = [w.lower() for w in _surface(tortured)]
        b = [w.lower() for w in _surface(expected)]
        if len(a) != len(b):
            continue
        for x, y in zip(a, b):
            if fold(x) != fold(y) and x.isalpha() and y.isalpha():
                out.setdefault(fold(x), Counter())[_base(y)] += 1
    return out


def terms_from_entries(expected: Iterable[str | None]) -> dict[tuple[str, ...], list[int]]:
    """The terms tortured phrases stand for, as folded runs of two or three words: how many listed
    phrases have the run as their whole expected phrase, and how many inside a longer one.

    >>> terms = terms_from_entries(["random forest", "random forest", "random forest classifier"])
    >>> terms[("random", "forest")], terms[("forest", "classifier")]
    ([2, 1], [0, 1])
    """
    out: dict[tuple[str, ...], list[int]] = {}
    for e in expected:
        words = words_of(e or "")
        for k in (2, 3):
            for i in range(len(words) - k + 1):
                run = words[i : i + k]
                out.setdefault(run, [0, 0])[0 if len(words) == k else 1] += 1
    return out


def _surface(phrase: str) -> list[str]:
    from detector.tortured.match import WORD

    return [m.group() for m in WORD.finditer(phrase)]


def _base(word: str) -> str:
    """A plural original in its singular form (pairs are stored uninflected; :func:`_inflect_like` puts it back)."""
    return word[:-1] if fold(word) != word and word.endswith("s") and not word.endswith("ss") else word


def _inflect_like(original: str, written: str) -> str:
    if written.endswith("s") and fold(written) != written and not original.endswith("s"):
        if original.endswith("y") and original[-2:-1] not in "aeiou":
            return original[:-1] + "ies"
        return original + ("es" if original.endswith(("s", "x", "ch", "sh")) else "s")
    return original


@dataclass
class _Run:
    first: int  # word positions in the Document
    last: int
    ids: list[int]
    words: list[str]  # lower-case as written
    replaceable: list[bool]


class NovelFinder:
    """The model, its threshold and the spinner swaps it knows (``load`` the shipped one)."""

    def __init__(self, tables, pairs: dict[str, Counter], terms: dict[tuple[str, ...], list[int]] | None = None,
                 model=None, threshold: float = 1.0, version: str = "?", paper_threshold: float | None = None):
        self.tables = tables
        self.pairs = pairs
        self.terms = terms or {}
        self.model = model
        self.threshold = threshold
        self.paper_threshold = threshold if paper_threshold is None else paper_threshold
        self.version = version
        self._stop = tables.stop
        self._cache: dict[tuple, tuple[list[float], list[int]]] = {}

    @classmethod
    def load(cls, folder: Path | None = None, tables=None) -> NovelFinder:
        """The shipped model (or the one in ``folder``) over ``tables`` (the shipped model's when None);
        loaded once per folder and tables."""
        if tables is None:
            from detector.detection.model import load_model

            tables = load_model().tables
        key = (folder or NOVEL, id(tables))
        if key not in _LOADED:
            _LOADED[key] = _load(folder or NOVEL, tables)
        return _LOADED[key]

    # -- candidate runs and their evidence ---------------------------------------------------------
    def runs(self, doc: Document, skip: set[int] = frozenset()) -> list[_Run]:
        """Runs of two or three content words joined by spaces or hyphens (a joiner such as "of" may
        stand in the middle of three), none in ``skip`` (positions of known findings)."""
        vocab, stop = self.tables.vocab, self._stop
        n = len(doc)
        lower = [w.lower() for w in doc.raw]
        ids = [vocab.id(w) for w in lower]
        content = [ids[i] > 1 and not stop[ids[i]] and lower[i].isalpha() and len(lower[i]) > 2 and i not in skip
                   for i in range(n)]
        out = []
        for i in range(n - 1):
            if not content[i] or not doc.links[i]:
                continue
            if content[i + 1]:
                out.append(_Run(i, i + 1, ids[i : i + 2], lower[i : i + 2], [True, True]))
            if i + 2 < n and doc.links[i + 1] and content[i + 2] and (content[i + 1] or lower[i + 1] in JOINERS) \
                    and ids[i + 1] > 1:
                out.append(_Run(i, i + 2, ids[i : i + 3], lower[i : i + 3], [True, content[i + 1], True]))
        return out

    def _count(self, seqs: np.ndarray) -> np.ndarray:
        """log10(1 + count) of id sequences (rows of 2 or 3 ids)."""
        t = self.tables
        if seqs.shape[1] == 2:
            return t.bigram("wiki", seqs[:, 0], seqs[:, 1]).astype(np.float64)
        return t.trigram(seqs[:, 0], seqs[:, 1], seqs[:, 2]).astype(np.float64)

    def _lm(self, seqs: np.ndarray) -> np.ndarray:
        """log10 probability the broad model gives the sequence (its words after the first, given those before)."""
        lm = self.tables.lm
        none = np.full(len(seqs), -1)
        total = lm.logprob(none, none, seqs[:, 0]).astype(np.float64)
        total += lm.logprob(none, seqs[:, 0], seqs[:, 1])
        if seqs.shape[1] == 3:
            total += lm.logprob(seqs[:, 0], seqs[:, 1], seqs[:, 2])
        return np.nan_to_num(total, nan=-12.0)

    def _options(self, word: str, wid: int) -> list[tuple[int, int]]:
        """Candidate originals of a word as (id, support): the list's swaps first (support = entries
        showing the swap), then the detector's candidates (support 0)."""
        vocab = self.tables.vocab
        out: dict[int, int] = {}
        for original, count in self.pairs.get(fold(word), Counter()).most_common(PER_WORD):
            oid = vocab.index.get(_inflect_like(original, word))
            if oid is not None and oid != wid:
                out.setdefault(oid, count)
        for cid in self.tables.candidates(wid).tolist():
            if len(out) >= PER_WORD:
                break
            if cid != wid:
                out.setdefault(int(cid), 0)
        return list(out.items())

    def features(self, runs: list[_Run]) -> tuple[np.ndarray, list[list[int]]]:
        """The evidence of each run (:data:`FEATURES`) and its best variant's ids (remembered per run
        of words: a paper repeats its terms)."""
        rows: list[list[float]] = []
        bests: list[list[int]] = []
        for run in runs:
            key = (*run.words, *run.replaceable)
            found = self._cache.get(key)
            if found is None:
                if len(self._cache) >= CACHE:
                    self._cache.clear()
                found = self._cache[key] = self._features_one(run)
            rows.append(found[0])
            bests.append(found[1])
        return np.array(rows, dtype=np.float64).reshape(-1, len(FEATURES)), bests

    def _features_one(self, run: _Run) -> tuple[list[float], list[int]]:
        zipf, words = self.tables.zipf, self.tables.vocab.words
        k = len(run.ids)
        options = [self._options(w, i) if ok else [] for w, i, ok in zip(run.words, run.ids, run.replaceable)]
        variants: list[tuple[list[int], list[int], list[int]]] = []  # (ids, changed positions, supports)
        for p in range(k):
            for oid, sup in options[p]:
                ids = list(run.ids)
                ids[p] = oid
                variants.append((ids, [p], [sup]))
        for p in range(k):
            for q in range(p + 1, k):
                for oid, sup in options[p][:DOUBLE]:
                    for oid2, sup2 in options[q][:DOUBLE]:
                        ids = list(run.ids)
                        ids[p], ids[q] = oid, oid2
                        variants.append((ids, [p, q], [sup, sup2]))
        own = np.array([run.ids])
        observed = float(self._count(own)[0])
        parts = (float(self._count(np.array([run.ids[:2]]))[0] + self._count(np.array([run.ids[1:]]))[0])
                 if k == 3 else observed)
        spinner_word = max((math.log1p(sum(self.pairs.get(fold(w), Counter()).values())) for w in run.words),
                           default=0.0)
        min_zipf = float(min(zipf[i] for i in run.ids))
        uni = self.tables.unigrams
        log_n = self.tables.log_tokens
        content = [p for p in range(k) if run.replaceable[p]]
        # how often the run would occur if its words were independent (log10): common words never
        # seen together are stranger than rare ones
        independent = sum(float(uni[run.ids[p]]) for p in content) - (len(content) - 1) * log_n
        top_word = max(float(uni[run.ids[p]]) for p in content)
        if not variants:
            return ([k, observed, 0.0, -observed, -observed, 0, 0, 0.0, spinner_word, min_zipf, 0.0, 0.0, 0.0,
                     parts, 0, float(k == 3 and not run.replaceable[1]), 0.0, 0.0, independent, 0.0, top_word],
                    list(run.ids))
        seqs = np.array([v[0] for v in variants], dtype=np.int64)
        counts = self._count(seqs)
        support = np.array([sum(1 for s in v[2] if s > 0) for v in variants])
        term = [self.terms.get(tuple(fold(words[i]) for i in v[0]), (0, 0)) for v in variants]
        whole = np.array([t[0] for t in term], dtype=np.float64)
        part = np.array([t[1] for t in term], dtype=np.float64)
        # a known term first, then the commonest
        order = np.lexsort((-support, -counts, -((whole + part) > 0).astype(int)))
        b = int(order[0])
        second = float(counts[order[1]]) if len(order) > 1 else 0.0
        ids, changed, sups = variants[b]
        lm_gain = float(self._lm(seqs[b : b + 1])[0] - self._lm(own)[0])
        row = [k, observed, float(counts[b]), float(counts[b]) - observed, second - observed, len(changed),
                     sum(1 for s in sups if s > 0), math.log1p(sum(sups)), spinner_word, min_zipf,
                     float(min(zipf[run.ids[p]] for p in changed)), float(min(zipf[ids[p]] for p in changed)),
                     lm_gain, parts, float(np.sum(counts > observed + 1.0)),
                     float(k == 3 and not run.replaceable[1]), math.log1p(whole[b]), math.log1p(part[b]),
                     independent, float(counts[b]) - (sum(float(uni[ids[p]]) for p in content)
                                                      - (len(content) - 1) * log_n), top_word]
        return row, ids

    # -- finding ----------------------------------------------------------------------------------
    def candidates(self, doc: Document, skip: set[int] = frozenset()) -> tuple[list[_Run], np.ndarray, list]:
        """Runs rare enough to be tortured, their features and best variants (before the model)."""
        runs = self.runs(doc, skip)
        if not runs:
            return [], np.zeros((0, len(FEATURES))), []
        observed = np.zeros(len(runs))
        for k in (2, 3):
            at = [j for j, r in enumerate(runs) if len(r.ids) == k]
            if at:
                observed[at] = self._count(np.array([runs[j].ids for j in at], dtype=np.int64))
        runs = [r for r, o in zip(runs, observed.tolist()) if o <= math.log10(1 + MAX_OBSERVED)]
        X, bests = self.features(runs)
        return runs, X, bests

    def find(self, text: str | Document, skip: set[int] = frozenset(), known: int = 0) -> list[NewFinding]:
        """Probable new tortured phrases of ``text`` (``skip``: word positions already explained).
        In a text with ``PAPER_KNOWN`` known tortured phrases or more (``known``), the looser
        ``paper_threshold`` applies: there, a new one is far likelier than in clean text."""
        if self.model is None:
            return []
        threshold = self.paper_threshold if known >= PAPER_KNOWN else self.threshold
        doc = text if isinstance(text, Document) else Document(text)
        runs, X, bests = self.candidates(doc, skip)
        if not runs:
            return []
        probs = self.model.predict_proba(X)
        words = self.tables.vocab.words
        out: list[NewFinding] = []
        taken: set[int] = set()
        for j in np.argsort(-probs, kind="stable").tolist():
            if probs[j] < threshold:
                break
            run = runs[j]
            cells = set(range(run.first, run.last + 1))
            if cells & taken:
                continue
            taken |= cells
            start, end = doc.starts[run.first], doc.ends[run.last]
            written = doc.text[start:end]
            variant = _carry(written, [words[i] for i in bests[j]], doc.raw[run.first : run.last + 1])
            times = 10 ** X[j, FEATURES.index("gain")]
            common = X[j, FEATURES.index("best")] >= math.log10(1 + SUGGEST_MIN_COUNT)
            out.append(NewFinding(start, end, written, float(probs[j]), variant if common else None, variant,
                                  float(times)))
        return sorted(out, key=lambda f: f.start)


def _carry(written: str, words: list[str], raw: list[str]) -> str:
    """The variant's words in the written words' case, joined as the text joined them."""
    out = []
    for w, r in zip(words, raw):
        if r.isupper() and len(r) > 1:
            out.append(w.upper())
        elif r[:1].isupper():
            out.append(w[:1].upper() + w[1:])
        else:
            out.append(w)
    sep = "-" if "-" in written and " " not in written else " "
    return sep.join(out)


_LOADED: dict[tuple[Path, int], NovelFinder] = {}


def _load(folder: Path, tables) -> NovelFinder:
    from detector.detection.trees import BoostedTrees

    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ModelError(f"{folder}: format {meta.get('format')}, this detector reads {FORMAT}")
        if tuple(meta.get("features", ())) != FEATURES:
            raise ModelError(f"{folder}: trained on other features; retrain with scripts/train_novel_tortured.py")
        read = lambda name: json.loads((folder / name).read_text(encoding="utf-8"))  # noqa: E731
        pairs = {k: Counter(v) for k, v in read("pairs.json").items()}
        terms = {tuple(k.split()): v for k, v in read("terms.json").items()}
        model = BoostedTrees.from_string((folder / "model.txt").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as err:
        raise ModelError(f"the new-tortured-phrase model in {folder} is missing or damaged ({err}); "
                         "reinstall detector") from err
    return NovelFinder(tables, pairs, terms, model, float(meta["threshold"]), str(meta.get("version", "?")),
                       float(meta.get("paper_threshold", meta["threshold"])))
