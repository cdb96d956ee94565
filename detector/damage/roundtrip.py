"""Where machine-translation round-trip damage is scored, per sentence and per document.

>>> damage = roundtrip_damage('"It is touching," said Jia Yuxuan, a researcher at the center. '
...                           'China and Globalization, Beijing Think Tank. She lives in China Lived for 10 years.')
>>> [s["text"] for s in damage["spans"]]
['China and Globalization, Beijing Think Tank.', 'She lives in China Lived for 10 years.']
>>> damage["spans"][1]["reasons"][0]
"'Lived' is capitalised in mid-sentence, as if a sentence of another language began there"

Two kinds of evidence, kept apart in the reasons:

* **Signs in news prose** (``_rules``), which a round trip leaves and native copy rarely has: a
  common word capitalised in mid-sentence ("who lives in China Lived for 10 years"), a run of
  names set apart as a sentence ("at the center. China and Globalization, Beijing Think Tank."), a
  quotation cut and restarted or left dangling (``on board." on the platform".``).
* **A sentence model** (``RoundTripModel``): logistic regression over hashed word 1-3-grams and
  character 2-5-grams, trained on round trips of short English utterances through French,
  Spanish, Italian, German and Dutch (``../shared/corpus/roundtrip-hwu64``) against their sources,
  on lower-cased text without final punctuation, so that it cannot learn capitalisation. It ranks
  held-out round trips of *utterances* well, but on news prose it gives clean and round-tripped
  articles the same mean (~0.77 on seeds 001, 002 and 004), so it enters a sentence's score with a
  small weight and not the document score.

A sentence's score is ``1 - (1 - MODEL_WEIGHT * p) * prod(1 - rule)``, so the model alone never
reaches ``SPAN_FROM``; the document's score rises with the rules' evidence beyond what a clean
article shows (:func:`doc_score`), set so that clean Reuters articles stay under ``DAMAGED_FROM``
(benchmarks/mt_damage.py).
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

import numpy as np

from detector.errors import ModelError
from detector.text.language import FUNCTION_WORDS

MODEL_WEIGHT = 0.3
SPAN_FROM = 0.5  # sentence score from which a sentence is reported as a span
DAMAGED_FROM = 0.5  # document score from which a document is called damaged
FORGIVEN = 0.6  # rule strength a document may show without any score (one sign)
PER_SENTENCE = 0.01  # ... and more per sentence, for long texts
N_FEATURES = 1 << 20
MODEL_FORMAT = 1
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"”’)]*|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CUT_QUOTE = re.compile(r"\.[\"”]\s+[a-z]")  # ' board." on the platform' (not '," he said')
_NAME_JOINERS = frozenset("and of the for de du van von".split())
_AFTER_CAPITALISED = frozenset("for in on at to with by from as the a an of".split())
_NOT_SENTENCE_END = ("mr", "mrs", "ms", "dr", "st", "co", "corp", "inc", "ltd", "jan", "feb", "mar", "apr", "jun",
                     "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "gov", "sen", "rep", "gen", "u.s",
                     "u.k", "u.n", "e.g", "i.e")


def default_model_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "roundtrip"


class RoundTripModel:
    """P(a sentence is a machine-translation round trip), from hashed n-grams (no vocabulary)."""

    def __init__(self, index: np.ndarray, coef: np.ndarray, intercept: float, info: dict):
        self.weights = np.zeros(N_FEATURES * 2, dtype=np.float32)
        self.weights[index] = coef
        self.intercept, self.info = intercept, info

    @staticmethod
    def features(sentences: list[str]):
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import HashingVectorizer

        texts = [normalise(s) for s in sentences]
        words = HashingVectorizer(ngram_range=(1, 3), n_features=N_FEATURES, alternate_sign=False, norm="l2")
        chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES,
                                  alternate_sign=False, norm="l2")
        return sp.hstack([words.transform(texts), chars.transform(texts)]).tocsr()

    def predict(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        z = self.features(sentences) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, folder: Path, card: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        index = np.nonzero(self.weights)[0].astype(np.int32)
        np.savez_compressed(folder / "weights.npz", index=index, coef=self.weights[index])
        meta = {"format": MODEL_FORMAT, "intercept": self.intercept, "n_features": N_FEATURES, **self.info}
        (folder / "model.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | None = None) -> RoundTripModel:
        folder = Path(folder or default_model_dir())
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            if meta.get("format") != MODEL_FORMAT or meta.get("n_features") != N_FEATURES:
                raise ModelError(f"round-trip model {folder} has another format; retrain it with "
                                 "`detector train-roundtrip`")
            with np.load(folder / "weights.npz", allow_pickle=False) as data:
                return cls(data["index"], data["coef"], float(meta["intercept"]), meta)
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"cannot load the round-trip model from {folder}: {err}") from err


@functools.lru_cache(maxsize=2)
def get_model(folder: str | None = None) -> RoundTripModel:
    return RoundTripModel.load(Path(folder) if folder else None)


def normalise(sentence: str) -> str:
    """What the sentence model sees: lower case, no final punctuation or quotes."""
    return re.sub(r"[\s.?!\"”’]+$", "", sentence.strip()).lower()


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of paragraphs: a line break ends one only after sentence-final punctuation or
    before a blank line; otherwise it is a soft wrap (newswire wraps lines mid-sentence)."""
    out, start = [], 0
    for m in re.finditer(r"\n", text):
        before = text[start : m.start()].rstrip()
        after = text[m.end() : m.end() + 1]
        if not before or before[-1] in ".!?\"”’:)" or after in ("\n", "") or not before.strip():
            if before.strip():
                out.append(_trim(text, start, m.start()))
            start = m.end()
    if text[start:].strip():
        out.append(_trim(text, start, len(text)))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence (abbreviations such as "U.S." and initials do not end one)."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in paragraphs(text):
        paragraph = text[p_start:p_end]
        start = p_start
        for m in _SENTENCE.finditer(paragraph):
            if not m.group().strip():
                continue
            end = p_start + m.end()
            tail = m.group().rstrip(".!?\"”’) ").lower().split()
            last = tail[-1] if tail else ""
            if (last in _NOT_SENTENCE_END or re.fullmatch(r"<?[a-z]", last)) and end < p_end:
                continue  # the sentence goes on past "Mr.", "U.S." or an initial
            s, e = _trim(text, start, end)
            if e > s:
                out.append((s, e))
            start = end
        if start < p_end:
            s, e = _trim(text, start, p_end)
            if e > s:
                out.append((s, e))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _rules(text: str, start: int, end: int, previous: tuple[int, int] | None, line: str,
           line_start: int, zipf) -> list[tuple[float, str]]:
    """``line``: the sentence's paragraph, starting at ``line_start``."""
    """Signs of a round trip in one sentence of news prose: (strength, reason)."""
    sentence = text[start:end]
    found: list[tuple[float, str]] = []
    words = list(_WORD.finditer(sentence))
    for k in range(1, len(words) - 1):
        word, before, after = words[k].group(), sentence[: words[k].start()].rstrip(), words[k + 1].group()
        if not (word[0].isupper() and word[1:].islower() and after[0].islower()):
            continue
        if not before or before[-1] in ".:;!?\"“”'‘’—–-(":
            continue
        lower = word.lower()
        # "China Lived for": a verb form capitalised before a preposition (names such as "Beijing",
        # "United", "Fed" are not verb forms before one)
        verb_like = (lower.endswith("ed") and len(lower) > 4 and "-" not in lower and zipf(lower) >= 3.5
                     and after.lower() in _AFTER_CAPITALISED)
        if (lower in FUNCTION_WORDS and lower not in ("i", "may", "will", "one", "new", "first")) or verb_like:
            found.append((0.6, f"'{word}' is capitalised in mid-sentence, as if a sentence of another language "
                               "began there"))
            break
    names = [w.group() for w in words if w.group().lower() not in _NAME_JOINERS]
    if (previous is not None and 3 <= len(words) <= 10 and sentence.endswith(".") and len(names) >= 2
            and all(w[0].isupper() for w in names) and text[previous[1] - 1] == "."):
        found.append((0.6, "a run of names set apart as a sentence: a name or title broken by the translation"))
    local = (start - line_start, end - line_start)
    for m in _CUT_QUOTE.finditer(line):
        if local[0] <= m.end() - 1 < local[1] and m.start() >= local[0] - 3:
            found.append((0.7, "a quotation closed and then continued in lower case: a sentence cut and restarted"))
            break
    if re.match(r"\s+[\"“]\s*$", line[local[1] :]):
        found.append((0.7, "a dangling quotation mark with nothing after it"))
    return found


