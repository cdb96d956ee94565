"""Suggestions chosen by the whole sentence: every flagged word's candidates re-read by the neural model.

>>> text = "Prices could ascend next year. Nothing else changed."
>>> sentence_bounds(text, text.index("ascend"), text.index("ascend") + 6)
(0, 30)
>>> from detector.spinner.spinner import SpinResult, Substitution
>>> piece_truth(SpinResult("a telephone quantity here", "a phone number here",
...     (Substitution(2, 20, "telephone quantity", "phone number", 2, 14),)), 12, 20)
'number'

The n-gram stage flags words and ranks a few thesaurus candidates by a window of two words either
side. Here each flagged word (a *piece*; a listed spun phrase is one piece) gets candidates from
everywhere it can:

* the thesauri (every word a thesaurus maps to it, inflected forms for a word in its base form,
  as naive spinners paste them), and the n-gram stage's own choice (a spun phrase's original);
* the neural model's own predictions for the position (its likeliest words after the left
  context, read from the forward pass already made), which is how a spinner whose dictionary is
  unknown (distributional or word-vector neighbours) is undone.

Every candidate's first token is weighed in the left context (free), and the leading ``BRANCH``
by that and by how a spinner would have made the swap are scored with both sides of the context
(:class:`~detector.neural.reading.Branch`: the candidate and the next tokens of the sentence,
against the text's own). The choice is by a key over the two-sided gain and the spinner-shaped
prior (a thesaurus maps the candidate to the word, with how many alternatives; how close the
model's own embeddings put the two words), and a logistic :class:`PieceCalibrator` over what the
piece offers (``PIECE_FEATURES``) gives the probability that the choice is exactly the original.
A span's candidate is its pieces' choices; its confidence is the product of the changed pieces'
probabilities, shown as a suggestion from the calibrated threshold stored with it
(:class:`Rereader`, ``detector/data/model/rereading.json``).

Only the sentences that hold spans are read, packed into as few forward passes as fit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from detector.spinner.spinner import SpinResult, carry_case
from detector.text.language import FUNCTION_WORDS

PIECE_FEATURES = ["word_logit", "gain", "margin", "left_gain", "own_surprisal", "gain_share", "in_thesaurus",
                  "in_degree", "cosine", "neural_only", "ngram_agrees", "phrase", "capital_mid", "cand_zipf",
                  "options", "function"]
TOP_K = 40  # tokens the model predicts at the position, looked through for whole words
NEURAL_MAX = 8  # of them kept as candidates
THESAURUS_MAX = 16  # thesaurus candidates weighed in the left context
BRANCH = 5  # candidates per piece scored with both sides of the context...
NEURAL_BRANCH = 2  # ...of which at most this many of the model's own predictions
PHRASE_ORIGINALS = 12  # originals the phrase table lists for a spun phrase, weighed in the left context
PHRASE_WORD_OPTIONS = 3  # candidates of each word of a spun phrase tried in its place
MIN_ZIPF = 2.5  # the model's predictions rarer than this are no candidates
FORMAT = 1
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) of ``text`` that holds ``[start, end)``, by character offsets."""
    a = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        a = m.end()
    m = _SENTENCE_END.search(text, end)
    b = m.start() if m else len(text)
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, max(b, end)


def piece_truth(spun: SpinResult, start: int, end: int) -> str | None:
    """What ``spun.text[start:end]`` (a word, or a run of whole words) was in the original: ``None``
    when no substitution touches it, else the original words aligned to it ("" for words the
    spinner added)."""
    import difflib

    subs = [s for s in spun.substitutions if s.start < end and start < s.end]
    if not subs:
        return None
    out = []
    for s in subs:
        spun_words = [(m.start() + s.start, m.end() + s.start, m.group()) for m in _WORD.finditer(s.replacement)]
        orig_words = _WORD.findall(s.original)
        inside = [k for k, (a, b, _) in enumerate(spun_words) if a < end and start < b]
        if not inside:
            continue
        if len(inside) == len(spun_words):
            out.append(s.original)
            continue
        if len(spun_words) == len(orig_words):
            out.append(" ".join(orig_words[k] for k in inside))
            continue
        ops = difflib.SequenceMatcher(None, [w[2].lower() for w in spun_words], [w.lower() for w in orig_words],
                                      autojunk=False).get_opcodes()
        words = []
        for tag, i1, i2, j1, j2 in ops:
            if i2 > i1 and any(i1 <= k < i2 for k in inside):
                if tag == "equal":
                    words += [orig_words[j1 + k - i1] for k in inside if i1 <= k < i2]
                elif all(i1 <= k < i2 for k in range(i1, i2)) and set(range(i1, i2)) <= set(inside):
                    words += orig_words[j1:j2]
                else:
                    words += orig_words[j1:j2][: len([k for k in inside if i1 <= k < i2])]
        out.append(" ".join(words))
    return " ".join(x for x in out if x)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@dataclass
