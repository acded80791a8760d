"""Shared machinery of the model-backed components: batching across docs, loading the
model file and sharing one batch's token arrays between the models.

A component that called its scikit-learn model once per sentence would spend most of its
time in per-call overhead. Each model component therefore implements ``pipe``: it gathers
every sentence of a batch of docs, vectorises them together, predicts once, then writes the
results back. ``__call__`` is just a batch of one.

Every model reads the same body-sentence tokens, so the first model component to see a batch
lays them out once (:class:`~analyser.vectorise.TokenBatch`) and attaches them to the batch's
docs; the model components after it in the pipeline find them there. The last model component
of the pipeline (read from the `Language` at run time, so ``select_pipes`` and stages that
stop early are honoured) detaches them: finished docs carry no arrays and stay plain data for
``Doc.to_bytes``. A TokenBatch holds no reference to its docs, so one left attached (say, by a
per-call ``disable=``) lives only as long as those docs.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from ..models import load_model
from ..vectorise import FeatureIndex, TokenBatch


class BatchComponent:
    """Base for components that process docs in batches (subclasses implement `process`)."""

    name: str = "batch_component"
    batch_size: int = 256

    def __call__(self, doc: Doc) -> Doc:
        self.process([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            self.process(batch)
            yield from batch

    def process(self, docs: list[Doc]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ModelComponent(BatchComponent):
    """Base for components backed by a model file (subclasses implement `annotate`).

    Loads the bundle of `task` (``model_path`` or the shipped file, checked against the
    manifest unless ``trust_model``), keeps its version, builds a
    :class:`~analyser.vectorise.FeatureIndex` for each model in `token_models` (those read
    word and character features) and gives `annotate` the batch's shared TokenBatch.
    `nlp`, the pipeline the component belongs to, tells it whether a model component follows.
    """

    task: ClassVar[str]
    token_models: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, *, model_path: str | None = None, trust_model: bool = False,
                 nlp: Language | None = None) -> None:
        self.name = name
        self.bundle: dict[str, Any] = load_model(self.task, model_path, trust=trust_model)
        self.models: dict[str, Any] = self.bundle["models"]
        self.version: str | None = self.bundle.get("version")
        self.indexes = {m: FeatureIndex(self.models[m].index) for m in self.token_models}
        # weak: the pipeline owns its components, not the other way round
        self._nlp = None if nlp is None else weakref.ref(nlp)

    def process(self, docs: list[Doc]) -> None:
        batch = TokenBatch.shared(docs)
        try:
            self.annotate(docs, batch)
        finally:
            if not self.batch_needed_later():
                TokenBatch.release(docs)

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:  # pragma: no cover
        raise NotImplementedError

    def token_batch(self, docs: list[Doc]) -> TokenBatch:
        """The TokenBatch attached to exactly these docs, else a new one left unattached
        (for scoring docs outside a pipeline run)."""
        batch = TokenBatch.attached(docs)
        return TokenBatch.from_docs(docs) if batch is None else batch

    def batch_needed_later(self) -> bool:
        """Whether a model component runs after this one in its pipeline (one run on its
        own, outside a pipeline, shares its batch with nobody)."""
        nlp = None if self._nlp is None else self._nlp()
        if nlp is None:
            return False
        procs = [proc for _, proc in nlp.pipeline]
        for i, proc in enumerate(procs):
            if proc is self:
                return any(isinstance(p, ModelComponent) for p in procs[i + 1 :])
        return False