def doc_score(flags: float, n_sentences: int) -> float:
    """Document score from the summed rule strengths of its sentences: one sign is forgiven (a
    single odd sentence happens in any copy), and long texts are allowed ``PER_SENTENCE`` more."""
    excess = flags - FORGIVEN - PER_SENTENCE * n_sentences
    return 1.0 - math.exp(-excess) if excess > 0 else 0.0


def roundtrip_damage(text: str, model: RoundTripModel | None = None, skip: list[tuple[int, int]] = ()) -> dict:
    """``{"score", "verdict", "sentences", "spans"}`` for round-trip damage; ``skip``: ranges (lines
    in other languages) left out. Spans have the form of spinning spans (start, end, text, score,
    reasons) plus the sentence model's probability. The model only runs on sentences a rule flags:
    alone it never reaches ``SPAN_FROM``, and the document score does not use it."""
    found = _sentence_rules(text, skip)
    flagged = [(s, e, rules) for s, e, rules in found if rules]
    probs = (model or get_model()).predict([text[s:e] for s, e, _ in flagged])
    spans, flags = [], 0.0
    for (s, e, rules), p in zip(flagged, probs):
        score = combine(float(p), [strength for strength, _ in rules])
        flags += sum(strength for strength, _ in rules)
        if score >= SPAN_FROM:
            spans.append({"start": s, "end": e, "text": text[s:e], "score": round(score, 4),
                          "reasons": [reason for _, reason in rules][:3], "model": round(float(p), 4)})
    score = doc_score(flags, len(found))
    return {"score": round(score, 4), "verdict": "damaged" if score >= DAMAGED_FROM else "clean",
            "sentences": len(found), "spans": spans}