class PieceCalibrator:
    """Logistic regression over standardised ``PIECE_FEATURES``: P(the piece's choice is the original)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64).reshape(-1, len(PIECE_FEATURES))
        z = (((X - self.mean) / self.scale) * self.coef).sum(axis=1) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_dict(self) -> dict:
        return {"features": PIECE_FEATURES, **{k: [round(float(x), 6) for x in getattr(self, k)]
                                               for k in ("mean", "scale", "coef")},
                "intercept": round(float(self.intercept), 6)}

    @classmethod
    def from_dict(cls, data: dict) -> PieceCalibrator:
        if list(data.get("features", ())) != PIECE_FEATURES:
            raise ValueError("the rereading calibrator was fitted on other features; refit it "
                             "(scripts/calibrate_rereading.py)")
        return cls(*(np.array(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")),
                   float(data["intercept"]))

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, C: float = 1.0) -> PieceCalibrator:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        fitted = LogisticRegression(C=C, max_iter=3000).fit((X - mean) / scale, y)
        return cls(mean, scale, fitted.coef_[0], float(fitted.intercept_[0]))


@dataclass
class ChoiceWeights:
    """The choice key: two-sided gain (nats) + ``thesaurus`` if a thesaurus maps the candidate to
    the word - ``degree`` x its number of alternatives (log) + ``cosine`` x embedding similarity."""

    thesaurus: float = 2.0
    degree: float = 0.5
    cosine: float = 4.0
    neural_only: float = -1.0

    def key(self, gain, in_thesaurus, in_degree, cosine, neural_only) -> np.ndarray:
        return (np.asarray(gain) + self.thesaurus * np.asarray(in_thesaurus) - self.degree * np.asarray(in_degree)
                * np.asarray(in_thesaurus) + self.cosine * np.asarray(cosine)
                + self.neural_only * np.asarray(neural_only))


@dataclass
class Rereader:
    """What the rereading stage stores: its calibrator, choice weights and thresholds (a JSON file
    beside the model, loaded without executing code)."""

    calibrator: PieceCalibrator | None = None
    weights: ChoiceWeights = field(default_factory=ChoiceWeights)
    suggestion_threshold: float = 0.9  # span confidence from which its suggestion is shown
    repair_threshold: float = 0.9  # a piece's (word probability x choice probability) from which repair applies it
    info: dict = field(default_factory=dict)
    version: str = "0.1.0"

    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": self.version,
                "calibrator": self.calibrator.to_dict() if self.calibrator else None,
                "weights": vars(self.weights), "suggestion_threshold": self.suggestion_threshold,
                "repair_threshold": self.repair_threshold, "info": self.info}

    @classmethod
    def from_dict(cls, data: dict) -> Rereader:
        if data.get("format") != FORMAT:
            raise ValueError(f"rereading file format {data.get('format')} is not {FORMAT}")
        cal = data.get("calibrator")
        return cls(PieceCalibrator.from_dict(cal) if cal else None, ChoiceWeights(**data.get("weights", {})),
                   float(data["suggestion_threshold"]), float(data["repair_threshold"]), dict(data.get("info", {})),
                   str(data.get("version", "")))

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Rereader | None:
        path = Path(path)
        if not path.is_file():
            return None
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def default_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "model" / "rereading.json"


@dataclass
class Piece:
    """A flagged word, or a listed spun phrase, of one span: its candidates and what the model said."""

    doc: int
    span: int
    start: int
    end: int
    own: str
    word_prob: float
    phrase: bool = False
    ngram: str | None = None  # the n-gram stage's choice
    ngram_sure: float = 0.0
    candidates: list[str] = field(default_factory=list)
    thesaurus: list[bool] = field(default_factory=list)
    neural: list[bool] = field(default_factory=list)
    degree: list[float] = field(default_factory=list)
    left: list[float] = field(default_factory=list)
    gains: dict[int, float] = field(default_factory=dict)
    own_surprisal: float = 0.0
    capital_mid: bool = False
    # filled by the choice
    choice: int = -1
    features: np.ndarray | None = None
    probability: float = 0.0

    @property
    def after(self) -> str | None:
        return self.candidates[self.choice] if self.choice >= 0 else None


class Reread:
    """Re-reads the spans of scored documents (see the module docstring)."""

    def __init__(self, lm, tables, rereader: Rereader):
        self.lm, self.tables, self.rereader = lm, tables, rereader
        embed = lm.transformer.a["embed"]
        self._embed = embed
        self._norms: dict[int, float] = {}
        self._word_tokens: dict[int, str | None] = {}

    # -- candidates ------------------------------------------------------------------------------
    def _token_word(self, token: int) -> str | None:
        """The whole word a token spells with its leading space (" rise" -> "rise"), else None."""
        if token not in self._word_tokens:
            s = self.lm.tokenizer.decode([int(token)])
            word = s[1:] if s.startswith(" ") else None
            self._word_tokens[token] = word if word and word.isalpha() else None
        return self._word_tokens[token]

    def _cosine(self, a: str, b: str) -> float:
        """Cosine of the model's input embeddings of the first tokens of " a" and " b"."""
        ta, tb = self.lm.tokenizer.encode(" " + a.lower())[0][:1], self.lm.tokenizer.encode(" " + b.lower())[0][:1]
        if not ta or not tb:
            return 0.0
        x, y = self._embed[ta[0]], self._embed[tb[0]]
        return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-9))

    def pieces(self, results, spans_of) -> list[Piece]:
        """The pieces of the given spans: ``spans_of(i)`` lists (span index, span) of result ``i``."""
        from detector.detection.features import encode
        from detector.detection.neural_stage import word_candidates

        tables, out = self.tables, []
        for i, result in enumerate(results):
            chosen = spans_of(i)
            if not chosen:
                continue
            doc = encode(result.text, tables)
            spans = doc.spans()
            row_at = {int(spans[p][0]): r for r, p in enumerate(doc.word_positions.tolist())}
            probs = result.tokens.probs if result.tokens is not None else None
            for k, span in chosen:
                phrases = [(a, b, after, conf) for a, b, after, conf in span.changes
                           if len(_WORD.findall(result.text[a:b])) > 1]
                singles = {a: (after, conf) for a, b, after, conf in span.changes
                           if len(_WORD.findall(result.text[a:b])) <= 1}
                for a, b, after, conf in phrases:
                    out.append(Piece(i, k, a, b, result.text[a:b], span.score, True, after,
                                     conf / max(span.score, 1e-6), [after], [True], [False], [0.0]))
                for m in _WORD.finditer(result.text, span.start, span.end):
                    a, b = m.start(), m.end()
                    if a not in row_at:
                        continue
                    inner = any(x <= a < y for x, y, _, _ in phrases)
                    r = row_at[a]
                    own = m.group()
                    word_prob = float(probs[r]) if probs is not None else span.score
                    ngram, sure = singles.get(a, (None, 0.0))
                    mid = a > 0 and own[:1].isupper() and not _starts_sentence(result.text, a)
                    out.append(Piece(i, k, a, b, own, word_prob, False, ngram, sure / max(word_prob, 1e-6),
                                     capital_mid=mid))
                    out[-1].row = r  # type: ignore[attr-defined]
                    out[-1].doc_encoded = doc  # type: ignore[attr-defined]
                    out[-1].inner = inner  # type: ignore[attr-defined]
        # thesaurus candidates, a document at a time
        by_doc: dict[int, list[Piece]] = {}
        for p in out:
            if not p.phrase:
                by_doc.setdefault(p.doc, []).append(p)
        inner_words: dict[tuple[int, int], tuple[int, int, list[str]]] = {}
        for ps in by_doc.values():
            doc = ps[0].doc_encoded  # type: ignore[attr-defined]
            rows = np.array(sorted({p.row for p in ps}), dtype=np.int64)  # type: ignore[attr-defined]
            cands = word_candidates(tables, doc, rows)
            for p in ps:
                if getattr(p, "inner", False):  # a word of a spun phrase: its candidates vary the phrase
                    if p.own.lower() not in FUNCTION_WORDS:
                        inner_words[(p.doc, p.start)] = (p.start, p.end,  # type: ignore[attr-defined]
                                                         cands[p.row][:PHRASE_WORD_OPTIONS])  # type: ignore
                    continue
                own_id = int(doc.ids[doc.word_positions[p.row]])  # type: ignore[attr-defined]
                listed = set(tables.candidates(own_id).tolist()) if own_id > 1 else set()
                names = []
                if p.ngram is not None:
                    names.append(p.ngram)
                names += cands[p.row][:THESAURUS_MAX]  # type: ignore[attr-defined]
                for c in dict.fromkeys(names):
                    if c.lower() == p.own.lower():
                        continue
                    cid = tables.vocab.index.get(c.lower(), -1)
                    p.candidates.append(c)
                    p.thesaurus.append(cid in listed)
                    p.neural.append(False)
                    p.degree.append(float(tables.in_degree[cid]) if cid > 1 else 0.0)
        for p in out:  # a spun phrase's originals, or the phrase with one of its words undone
            if not p.phrase:
                continue
            text = results[p.doc].text
            for c in self._phrase_originals(p.own):
                if c.lower() not in {x.lower() for x in p.candidates} and c.lower() != p.own.lower():
                    p.candidates.append(c)
                    p.thesaurus.append(True)
                    p.neural.append(False)
                    p.degree.append(0.0)
            for (d, a), (s, e, options) in inner_words.items():
                if d != p.doc or not p.start <= a < p.end:
                    continue
                for c in options:
                    variant = text[p.start : s] + c + text[e : p.end]
                    if variant.lower() not in {x.lower() for x in p.candidates}:
                        p.candidates.append(variant)
                        p.thesaurus.append(True)
                        p.neural.append(False)
                        p.degree.append(0.0)
        out = [p for p in out if not getattr(p, "inner", False)]
        return out

    def _phrase_originals(self, phrase: str) -> list[str]:
        """Every original the phrase table lists for ``phrase`` (as written: case carried over)."""
        from detector.detection.features import encode

        ids = encode(phrase, self.tables).ids
        table, words = self.tables.phrases, self.tables.vocab.words
        starts, lengths, which = table.find(ids)
        out = []
        for s, n, w in zip(starts.tolist(), lengths.tolist(), which.tolist()):
            if s == 0 and n == len(ids):
                out += [carry_case(phrase, " ".join(words[i] for i in o)) for o in table.originals(w)]
        return out[:PHRASE_ORIGINALS]

    def _add_neural(self, p: Piece, reading, first: int) -> None:
        """The model's own likeliest words at the piece's position, as candidates."""
        ids, _ = reading.top_tokens(first, TOP_K)
        tables = self.tables
        seen = {c.lower() for c in p.candidates} | {p.own.lower()}
        own_function = p.own.lower() in FUNCTION_WORDS
        added = 0
        for t in ids.tolist():
            word = self._token_word(t)
            if word is None or word.lower() in seen:
                continue
            low = word.lower()
            wid = tables.vocab.index.get(low, -1)
            if wid <= 1 or tables.zipf[wid] < MIN_ZIPF or (low in FUNCTION_WORDS and not own_function):
                continue
            seen.add(low)
            p.candidates.append(carry_case(p.own, word) if p.own[:1].isupper() else word)
            p.thesaurus.append(False)
            p.neural.append(True)
            p.degree.append(float(tables.in_degree[wid]))
            added += 1
            if added >= NEURAL_MAX:
                break

    # -- reading ---------------------------------------------------------------------------------
    def read(self, results, pieces: list[Piece]) -> None:
        """Read each sentence that holds pieces once; fill every piece's left and two-sided gains."""
        from detector.neural.reading import Branch

        lm, weights = self.lm, self.rereader.weights
        sentences: dict[tuple[int, int, int], list[Piece]] = {}
        for p in pieces:
            a, b = sentence_bounds(results[p.doc].text, p.start, p.end)
            sentences.setdefault((p.doc, a, b), []).append(p)
        keys = list(sentences)
        docs = [lm.tokenize(results[d].text[a:b]) for d, a, b in keys]
        where: list[list[tuple[Piece, int, int]]] = []
        for (_d, a, _), tokens, ps in zip(keys, docs, [sentences[k] for k in keys]):
            rows = []
            for p in ps:
                s, e = tokens.tokens_of(p.start - a, p.end - a)
                if e > s:
                    rows.append((p, s, e))
            where.append(rows)

        def choose(i: int, reading, start: int, end: int) -> list[Branch]:
            out = []
            text = docs[i].text
            base = keys[i][1]
            for p, s, e in where[i]:
                if not start <= s < end:
                    continue
                p.own_surprisal = float(reading.surprisal[s:e].sum())
                if not p.phrase:
                    self._add_neural(p, reading, s)
                ids = [lm.candidate_ids(text, p.start - base, c) for c in p.candidates]
                firsts = [x[0] if x else -1 for x in ids]
                ok = [j for j, f in enumerate(firsts) if f >= 0]
                p.left = [float("nan")] * len(p.candidates)
                if ok:
                    lp = reading.logprob_of(np.full(len(ok), s), np.array([firsts[j] for j in ok]))
                    for j, v in zip(ok, lp.tolist()):
                        p.left[j] = v + float(reading.surprisal[s])
                cos = [self._cosine(c, p.own) if not p.phrase else 0.0 for c in p.candidates]
                p.cosines = cos  # type: ignore[attr-defined]
                key = weights.key(np.nan_to_num(np.array(p.left, dtype=np.float64), nan=-30.0), p.thesaurus,
                                  p.degree, cos, p.neural) if p.candidates else np.zeros(0)
                # the leading few by the key, and the model's own likeliest words whatever their prior
                own = [j for j in np.argsort(-key, kind="stable").tolist() if ids[j] and not p.neural[j]]
                left = np.nan_to_num(np.array(p.left, dtype=np.float64), nan=-30.0)
                mine = [j for j in np.argsort(-left, kind="stable").tolist() if ids[j] and p.neural[j]]
                top = own[: BRANCH - min(NEURAL_BRANCH, len(mine))] + mine[:NEURAL_BRANCH]
                if hasattr(p, "parts"):  # two words chosen together: every pairing
                    top = [j for j in range(len(p.candidates)) if ids[j]]
                if p.ngram is not None and 0 not in top and ids[0]:
                    top.append(0)
                if top:
                    q = Branch(s, e, [ids[j] for j in top])
                    p.branch = (q, top)  # type: ignore[attr-defined]
                    out.append(q)
            return out

        if docs:
            lm.read(docs, choose=choose)
        for p in pieces:
            q, top = getattr(p, "branch", (None, []))
            if q is not None:
                p.gains = dict(zip(top, q.gains))

    # -- the choice ------------------------------------------------------------------------------
    def choose(self, pieces: list[Piece]) -> None:
        """Each piece's choice among its branched candidates, its features and probability."""
        weights, tables = self.rereader.weights, self.tables
        rows = []
        for p in pieces:
            if not p.gains:
                p.choice, p.features = -1, None
                continue
            js = list(p.gains)
            cos = getattr(p, "cosines", [0.0] * len(p.candidates))
            key = weights.key(np.array([p.gains[j] for j in js]), [p.thesaurus[j] for j in js],
                              [p.degree[j] for j in js], [cos[j] for j in js], [p.neural[j] for j in js])
            order = np.argsort(-key, kind="stable")
            j = js[int(order[0])]
            margin = float(key[order[0]] - key[order[1]]) if len(js) > 1 else 5.0
            p.choice = j
            c = p.candidates[j]
            words = max(len(_WORD.findall(p.own)), 1)
            zipf = [float(tables.zipf[i]) for i in (tables.vocab.index.get(w, -1) for w in _words(c)) if i > 1]
            p.features = np.array([
                float(_logit(p.word_prob)), float(p.gains[j]), margin, float(np.nan_to_num(p.left[j], nan=-10.0)),
                p.own_surprisal / words, float(p.gains[j]) / max(p.own_surprisal, 1.0), float(p.thesaurus[j]),
                float(p.degree[j]) * float(p.thesaurus[j]), float(cos[j]),
                float(p.neural[j] and not p.thesaurus[j]), float(p.ngram is not None and c == p.ngram),
                float(p.phrase), float(p.capital_mid), min(zipf, default=0.0), float(np.log1p(len(p.candidates))),
                float(p.own.lower() in FUNCTION_WORDS)])
            rows.append(p)
        cal = self.rereader.calibrator
        if rows:
            X = np.vstack([p.features for p in rows])
            probs = cal.probability(X) if cal is not None else 1 / (1 + np.exp(-X[:, 1]))
            for p, v in zip(rows, probs.tolist()):
                p.probability = float(v)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n:\"“" or "\n" in text[len(before) : start]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def _times(nats: float) -> str:
    x = float(np.exp(nats))
    return "over 1,000 times" if x >= 1000 else f"{x:.0f} times"


