"""A batch run: pin its options, score the chunks not yet written, write parts, merge them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..errors import AnalyserError, InputError
from .discovery import Item, discover
from .engines import Chunks, DaskEngine, Engine, LocalEngine
from .scoring import ChunkResult, review_row
from .tables import (
    FORMATS,
    REVIEW_SCHEMA,
    SENTENCE_SCHEMA,
    atomic_write,
    count_spoilers,
    merge_parts,
    write_errors,
    write_index,
    write_table,
)

log = logging.getLogger(__name__)

EXIT_PARTIAL = 3  # some inputs could not be scored (see errors.jsonl)
MAX_WORKER_FAILURES = 100  # a batch whose workers keep dying stops (resumable) after this


@dataclass
class BatchSummary:
    reviews: int = 0
    scored: int = 0
    failed: int = 0
    sentences: int = 0
    spoilers: int = 0
    words: int = 0
    seconds: float = 0.0
    skipped_chunks: int = 0
    worker_failures: int = 0
    out: str | None = None

    @property
    def reviews_per_second(self) -> float:
        return self.reviews / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["reviews_per_second"] = round(self.reviews_per_second, 1)
        return d


def _chunks(items: Iterator[Item], size: int) -> Chunks:
    chunk: list[Item] = []
    k = 0
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield k, chunk
            k += 1
            chunk = []
    if chunk:
        yield k, chunk


def _part_name(k: int) -> str:
    return f"{k:08d}"


class BatchRun:
    """One batch run of everything below `source` into tables in `out`.

    :meth:`run` takes the steps in order: :meth:`prepare` the output folder, :meth:`score`
    the chunks not written yet (each through :meth:`write_part`), then :meth:`finish` by
    merging the parts. The state the steps share (the summary, the chunks handed to the
    engine) lives on the instance.

    `trusted_models` ({task: path}) swaps in model files that are NOT verified against the
    shipped SHA-256 manifest (the CLI's ``--trust-model``): only for files you trust.
    """

    def __init__(
        self,
        source: str | os.PathLike,
        out: str | os.PathLike,
        *,
        fmt: str = "parquet",
        jobs: int = 1,
        engine: str = "local",
        scheduler: str | None = None,
        resume: bool = False,
        chunk_size: int = 200,
        text_column: str | None = None,
        id_column: str | None = None,
        threshold: float | None = None,
        trusted_models: dict[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
        total: int | None = None,
        report: bool = False,
        profile: str = "fast",
    ) -> None:
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
        self.source = Path(source)
        self.out = Path(out)
        self.fmt = fmt
        self.jobs = jobs
        self.engine = engine
        self.scheduler = scheduler
        self.resume = resume
        self.chunk_size = chunk_size
        self.text_column = text_column
        self.id_column = id_column
        self.progress = progress
        self.total = total
        self.report = report
        # relative paths of review files are resolved against this on the workers
        self.root = str(self.source if self.source.is_dir() else self.source.parent)
        # what a worker needs: the model settings, and whether to render report pages
        # (several workers share the cores: the encoder of each gets one thread)
        self.options: dict[str, Any] = {"threshold": threshold, "trusted_models": trusted_models,
                                        "report": report, "profile": profile,
                                        "threads": 1 if jobs > 1 else None}
        # the options a resumed run must share with the run it finishes
        self.pinned: dict[str, Any] = {
            "source": str(self.source.resolve()), "format": fmt, "chunk_size": chunk_size,
            "text_column": text_column, "id_column": id_column, "threshold": threshold,
            "report": report, "profile": profile}
        self.parts = self.out / "parts"
        self.run_file = self.out / "run.json"
        self.summary = BatchSummary(out=str(self.out))
        self.n_chunks = 0  # chunks discovered: the parts finish() merges
        # chunk number -> reviews, for chunks handed to the engine and not written yet: the
        # ones a dying worker may have taken with it
        self.in_flight: dict[int, int] = {}
        self.skip_written = resume

    def run(self) -> BatchSummary:
        self.prepare()
        started = time.perf_counter()
        self.score()
        self.finish()
        self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary

    # --- steps -------------------------------------------------------------------------
    def prepare(self) -> None:
        """Pin the options in ``run.json`` (or check them when resuming); clear leftovers."""
        if (self.out.exists() and any(self.out.iterdir()) and not self.resume
                and self.run_file.exists()):
            raise InputError(f"{self.out} already holds a batch run; use --resume to finish it "
                             "or choose another --out")
        self.out.mkdir(parents=True, exist_ok=True)
        if self.resume and self.run_file.exists():
            previous = json.loads(self.run_file.read_text("utf-8"))
            if previous != self.pinned:
                diff = {k: (previous.get(k), v) for k, v in self.pinned.items()
                        if previous.get(k) != v}
                raise InputError(f"cannot resume: options differ from the original run {diff}")
        else:
            atomic_write(self.run_file,
                         lambda tmp: tmp.write_text(json.dumps(self.pinned, indent=2), "utf-8"))
        self.parts.mkdir(exist_ok=True)
        for stale in self.parts.glob("*.tmp"):
            stale.unlink()

    def score(self) -> None:
        """Score and write every chunk not written yet, surviving workers that die.

        A worker that dies (crash, OOM kill) takes the chunks in flight with it. Those chunks
        are retried once, one review per task, so only a review that kills its worker again
        is reported (as an error row); then the run goes on with the remaining chunks. Both
        engines replace dead workers themselves (loky starts a new pool, a Dask nanny restarts
        its worker), so the same engine is used throughout.
        """
        eng = self.make_engine()
        try:
            while True:
                try:
                    for res in eng.run(self.todo(), self.root, self.options):
                        self.write_part(res)
                    return
                except eng.worker_died as exc:
                    self.retry_after_worker_death(eng, exc)
        finally:
            eng.close()

    def write_part(self, res: ChunkResult) -> None:
        """Write one chunk's part files (and report pages), then count it as done."""
        name = _part_name(res.index)
        try:
            if res.pages:
                pages = self.out / "report"
                pages.mkdir(exist_ok=True)
                for fname, html in res.pages:
                    atomic_write(pages / fname, lambda tmp, h=html: tmp.write_text(h, "utf-8"))
            write_table(res.sentences, SENTENCE_SCHEMA, self.part(name, "sentences"), self.fmt)
            write_errors(res.errors, self.parts / f"{name}.errors.jsonl")
            # the reviews part is written last: its presence marks the chunk complete
            write_table(res.reviews, REVIEW_SCHEMA, self.part(name, "reviews"), self.fmt)
        except OSError as exc:
            written = sum(1 for _ in self.parts.glob(f"*.reviews.{self.fmt}"))
            raise AnalyserError(
                f"cannot write results to {self.out}: {exc.strerror or exc}; the "
                f"{written} chunks already written are kept: fix it and run "
                "again with --resume") from exc
        self.summary.words += res.n_words
        if self.progress:
            self.progress(self.in_flight.pop(res.index, len(res.reviews)), self.total or 0)

    def finish(self) -> None:
        """Merge the parts, in chunk order, into the run's tables; count what they hold."""
        names = [_part_name(k) for k in range(self.n_chunks)]
        missing = [n for n in names if not self.part(n, "reviews").exists()]
        if missing:  # pragma: no cover - engines either finish every chunk or raise
            raise AnalyserError(f"{len(missing)} chunks did not finish; run again with --resume")
        reviews = self.out / f"reviews.{self.fmt}"
        s = self.summary
        s.reviews = merge_parts([self.part(n, "reviews") for n in names], reviews, self.fmt,
                                REVIEW_SCHEMA)
        s.sentences = merge_parts([self.part(n, "sentences") for n in names],
                                  self.out / f"sentences.{self.fmt}", self.fmt, SENTENCE_SCHEMA)
        s.failed = merge_parts([self.parts / f"{n}.errors.jsonl" for n in names],
                               self.out / "errors.jsonl", "jsonl", None)
        s.scored = s.reviews - s.failed
        s.spoilers = count_spoilers(reviews, self.fmt)
        if self.report:
            write_index(reviews, self.out / "index.html")

    # --- helpers of the steps ----------------------------------------------------------
    def make_engine(self) -> Engine:
        if self.engine == "dask":
            return DaskEngine(self.scheduler, self.jobs)
        return LocalEngine(self.jobs)

    def part(self, name: str, table: str) -> Path:
        return self.parts / f"{name}.{table}.{self.fmt}"

    def is_written(self, k: int) -> bool:
        name = _part_name(k)
        return (self.part(name, "reviews").exists() and self.part(name, "sentences").exists()
                and (self.parts / f"{name}.errors.jsonl").exists())

    def chunks(self) -> Chunks:
        """Every chunk, numbered (discovery is deterministic: each pass numbers them alike)."""
        items = discover(self.source, out=self.out, text_column=self.text_column,
                         id_column=self.id_column)
        return _chunks(items, self.chunk_size)

    def todo(self) -> Chunks:
        """Chunks still to score (re-discovered on every pass)."""
        for k, chunk in self.chunks():
            self.n_chunks = k + 1
            if self.skip_written and self.is_written(k):
                if k not in self.in_flight:
                    self.summary.skipped_chunks += 1
                    if self.progress:
                        self.progress(len(chunk), self.total or 0)
                continue
            self.in_flight[k] = len(chunk)
            yield k, chunk

    def retry_after_worker_death(self, eng: Engine, exc: BaseException) -> None:
        """Score the chunks a dead worker took with it review by review (see :meth:`score`)."""
        self.summary.worker_failures += 1
        suspects = set(self.in_flight)
        log.warning("a worker process died (%s); retrying %d chunks review by review",
                    exc, len(suspects))
        if self.summary.worker_failures > MAX_WORKER_FAILURES:
            raise AnalyserError(
                f"worker processes died {self.summary.worker_failures} times; giving up "
                "(finished chunks are kept: run again with --resume)") from exc
        for k, chunk in self.chunks():
            if k in suspects:
                self.write_part(self.score_isolated(eng, k, chunk))
                suspects.discard(k)
            if not suspects:
                break
        self.skip_written = True

    def score_isolated(self, eng: Engine, k: int, chunk: list[Item]) -> ChunkResult:
        """Score a chunk one review per task; a review whose worker dies becomes an error row."""
        out = ChunkResult(k)
        reviews: list[pa.Table] = []
        sentences: list[pa.Table] = []
        for item in chunk:
            try:
                (res,) = list(eng.run(iter([(k, [item])]), self.root, self.options))
            except eng.worker_died:
                reason = "the worker process died while scoring this review (twice)"
                # the pool is broken now; the engine starts a fresh one on its next run
                out.errors.append({"id": item.id, "path": item.path, "error": reason})
                reviews.append(pa.Table.from_pylist([review_row(item, error=reason)],
                                                    schema=REVIEW_SCHEMA))
                continue
            reviews.append(res.reviews)
            sentences.append(res.sentences)
            out.errors.extend(res.errors)
            out.pages.extend(res.pages)
            out.n_words += res.n_words
        out.reviews = pa.concat_tables(reviews) if reviews else REVIEW_SCHEMA.empty_table()
        out.sentences = (pa.concat_tables(sentences) if sentences
                         else SENTENCE_SCHEMA.empty_table())
        return out


def run_batch(source: str | os.PathLike, out: str | os.PathLike, **settings: Any
              ) -> BatchSummary:
    """Score everything below `source` into tables in `out` (see the package docstring);
    `settings` are :class:`BatchRun`'s keyword arguments."""
    return BatchRun(source, out, **settings).run()


def score_folder(source: str | os.PathLike, *, jobs: int = 1, out: str | os.PathLike | None = None,
                 **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score a folder (or table) and return ``(reviews, sentences)`` DataFrames.

    With `out`, the Parquet tables are also kept there (resumable); otherwise a temporary
    folder is used and removed.
    """
    import tempfile

    tmp = None
    if out is None:
        tmp = tempfile.mkdtemp(prefix="analyser-batch-")
        out = tmp
    try:
        run_batch(source, out, fmt="parquet", jobs=jobs, **kwargs)
        reviews = pd.read_parquet(Path(out) / "reviews.parquet")
        sentences = pd.read_parquet(Path(out) / "sentences.parquet")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return reviews, sentences
