"""The Python API: :class:`Analyser` turns review text (or bytes, or files) into
:class:`~analyser.results.ReviewAnalysis` objects."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .errors import EmptyInputError, InputError, NotEnglishError
from .extensions import new_table, set_doc_text
from .language import not_english_reason
from .models import read_manifest
from .pipeline import PROFILES, build_pipeline
from .reading import ReadResult, read_bytes, read_path, read_text
from .results import ReviewAnalysis, from_doc


class Analyser:
    """Loads the shipped models once and analyses reviews.

    >>> a = Analyser()
    >>> r = a.analyse("The Plot:\\nHiro dies at the end.\\n\\nMy opinion:\\nI loved it.")
    >>> [s.section for s in r.sentences]
    ['plot', 'opinion']

    ``model_paths={"spoilers": "my/spoilers.npz"}`` swaps in other model files. Files whose
    SHA-256 is not in the shipped manifest are refused (see :mod:`analyser.models`) unless
    trusted: ``trust_models=["my/spoilers.npz"]`` trusts those paths only (``True``: all),
    for files you trained yourself. Loading never runs code; trust skips the integrity check.
    """

    def __init__(
        self,
        *,
        model_paths: dict[str, str] | None = None,
        trust_models: bool | Iterable[str] = False,
        spoiler_threshold: float | None = None,
        config: dict[str, dict[str, Any]] | None = None,
        stages: tuple[str, ...] | None = None,
        profile: str = "fast",
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; expected one of "
                             f"{', '.join(PROFILES)}")
        self.profile = profile
        cfg = {k: dict(v) for k, v in (config or {}).items()}
        if spoiler_threshold is not None:
            for stage in ("spoilers", "context", "encoder"):
                cfg.setdefault(stage, {})["threshold"] = float(spoiler_threshold)
        self.nlp: Language = build_pipeline(
            stages=stages or PROFILES[profile], model_paths=model_paths,
            trust_models=trust_models, config=cfg
        )
        manifest = read_manifest()
        # the same keys whatever the profile (one JSON schema); None: not in this pipeline
        self.model_versions: dict[str, str | None] = {"profile": profile}
        for task in ("sections", "spoilers", "sentiment", "context", "encoder"):
            name = f"review_{task}"
            pipe = self.nlp.get_pipe(name) if name in self.nlp.pipe_names else None
            self.model_versions[task] = None if pipe is None else (
                getattr(pipe, "version", None)
                or manifest.get(task, {}).get("version", "unknown"))

    @property
    def spoiler_threshold(self) -> float:
        """The threshold of the component that makes the final spoiler flag."""
        for name in ("review_encoder", "review_context", "review_spoilers"):
            if name in self.nlp.pipe_names:
                return self.nlp.get_pipe(name).threshold
        raise ValueError("this pipeline flags no spoilers")

    # --- single reviews -------------------------------------------------------------
    def analyse(self, text: str | bytes, *, source: str | None = None,
                fmt: str | None = None) -> ReviewAnalysis:
        """Analyse one review given as text (plain, Markdown or HTML) or raw bytes."""
        read = self._read(text, source=source, fmt=fmt)
        self.check_language(read, source or "input")
        doc = self.nlp(self._make_doc(read, source))
        return self._result(doc, read, source)

    def analyse_file(self, path: str | os.PathLike, *, fmt: str | None = None) -> ReviewAnalysis:
        """Read (any encoding, HTML/Markdown/text) and analyse one review file."""
        read = read_path(path, fmt=fmt)
        self.check_language(read, str(path))
        doc = self.nlp(self._make_doc(read, str(path)))
        return self._result(doc, read, str(path))

    def analyse_sentences(self, sentences: Iterable[str], *, source: str | None = None
                          ) -> ReviewAnalysis:
        """Analyse a review that is already split into sentences; the split is kept as given.

        Sentences are joined with newlines; offsets index that joined text.
        """
        doc = self._presplit_doc(sentences, source)
        doc = self.nlp(doc)
        return from_doc(doc, source=source, fmt="sentences", model_versions=self.model_versions)

    # --- many reviews ----------------------------------------------------------------
    def pipe(self, texts: Iterable[str | bytes], *, batch_size: int = 64, n_process: int = 1,
             sources: Iterable[str | None] | None = None) -> Iterator[ReviewAnalysis]:
        """Analyse many reviews lazily through ``nlp.pipe`` (models batch across reviews).

        An input that cannot be read raises :class:`InputError` when its turn comes; use
        :func:`analyser.batch` APIs for skip-and-report behaviour.
        """
        src_iter = iter(sources) if sources is not None else None

        def docs() -> Iterator[tuple[Doc, tuple[ReadResult, str | None]]]:
            for text in texts:
                source = next(src_iter) if src_iter is not None else None
                read = self._read(text, source=source)
                self.check_language(read, source or "input")
                yield self._make_doc(read, source), (read, source)

        for doc, (read, source) in self.nlp.pipe(
            docs(), as_tuples=True, batch_size=batch_size, n_process=n_process
        ):
            yield self._result(doc, read, source)

    def analyse_many(self, reads: list[ReadResult], sources: list[str | None], *,
                     batch_size: int = 64) -> list[ReviewAnalysis]:
        """Analyse already-read inputs in one batched ``nlp.pipe`` pass (used by batch mode)."""
        docs = (self._make_doc(r, s) for r, s in zip(reads, sources, strict=True))
        return [
            self._result(doc, read, src)
            for doc, read, src in zip(self.nlp.pipe(docs, batch_size=batch_size), reads,
                                      sources, strict=True)
        ]

    @staticmethod
    def check_language(read: ReadResult, label: str) -> None:
        """Refuse non-English reviews with a clear reason: the models are English-only and a
        score for another language would be a guess. (`analyse_sentences` trusts its caller.)"""
        reason = not_english_reason(read.text)
        if reason:
            raise NotEnglishError(f"{label}: {reason}")

    # --- helpers ---------------------------------------------------------------------
    @staticmethod
    def _read(text: str | bytes, *, source: str | None = None, fmt: str | None = None
              ) -> ReadResult:
        if isinstance(text, bytes | bytearray):
            return read_bytes(bytes(text), name=source, fmt=fmt)
        if isinstance(text, Path):
            return read_path(text, fmt=fmt)
        if not isinstance(text, str):
            raise InputError(f"expected text or bytes, got {type(text).__name__}")
        return read_text(text, fmt=fmt, name=source)

    def _make_doc(self, read: ReadResult, source: str | None) -> Doc:
        doc = self.nlp.make_doc(read.text)
        set_doc_text(doc, read.text)
        doc._.heading_hints = [tuple(h) for h in read.headings]
        doc._.source = source
        return doc

    def _presplit_doc(self, sentences: Iterable[str], source: str | None) -> Doc:
        parts = [" ".join(str(s).split()) for s in sentences]
        parts = [p for p in parts if p]
        if not parts:
            raise EmptyInputError("no sentences given")
        text = "\n".join(parts)
        doc = self.nlp.make_doc(text)
        offsets = []
        pos = 0
        for p in parts:
            offsets.append((pos, pos + len(p)))
            pos += len(p) + 1
        starts = {s for s, _ in offsets}
        for tok in doc[1:]:
            tok.is_sent_start = tok.idx in starts
        doc._.presplit = True
        doc._.sentence_table = new_table(offsets)
        set_doc_text(doc, text)
        doc._.source = source
        return doc

    def _result(self, doc: Doc, read: ReadResult, source: str | None) -> ReviewAnalysis:
        return from_doc(doc, source=source, fmt=read.format, model_versions=self.model_versions)