def span_choice(text: str, span, pieces: list[Piece], agree: float | None = None
                ) -> tuple[str | None, float, tuple, tuple[str, ...]]:
    """A span's candidate from its pieces' choices (a piece whose choice reads worse than its own
    words keeps them), its confidence (the product of the changed pieces' probabilities), its
    changes (start, end, after, word probability x choice probability) and reasons.

    ``agree``: where the sentence's choice is the n-gram stage's own, a change is as sure as the
    n-gram stage made it, times ``agree`` (the ratio of this stage's repair threshold to the n-gram
    stage's): what either stage alone would repair within its clean-text limit, and both chose."""
    parts, pos, confidence, changes, reasons = [], span.start, 1.0, [], []
    changed = False
    for p in sorted(pieces, key=lambda p: p.start):
        if p.choice < 0 or p.start < pos or p.gains.get(p.choice, 0.0) <= 0:
            continue
        after = p.after
        parts += [text[pos : p.start], after]
        pos = p.end
        changed = True
        confidence *= p.probability
        sure = p.word_prob * p.probability
        if agree is not None and p.ngram is not None and after == p.ngram:
            sure = max(sure, min(1.0, p.word_prob * p.ngram_sure * agree))
        changes.append((p.start, p.end, after, float(sure)))
        gain = p.gains[p.choice]
        if gain >= np.log(10):
            reasons.append(f"'{after}' fits this sentence far better than '{p.own}' (the neural model of English "
                           f"finds the sentence {_times(gain)} likelier with it)")
        else:
            reasons.append(f"'{after}' fits this sentence better than '{p.own}'")
    if not changed:
        return None, 0.0, (), ()
    parts.append(text[pos : span.end])
    return "".join(parts), confidence, tuple(changes), tuple(reasons)