def combine(model_probability: float, strengths: list[float]) -> float:
    """A sentence's score from the model's probability and the strengths of the rules it breaks."""
    keep = 1.0 - MODEL_WEIGHT * model_probability
    for strength in strengths:
        keep *= 1.0 - strength
    return 1.0 - keep


def sentence_scores(texts: list[str], model: RoundTripModel | None = None) -> np.ndarray:
    """The score of each text taken as one sentence (rules and model), e.g. for benchmarks."""
    probs = (model or get_model()).predict(texts)
    out = np.zeros(len(texts))
    for i, (text, p) in enumerate(zip(texts, probs)):
        strengths = [strength for _, _, rules in _sentence_rules(text, ()) for strength, _ in rules]
        out[i] = combine(float(p), strengths)
    return out


def _sentence_rules(text: str, skip) -> list[tuple[int, int, list[tuple[float, str]]]]:
    """Each sentence (outside ``skip``) with the rules it breaks."""
    from detector.lexicon.lexicon import get_lexicon

    zipf = get_lexicon().zipf
    blocks = paragraphs(text)
    block_starts = [b[0] for b in blocks]
    out = []
    previous = None
    for s, e in sentences(text):
        if any(a <= s < b for a, b in skip) or not _WORD.search(text[s:e]):
            continue
        line_start, line_end = blocks[int(np.searchsorted(block_starts, s, side="right")) - 1]
        same_paragraph = previous if previous is not None and previous[1] > line_start else None
        out.append((s, e, _rules(text, s, e, same_paragraph, text[line_start:line_end], line_start, zipf)))
        previous = (s, e)
    return out
