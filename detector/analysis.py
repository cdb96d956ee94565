"""Where the evidence of the stages meets: spinning scores with the other damage beside them.

>>> result = Analyzer().score("Users welcomed the app on Wednesday, the company said in a statement.")
>>> sorted(result.extra["damage"])
['interleaved_translation', 'mt_provenance', 'mt_roundtrip', 'repeated_lines', 'translation_mismatch']

Detection (:mod:`detector.detection.scoring`) and machine-translation and line damage
(:mod:`detector.damage`) know nothing of each other; this layer, above both, scores a text for
spinning and adds its damage report (``extra["damage"]``), reusing the spinning features the
damage models read. The CLI, the batch cleaner and the web page use an :class:`Analyzer` where a
report of everything is wanted, and a plain :class:`~detector.detection.scoring.Scorer` where
spinning alone is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from detector.damage.gather import damage_many
from detector.detection.model import Model
from detector.detection.scoring import Scorer, ScoreResult


class Analyzer(Scorer):
    """A :class:`Scorer` whose results also carry the damage report (``damage=True``, the default).

    Reporting damage needs every document's features, so batches are then scored exhaustively
    (never screened)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None, damage: bool = True,
                 screen: bool = True, neural: bool | None = None, neural_budget: float = 1.0,
                 neural_threads: int | None = None):
        super().__init__(model, threshold, screen=screen, neural=neural, neural_budget=neural_budget,
                         neural_threads=neural_threads)
        self.damage = damage
        self._damage_neural = neural

    @property
    def damage_lm(self):
        """The neural model for the word-salad stage of the damage report: the scorer's own when it
        reads with one, else the installed model unless ``neural=False`` (``None``: n-gram only)."""
        if self.lm is not None or self._damage_neural is False:
            return self.lm
        from detector.damage.salad import default_language_model

        return default_language_model()

    def score_many(self, texts: Sequence[str], ids: Sequence[object] | None = None,
                   keep_tokens: bool = False, exhaustive: bool = False) -> list[ScoreResult]:
        if not self.damage:
            return super().score_many(texts, ids, keep_tokens, exhaustive)
        results = super().score_many(texts, ids, keep_tokens=True, exhaustive=True)
        damages = damage_many(list(texts), None, [r.tokens.features for r in results], self.damage_lm)
        return [replace(r, extra={**r.extra, "damage": d}, tokens=r.tokens if keep_tokens else None)
                for r, d in zip(results, damages)]


def score(text: str, threshold: float | None = None, model: Model | None = None, damage: bool = True) -> ScoreResult:
    """Score one text with the shipped model (or ``model``), with its damage report (``extra``);
    see :class:`~detector.detection.scoring.ScoreResult`."""
    return Analyzer(model, threshold, damage=damage).score(text)