def read_pieces(tables, lm, rereader: Rereader, results: list, only=None) -> list[Piece]:
    """The pieces of the shown spans of ``results`` (spans at or over the display threshold: those a
    person sees and those repair may apply; ``only(i, span)``: those of them it accepts), read and chosen."""
    engine = Reread(lm, tables, rereader)
    pieces = engine.pieces(results, lambda i: [(k, s) for k, s in enumerate(results[i].spans)
                                               if _read(results[i], s, rereader) and (only is None or only(i, s))])
    engine.read(results, pieces)
    engine.choose(pieces)
    joints = joint_pieces(results, pieces, rereader.weights)
    if joints:
        engine.read(results, joints)
        engine.choose(joints)
        replaced: set[int] = set()
        for j in joints:
            p, q = j.parts  # type: ignore[attr-defined]
            alone = max(p.gains.get(p.choice, 0.0), 0.0) + max(q.gains.get(q.choice, 0.0), 0.0)
            if j.choice >= 0 and j.gains[j.choice] > alone and j.after.lower() != j.own.lower():
                replaced |= {id(p), id(q)}
                pieces.append(j)
        pieces = [p for p in pieces if id(p) not in replaced]
    return pieces


JOINT_OPTIONS = 2  # each word's best candidates (besides itself) tried together with its neighbour's


