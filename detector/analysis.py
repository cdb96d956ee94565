"""Where the evidence of the stages meets: spinning scores with the other damage beside them.

>>> result = Analyzer().score("Users welcomed the app on Wednesday, the company said in a statement.")
>>> sorted(result.extra["damage"])
['interleaved_translation', 'mt_provenance', 'mt_roundtrip', 'repeated_lines', 'translation_mismatch']
>>> result = Analyzer(damage=False).score("We train a counterfeit consciousness model on the data set.")
>>> [(s.text, s.suggestion) for s in result.spans]
[('counterfeit consciousness', 'artificial intelligence')]
>>> result.spans[0].reasons[0]  # doctest: +ELLIPSIS
'listed by the Problematic Paper Screener (found in ... papers)'
>>> result.extra["tortured"]["known"], result.extra["tortured"]["verdict"]
(1, 'suspicious')

Detection (:mod:`detector.detection.scoring`) and machine-translation and line damage
(:mod:`detector.damage`) know nothing of each other; this layer, above both, scores a text for
spinning and adds its damage report (``extra["damage"]``), reusing the spinning features the
damage models read, and its tortured-phrase report (``extra["tortured"]``, :mod:`detector.tortured`):
known phrases of the Problematic Paper Screener's list and probable new ones become spans with
their reasons and the expected phrase as suggestion, in place of any spinning span they overlap. The
CLI, the batch cleaner and the web page use an :class:`Analyzer` where a report of everything is
wanted, and a plain :class:`~detector.detection.scoring.Scorer` where spinning alone is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from detector.damage.gather import damage_many
from detector.detection.model import Model
from detector.detection.scoring import Scorer, ScoreResult, Span

KNOWN_SCORE = 0.99  # a span's score for a phrase on the PPS list (its suggestion's confidence too)


class Analyzer(Scorer):
    """A :class:`Scorer` whose results also carry the damage report (``damage=True``, the default).

    Reporting damage needs every document's features, so batches are then scored exhaustively
    (never screened)."""

    def __init__(self, model: Model | None = None, threshold: float | None = None, damage: bool = True,
                 screen: bool = True, neural: bool | None = None, neural_budget: float = 1.0,
                 neural_threads: int | None = None, device: str = "cpu", tortured: bool | object = True,
                 reread: bool | None = None):
        """``tortured``: add the tortured-phrase report (True: the shipped list and new-phrase model;
        or a :class:`~detector.tortured.screen.TorturedScreen` to use instead; False: none)."""
        super().__init__(model, threshold, screen=screen, neural=neural, neural_budget=neural_budget,
                         neural_threads=neural_threads, device=device, reread=reread)
        self.damage = damage
        self._damage_neural, self._neural_threads, self._device = neural, neural_threads, device
        self._tortured = tortured

    @property
    def damage_lm(self):
        """The neural model for the word-salad stage of the damage report: the scorer's own (or its
        rereading's) when it reads with one, else the installed model unless ``neural=False`` or, with
        ``neural=None``, ``DETECTOR_NEURAL=off`` (``None``: n-gram only)."""
        if self.lm is not None or self._damage_neural is False:
            return self.lm
        if self.reread_lm is not None:
            return self.reread_lm
        from detector.damage.salad import default_language_model

        return default_language_model(self._damage_neural, self._neural_threads, self._device)

    @property
    def tortured(self):
        """The :class:`~detector.tortured.screen.TorturedScreen` in use (loaded on first use), or None."""
        if self._tortured is True:
            from detector.tortured.screen import TorturedScreen

            self._tortured = TorturedScreen.load(tables=self.model.tables)
        return self._tortured or None

    def score_many(self, texts: Sequence[str], ids: Sequence[object] | None = None,
                   keep_tokens: bool = False, exhaustive: bool = False, reread: bool = True,
                   locate: Sequence[Callable[[int], dict] | None] | None = None) -> list[ScoreResult]:
        """As :meth:`Scorer.score_many`, with the damage and tortured-phrase reports; ``locate``: per
        text, a function giving the page and section of an offset (papers read from PDF)."""
        if not self.damage:
            results = super().score_many(texts, ids, keep_tokens, exhaustive, reread)
        else:
            results = super().score_many(texts, ids, keep_tokens=True, exhaustive=True, reread=reread)
            damages = damage_many(list(texts), None, [r.tokens.features for r in results], self.damage_lm)
            results = [replace(r, extra={**r.extra, "damage": d}, tokens=r.tokens if keep_tokens else None)
                       for r, d in zip(results, damages)]
        if self.tortured is None:
            return results
        locate = list(locate) if locate is not None else [None] * len(results)
        return [self._with_tortured(r, f) for r, f in zip(results, locate)]

    def _with_tortured(self, result: ScoreResult, locate) -> ScoreResult:
        if result.verdict == "not-english":
            return result
        report = self.tortured.screen(result.text, locate)
        if not report["findings"]:
            return replace(result, extra={**result.extra, "tortured": report})
        spans = [s for s in result.spans
                 if not any(s.start < f["end"] and f["start"] < s.end for f in report["findings"])]
        for f in report["findings"]:
            score = KNOWN_SCORE if f["kind"] == "known" else f["score"]
            sure = score if f["expected"] else 0.0
            changes = ((f["start"], f["end"], f["expected"], sure),) if f["expected"] else ()
            spans.append(Span(f["start"], f["end"], f["text"], score, (f["reason"],), f["expected"], sure, changes,
                              f["expected"]))
        spans.sort(key=lambda s: s.start)
        return replace(result, spans=tuple(spans), extra={**result.extra, "tortured": report})


def score(text: str, threshold: float | None = None, model: Model | None = None, damage: bool = True,
          tortured: bool = True) -> ScoreResult:
    """Score one text with the shipped model (or ``model``), with its damage and tortured-phrase
    reports (``extra``); see :class:`~detector.detection.scoring.ScoreResult`."""
    return Analyzer(model, threshold, damage=damage, tortured=tortured).score(text)
