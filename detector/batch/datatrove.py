"""Where detector plugs into datatrove pipelines (``pip install 'detector[datatrove]'``).

    from datatrove.executor import LocalPipelineExecutor   # or SlurmPipelineExecutor, RayPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from detector.datatrove import SpinFilter, SpinRepairFormatter

    LocalPipelineExecutor(pipeline=[
        JsonlReader("crawl/"),
        SpinFilter(exclusion_writer=JsonlWriter("out/rejected")),   # drop spun documents, with a reason
        SpinRepairFormatter(),                                      # repair what is left
        JsonlWriter("out/kept"),
    ], tasks=8, workers=2, logging_dir="out/logs").run()

:class:`SpinFilter` scores documents in batches and stores the score in ``doc.metadata["detector"]``
(score, verdict, spans, model), kept apart from the keep/drop decision: with ``drop=False`` it only
annotates. Dropped documents carry the reason ``spun`` (datatrove counts it as ``dropped_spun``).
:class:`SpinRepairFormatter` replaces a document's text by its repair and keeps the input text in
``doc.metadata["detector_original_text"]`` when it changed anything. Both load the model lazily, once
in each task's process, so the steps pickle small and start fast on any executor. Scheduling,
retries and completion tracking are datatrove's.
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.utils.typeshelper import StatHints

_SCORERS: dict = {}


def _scorer(model_dir: str | None, threshold: float | None, exhaustive: bool = False):
    key = (model_dir, threshold, exhaustive)
    if key not in _SCORERS:  # once per process, on first use
        from detector.detection.model import load_model
        from detector.detection.scoring import Scorer

        model = load_model(model_dir)
        model.compile()  # natively compiled trees when lleaves is installed (detector[fast])
        _SCORERS[key] = Scorer(model, threshold, screen=not exhaustive, neural_threads=1)
    return _SCORERS[key]


class SpinFilter(BaseFilter):
    """Annotate documents with their spinning score; drop the spun ones (unless ``drop=False``).

    Clearly clean documents are settled by the screen (``"screened": true`` in their annotation)
    unless ``exhaustive=True``."""

    name = "🌀 detector spin filter"

    def __init__(self, threshold: float | None = None, drop: bool = True, model_dir: str | None = None,
                 exclusion_writer=None, batch_size: int = 64, metadata_key: str = "detector",
                 exhaustive: bool = False):
        super().__init__(exclusion_writer, batch_size)
        self.threshold, self.drop, self.model_dir, self.metadata_key = threshold, drop, model_dir, metadata_key
        self.exhaustive = exhaustive

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        scorer = _scorer(self.model_dir, self.threshold, self.exhaustive)
        results = scorer.score_many([doc.text for doc in batch], [doc.id for doc in batch])
        out: list[bool | tuple[bool, str]] = []
        for doc, result in zip(batch, results):
            annotation = {k: v for k, v in result.to_dict().items() if k != "id"}
            doc.metadata[self.metadata_key] = annotation
            self.stat_update(f"verdict_{result.verdict}")
            out.append((False, "spun") if self.drop and result.verdict == "spun" else True)
        return out


class SpinRepairFormatter(BaseFormatter):
    """Replace each document's text by its repair (the detector's suggestions, or a dictionary)."""

    name = "🩹 detector repair"

    def __init__(self, model_dir: str | None = None, dictionary: str | None = None):
        super().__init__()
        self.model_dir, self.dictionary = model_dir, dictionary
        self._dictionary = None

    def format(self, text: str) -> str:
        from detector.repair.repair import Dictionary, repair

        if self.dictionary and self._dictionary is None:
            self._dictionary = Dictionary.load(self.dictionary)
        return repair(text, dictionary=self._dictionary, scorer=_scorer(self.model_dir, None)).text

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                fixed = self.format(doc.text)
            if fixed != doc.text:
                self.stat_update("repaired")
                doc.metadata["detector_original_text"] = doc.text
                doc.text = fixed
            yield doc