def joint_pieces(results, pieces: list[Piece], weights: ChoiceWeights) -> list[Piece]:
    """Two flagged words side by side in one span, each chosen while the other was still spun
    ("worldwide variations": "international" and "versions" each read poorly beside the other's
    spun word), as one piece: every pair of their own word and best ``JOINT_OPTIONS`` candidates."""
    by_span: dict[tuple[int, int], list[Piece]] = {}
    for p in pieces:
        if not p.phrase and p.gains:
            by_span.setdefault((p.doc, p.span), []).append(p)
    out = []
    for (d, k), ps in by_span.items():
        ps.sort(key=lambda p: p.start)
        text, used = results[d].text, set()
        for p, q in zip(ps, ps[1:]):
            between = text[p.end : q.start]
            if id(p) in used or between.strip():
                continue
            options = []
            for x in (p, q):
                js = list(x.gains)
                cos = getattr(x, "cosines", [0.0] * len(x.candidates))
                key = weights.key(np.array([x.gains[j] for j in js]), [x.thesaurus[j] for j in js],
                                  [x.degree[j] for j in js], [cos[j] for j in js], [x.neural[j] for j in js])
                best = [js[int(i)] for i in np.argsort(-key, kind="stable")[:JOINT_OPTIONS]]
                options.append([(x.own, True, False)] + [(x.candidates[j], x.thesaurus[j], x.neural[j]) for j in best])
            joint = Piece(d, k, p.start, q.end, text[p.start : q.end], max(p.word_prob, q.word_prob), True)
            for a, ta, na in options[0]:
                for b, tb, nb in options[1]:
                    if a == p.own and b == q.own:
                        continue
                    joint.candidates.append(a + between + b)
                    joint.thesaurus.append(ta and tb)
                    joint.neural.append(na or nb)
                    joint.degree.append(0.0)
            joint.parts = (p, q)  # type: ignore[attr-defined]
            used |= {id(p), id(q)}
            out.append(joint)
    return out


