"""Shared machinery of the model-backed components: batching across docs.

A component that called its scikit-learn model once per sentence would spend most of its
time in per-call overhead. Each model component therefore implements ``pipe``: it gathers
every sentence of a batch of docs, vectorises them together, predicts once, then writes the
results back. ``__call__`` is just a batch of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import minibatch


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
