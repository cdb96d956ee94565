"""The broad model of English: lookups against pocketsphinx itself, unknown words, the cache, bad files."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from detector.errors import ResourceError
from detector.lexicon.broad_lm import BroadLM, model_path, read_trie
from detector.lexicon.counts import NgramCounts
from detector.lexicon.hashtable import IntHashTable
from detector.lexicon.tables import Vocabulary

WORDS = ["<num>", "<unk>", "the", "phone", "telephone", "number", "quantity", "of", "users", "customers", "chinese",
         "podcast", "online", "on", "line", "said", "it", "was", "zzqx"]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(WORDS)


@pytest.fixture(scope="module")
def lm(vocab):
    return BroadLM.for_vocabulary(vocab)


def ids(vocab, *words):
    return np.array([vocab.id(w) if w else -1 for w in words], dtype=np.int64)


def test_log_probabilities_match_pocketsphinx(vocab, lm):
    pocketsphinx = pytest.importorskip("pocketsphinx")
    reference = pocketsphinx.NGramModel(pocketsphinx.Config(), pocketsphinx.LogMath(), str(model_path()))
    triples = [("the", "phone", "number"), ("of", "the", "users"), ("said", "it", "was"), ("chinese", "users", "said"),
               ("telephone", "quantity", "of"), ("it", "was", "online")]
    ours = lm.logprob(*(ids(vocab, *col) for col in zip(*triples)))
    for (a, b, c), value in zip(triples, ours):
        expected = reference.prob([c, b, a]) * math.log10(1.0001)
        assert abs(value - expected) < 1e-3, (a, b, c)
    # a boundary (no history) gives the bigram and unigram estimates
    two = lm.logprob(ids(vocab, ""), ids(vocab, "phone"), ids(vocab, "number"))[0]
    assert abs(two - reference.prob(["number", "phone"]) * math.log10(1.0001)) < 1e-3


def test_the_spinners_phrase_is_far_less_likely(vocab, lm):
    spun, original = lm.logprob(ids(vocab, "", ""), ids(vocab, "telephone", "phone"), ids(vocab, "quantity", "number"))
    assert original - spun > 3


def test_a_word_the_model_does_not_know_is_no_evidence(vocab, lm):
    # "podcast" and "zzqx" are not in pocketsphinx's vocabulary: no probability (NaN), never a low one
    unknown = lm.logprob(ids(vocab, "the", "the"), ids(vocab, "chinese", "chinese"), ids(vocab, "podcast", "zzqx"))
    assert np.isnan(unknown).all()
    assert not lm.known[vocab.id("podcast")] and lm.known[vocab.id("users")]
    # as history it shortens the context instead
    after = lm.logprob(ids(vocab, "podcast"), ids(vocab, "the"), ids(vocab, "users"))[0]
    assert after == pytest.approx(lm.logprob(ids(vocab, ""), ids(vocab, "the"), ids(vocab, "users"))[0])


def test_unknown_words_get_no_model_gain_in_token_features():
    from detector.detection.features import FEATURE_NAMES, LM_NEUTRAL_LIFT, encode, token_features
    from detector.detection.model import load_model

    tables = load_model().tables
    doc = encode("We recorded a podcast about the wifi in the midfielder's house.", tables)
    features = token_features(doc, tables)
    rows = {doc.tokens[p]: i for i, p in enumerate(doc.word_positions.tolist())}
    for word in ("podcast", "wifi"):
        assert not tables.lm.known[tables.vocab.id(word)]
        row = features[rows[word]]
        assert row[FEATURE_NAMES.index("lm_gain")] == 0
        assert row[FEATURE_NAMES.index("lm_lift")] == LM_NEUTRAL_LIFT
        assert row[FEATURE_NAMES.index("lm_unlisted_left")] == 0 and row[FEATURE_NAMES.index("lm_unlisted_right")] == 0


def test_damaged_model_file_is_one_line_with_the_fix(tmp_path):
    bad = tmp_path / "en-us.lm.bin"
    bad.write_bytes(model_path().read_bytes()[:100_000])
    with pytest.raises(ResourceError, match="damaged.*pip install"):
        read_trie(bad)
    bad.write_bytes(b"not a language model at all")
    with pytest.raises(ResourceError, match="pip install"):
        read_trie(bad)


def test_missing_or_damaged_model_from_the_command_line(tmp_path):
    env = {**os.environ, "DETECTOR_CACHE_DIR": str(tmp_path / "cache")}
    lexicon_cache = next((p for p in _cache_root().glob("lexicon-*") if (p / "manifest.json").exists()), None)
    if lexicon_cache is not None:  # reuse the lexicon: only the broad model must be read again
        shutil.copytree(lexicon_cache, tmp_path / "cache" / lexicon_cache.name)
    text = tmp_path / "a.txt"
    text.write_text("The company said users can find the phone number online. " * 6, encoding="utf-8")
    for target in (tmp_path / "missing.lm.bin", tmp_path / "truncated.lm.bin"):
        if target.name.startswith("truncated"):
            target.write_bytes(model_path().read_bytes()[:5000])
        run = subprocess.run([sys.executable, "-m", "detector", "score", str(text)], capture_output=True, text=True,
                             env={**env, "DETECTOR_BROAD_LM": str(target)})
        assert run.returncode == 3, run.stderr
        lines = [line for line in run.stderr.splitlines() if line.startswith("detector: error")]
        assert len(lines) == 1 and "pocketsphinx" in lines[0] and "Traceback" not in run.stderr


def test_cache_is_reused_and_a_flipped_byte_rebuilds_it(vocab, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DETECTOR_CACHE_DIR", str(tmp_path))
    first = BroadLM.for_vocabulary(vocab)
    assert "once" in capsys.readouterr().err
    folder = next(tmp_path.glob("broad-lm-*"))
    again = BroadLM.for_vocabulary(vocab)
    assert capsys.readouterr().err == ""
    probe = ids(vocab, "the"), ids(vocab, "phone"), ids(vocab, "number")
    assert again.logprob(*probe) == pytest.approx(first.logprob(*probe))
    victim = folder / "bi_col0.npy"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    rebuilt = BroadLM.for_vocabulary(vocab)
    assert "once" in capsys.readouterr().err
    assert rebuilt.logprob(*probe) == pytest.approx(first.logprob(*probe))


def test_hash_table_extra_columns_and_state():
    keys = np.array([5, 17, 2**40, 3], dtype=np.int64)
    table = IntHashTable(keys, np.array([1, 2, 3, 4], np.float32), extra=(np.array([10, 20, 30, 40], np.float32),))
    slots = table.slots(np.array([17, 99, -1, 2**40]))
    assert slots[1] == -1 and slots[2] == -1
    assert table.columns[1][slots[[0, 3]]].tolist() == [20, 30]
    again = IntHashTable.from_state(table.state("t"), "t")
    assert again.get(keys).tolist() == [1, 2, 3, 4] and again.get(np.array([-5, 6]), np.nan).tolist()[1] != 0


def test_counts_prune_and_pair():
    vocab = Vocabulary(["<num>", "<unk>", "a", "b", "c"])
    counts = NgramCounts.count(vocab, ["a b c. a b", "a b c 5"], chunk_tokens=3)
    assert counts.bigram_count(2, 3) == 3 and counts.trigram_count(2, 3, 4) == 2
    assert counts.trigram_count(3, 4, 0) == 1  # numbers are counted as <num>
    assert counts.pruned(3).trigram_count(2, 3, 4) == 0
    assert counts.bigram_pairs()[(2, 3)] == 3


def _cache_root():
    from detector.lexicon.resources import cache_root

    return cache_root()