def _read(result, span, rereader: Rereader) -> bool:
    """Is the span re-read: shown to people, or sure enough that repair may apply it."""
    return span.score >= min(result.display_threshold, rereader.repair_threshold)


def reread_results(scorer, results: list, rereader: Rereader, lm, keep_pieces: bool = False, only=None) -> list:
    """``results`` with each span's candidate, suggestion, confidence, changes and reasons chosen by
    re-reading its sentence (spans of documents the screen settled have none; ``only(i, span)``:
    the shown spans to re-read, the others keep the n-gram choice but no change)."""
    idx = [i for i, r in enumerate(results) if r.spans]
    if not idx:
        return [replace(r, reread=True) for r in results]
    sub = [results[i] for i in idx]
    pieces = read_pieces(scorer.model.tables, lm, rereader, sub,
                         None if only is None else (lambda n, span: only(idx[n], span)))
    by_span: dict[tuple[int, int], list[Piece]] = {}
    for p in pieces:
        by_span.setdefault((p.doc, p.span), []).append(p)
    out = list(results)
    ngram = getattr(scorer.model, "repair_threshold", None)
    agree = rereader.repair_threshold / ngram if ngram else None
    for n, (i, r) in enumerate(zip(idx, sub)):
        spans = []
        for k, span in enumerate(r.spans):
            if not _read(r, span, rereader) or (only is not None and not only(i, span)):  # not read
                spans.append(replace(span, changes=()))
                continue
            ps = by_span.get((n, k), [])
            candidate, confidence, changes, reasons = span_choice(r.text, span, ps, agree)
            shown = candidate is not None and confidence >= rereader.suggestion_threshold
            other = [x for x in span.reasons if not _suggestion_reason(x)]
            if not shown and not any("no original is clear" in x for x in other):
                other.insert(0, "a more usual wording would fit this context far better, but no original is "
                                "clear enough to suggest")
            why = (list(reasons[:2]) if shown else []) + other
            new = replace(span, candidate=candidate, suggestion=candidate if shown else None,
                          suggestion_confidence=confidence if candidate is not None else 0.0, changes=changes,
                          reasons=tuple(why[:3]) or span.reasons, change_reasons=reasons)
            if keep_pieces:
                object.__setattr__(new, "_pieces", ps)
            spans.append(new)
        out[i] = replace(r, spans=tuple(spans))
    return [replace(r, reread=True) for r in out]


def _suggestion_reason(reason: str) -> bool:
    """A reason that names the n-gram stage's suggestion (replaced by the sentence's own)."""
    return reason.startswith("'") and any(x in reason for x in (" fits this context", "is a phrase spinners write",
                                                                 "most likely stood for"))
