"""Batch scoring: discover inputs, score them in chunks on an engine, write tables, resume.

Design, so that any number of reviews runs in flat memory and no finished work is lost:

* **Discovery** streams work items in a deterministic order: review files below a folder
  (sorted, symlinks not followed, the output folder skipped) and rows of tabular files
  (CSV, JSONL, Parquet), each read incrementally. A bad row becomes an error item.
* **Chunks** of ``chunk_size`` items are numbered in that order. Chunk *k* is scored on an
  engine (in-process; worker processes forked from a driver that loaded the models, or a
  joblib pool where fork is unavailable; or a Dask cluster) by :func:`score_chunk`, and
  its rows are written by the driver as ``parts/<k>.*`` files: first to a temporary name,
  then renamed, so a part exists completely or not at all.
* **Resume** skips chunks whose part exists; ``run.json`` pins the options a run was started
  with, so a resumed run cannot silently mix settings.
* **Finish**: parts are merged, in chunk order, into ``reviews.<fmt>``, ``sentences.<fmt>`` and
  ``errors.jsonl`` (again via temporary names). Results therefore do not depend on the engine
  or the number of jobs.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import AnalyserError, InputError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}
FORMATS = ("parquet", "csv", "jsonl")
TEXT_COLUMNS = ("text", "review", "body", "content", "review_text", "sentence")
ID_COLUMNS = ("id", "review_id", "uid", "key")
EXIT_PARTIAL = 3  # some inputs could not be scored (see errors.jsonl)
MAX_WORKER_FAILURES = 100  # a batch whose workers keep dying stops (resumable) after this
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# --- work items ------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One review to score: a file (text read by the worker) or a table row (text inline)."""

    id: str
    path: str
    text: str | None = None
    error: str | None = None  # set when discovery already knows it cannot be scored


def _sorted_walk(root: Path, skip: Path | None) -> Iterator[Path]:
    """Files below `root` in a stable order; symlinked folders are not followed (no loops),
    and neither `skip` (this run's output) nor earlier batch output folders are entered."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        dirs = []
        for e in entries:
            p = Path(e.path)
            try:
                if skip is not None and p.resolve() == skip:
                    continue
                if e.is_dir(follow_symlinks=False):
                    # earlier batch outputs are results, not reviews
                    if not ((p / "run.json").exists() and (p / "parts").is_dir()):
                        dirs.append(p)
                elif e.is_file(follow_symlinks=True):
                    yield p
            except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
                continue
        stack.extend(reversed(dirs))


def discover(source: str | os.PathLike, *, out: str | os.PathLike | None = None,
             text_column: str | None = None, id_column: str | None = None) -> Iterator[Item]:
    """Every review below `source` (a folder, a review file or a tabular file), in order."""
    src = Path(source)
    if not src.exists():
        raise InputError(f"{src}: no such file or folder")
    skip = Path(out).resolve() if out is not None else None
    if src.is_file():
        files: Iterable[Path] = [src]
        base = src.parent
    else:
        files = _sorted_walk(src, skip)
        base = src
    for f in files:
        suffix = f.suffix.lower()
        rel = str(f.relative_to(base)) if f.is_relative_to(base) else str(f)
        if suffix in TEXT_SUFFIXES:
            yield Item(id=rel, path=rel)
        elif suffix in TABLE_SUFFIXES:
            yield from _table_items(f, rel, text_column, id_column)
        elif src.is_file():
            yield Item(id=rel, path=rel, error=f"unsupported file type {suffix or '(none)'}")


def _pick(columns: list[str], wanted: str | None, defaults: tuple[str, ...], what: str,
          rel: str) -> str | None:
    if wanted is not None:
        if wanted not in columns:
            raise InputError(f"{rel}: no {what} column {wanted!r} (columns: {', '.join(columns)})")
        return wanted
    lower = {c.lower(): c for c in columns}
    for d in defaults:
        if d in lower:
            return lower[d]
    return None


def _table_items(path: Path, rel: str, text_column: str | None, id_column: str | None
                 ) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            yield from _csv_items(path, rel, text_column, id_column)
        elif suffix == ".parquet":
            yield from _parquet_items(path, rel, text_column, id_column)
        else:
            yield from _jsonl_items(path, rel, text_column, id_column)
    except InputError as exc:
        yield Item(id=rel, path=rel, error=str(exc))
    except (OSError, UnicodeDecodeError, pa.ArrowException, csv.Error) as exc:
        yield Item(id=rel, path=rel, error=f"{rel}: cannot read table ({exc})")


def _row_item(rel: str, n: int, row_id: Any, text: Any) -> Item:
    rid = f"{rel}:{n}" if row_id is None or row_id == "" else str(row_id)
    if text is None or (isinstance(text, float) and text != text):
        return Item(id=rid, path=rel, error=f"{rel} row {n}: no text")
    if not isinstance(text, str):
        return Item(id=rid, path=rel, error=f"{rel} row {n}: text is {type(text).__name__}, "
                    "not a string")
    return Item(id=rid, path=rel, text=text)


def _csv_items(path: Path, rel: str, text_column, id_column) -> Iterator[Item]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise InputError(f"{rel}: empty CSV file")
        tcol = _pick(header, text_column, TEXT_COLUMNS, "text", rel)
        if tcol is None:
            raise InputError(f"{rel}: no text column among {', '.join(header)} "
                             f"(looked for {', '.join(TEXT_COLUMNS)}; use --text-column)")
        icol = _pick(header, id_column, ID_COLUMNS, "id", rel)
        ti = header.index(tcol)
        ii = header.index(icol) if icol else None
        for n, row in enumerate(reader, 1):
            if not row:
                continue
            if len(row) != len(header):
                rid = row[ii] if ii is not None and ii < len(row) else None
                yield Item(id=rid if rid else f"{rel}:{n}", path=rel,
                           error=f"{rel} row {n}: {len(row)} fields, header has {len(header)}")
                continue
            yield _row_item(rel, n, row[ii] if ii is not None else None, row[ti])


def _jsonl_items(path: Path, rel: str, text_column, id_column) -> Iterator[Item]:
    tcol = icol = None
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Item(id=f"{rel}:{n}", path=rel, error=f"{rel} line {n}: not JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                yield Item(id=f"{rel}:{n}", path=rel, error=f"{rel} line {n}: not a JSON object")
                continue
            if tcol is None:
                tcol = _pick(list(obj), text_column, TEXT_COLUMNS, "text", rel)
                icol = _pick(list(obj), id_column, ID_COLUMNS, "id", rel) if id_column or any(
                    k.lower() in ID_COLUMNS for k in obj) else None
                if tcol is None:
                    raise InputError(f"{rel}: no text field among {', '.join(obj)} (looked "
                                     f"for {', '.join(TEXT_COLUMNS)}; use --text-column)")
            yield _row_item(rel, n, obj.get(icol) if icol else None, obj.get(tcol))


def _parquet_items(path: Path, rel: str, text_column, id_column) -> Iterator[Item]:
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    tcol = _pick(names, text_column, TEXT_COLUMNS, "text", rel)
    if tcol is None:
        raise InputError(f"{rel}: no text column among {', '.join(names)} "
                         f"(looked for {', '.join(TEXT_COLUMNS)}; use --text-column)")
    icol = _pick(names, id_column, ID_COLUMNS, "id", rel)
    cols = [tcol] + ([icol] if icol else [])
    n = 0
    for batch in pf.iter_batches(columns=cols, batch_size=2048):
        texts = batch.column(tcol).to_pylist()
        ids = batch.column(icol).to_pylist() if icol else [None] * len(texts)
        for rid, text in zip(ids, texts, strict=True):
            n += 1
            yield _row_item(rel, n, rid, text)


def count_items(source, **kw) -> int:
    """How many items `discover` will yield (for the progress bar); cheap for Parquet."""
    return sum(1 for _ in discover(source, **kw))


# --- scoring (runs on workers) -----------------------------------------------------------
_ANALYSER: tuple[Any, Any] | None = None  # (options key, Analyser)
# spaCy strings a worker may keep for good before chunks run in memory zones (see _memory_zone)
VOCAB_LIMIT = 300_000


def _analyser(options: dict[str, Any]):
    """One Analyser per process and set of model options, built on first use (workers load
    models once; a later batch with another threshold or model files gets its own)."""
    global _ANALYSER
    paths = options.get("trusted_models") or {}
    key = (options.get("threshold"), tuple(sorted(paths.items())))
    if _ANALYSER is None or _ANALYSER[0] != key:
        import gc

        from .api import Analyser

        _ANALYSER = (key, Analyser(model_paths=paths, trust_models=list(paths.values()),
                                   spoiler_threshold=options.get("threshold")))
        # Models and modules live as long as the worker: moving them out of the garbage
        # collector's view keeps full collections cheap while chunks allocate result rows,
        # and keeps forked workers from dirtying (copying) the pages they share.
        gc.collect()
        gc.freeze()
    return _ANALYSER[1]


def _memory_zone(analyser):
    """A spaCy memory zone once the worker's vocabulary is large, else nothing.

    spaCy keeps every word it has seen: over millions of reviews a worker's memory would
    grow with the vocabulary. Inside a zone the words first seen there are freed at its end,
    but spaCy also stops filling its tokenizer cache, which makes tokenising up to twice as
    slow. So chunks run outside zones until the vocabulary holds `VOCAB_LIMIT` strings (the
    common words, kept for good, some tens of MB), and inside zones after that."""
    from contextlib import nullcontext

    if len(analyser.nlp.vocab.strings) >= VOCAB_LIMIT:
        return analyser.nlp.memory_zone()
    return nullcontext()


@dataclass
class ChunkResult:
    index: int
    reviews: Any = field(default_factory=list)  # rows while scoring, a pa.Table when returned
    sentences: Any = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (file name, html)
    n_words: int = 0


REVIEW_SCHEMA = pa.schema([
    ("id", pa.string()), ("path", pa.string()), ("format", pa.string()),
    ("n_sentences", pa.int64()), ("n_words", pa.int64()),
    ("share_summary", pa.float64()), ("share_plot", pa.float64()),
    ("share_opinion", pa.float64()), ("share_info", pa.float64()),
    ("spoiler_count", pa.int64()), ("spoiler_share", pa.float64()),
    ("spoiler_max_probability", pa.float64()), ("sentiment_score", pa.float64()),
    ("sentiment_label", pa.string()), ("n_removed", pa.int64()), ("error", pa.string()),
])
SENTENCE_SCHEMA = pa.schema([
    ("id", pa.string()), ("path", pa.string()), ("index", pa.int64()), ("text", pa.string()),
    ("start", pa.int64()), ("end", pa.int64()), ("paragraph", pa.int64()),
    ("heading", pa.string()), ("section", pa.string()), ("plot_probability", pa.float64()),
    ("spoiler_probability", pa.float64()), ("spoiler_flag", pa.bool_()),
    ("spoiler_kind", pa.string()), ("spoiler_reasons", pa.list_(pa.string())),
    ("sentiment", pa.float64()),
])


def _review_row(item: Item, result=None, error: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in REVIEW_SCHEMA.names}
    row.update(id=item.id, path=item.path)
    if result is not None:
        summary = result.summary()
        summary.pop("source", None)
        row.update(summary)
    row["error"] = error
    return row


def _sentence_rows(item: Item, result) -> list[dict[str, Any]]:
    rows = []
    for s in result.sentences:
        rows.append({
            "id": item.id, "path": item.path, "index": s.index, "text": s.text,
            "start": s.start, "end": s.end, "paragraph": s.paragraph, "heading": s.heading,
            "section": s.section, "plot_probability": s.plot_probability,
            "spoiler_probability": s.spoiler.probability, "spoiler_flag": s.spoiler.flag,
            "spoiler_kind": s.spoiler.kind, "spoiler_reasons": list(s.spoiler.reasons),
            "sentiment": s.sentiment,
        })
    return rows


def score_chunk(index: int, items: list[Item], root: str, options: dict[str, Any]
                ) -> ChunkResult:
    """Score one chunk. Runs on any engine; never raises for a bad input, only records it."""
    from .reading import read_path, read_text

    analyser = _analyser(options)
    out = ChunkResult(index)
    # one slot per item, filled in input order: an error row or (item, read) to analyse
    errors: dict[int, str] = {}
    reads: list[tuple[int, Item, Any]] = []
    for pos, item in enumerate(items):
        if item.error:
            errors[pos] = item.error
            continue
        try:
            if item.text is not None:
                read = read_text(item.text, name=item.id)
            else:
                read = read_path(Path(root) / item.path)
            analyser.check_language(read, item.id)
            reads.append((pos, item, read))
        except AnalyserError as exc:
            errors[pos] = str(exc)
    crash_marker = options.get("crash_on")  # fault-injection hook for tests (see run_batch)
    if crash_marker and any(crash_marker in r.text for _, _, r in reads):
        os._exit(70)
    # Results are plain objects, so the chunk's docs can live in a spaCy memory zone: the
    # strings and lexemes of words first seen in this chunk are freed at its end, and a
    # worker's memory stays flat over millions of reviews instead of growing with the vocab.
    with _memory_zone(analyser):
        results = analyser.analyse_many([r for _, _, r in reads],
                                        [i.id for _, i, _ in reads])
    by_pos = {pos: result for (pos, _, _), result in zip(reads, results, strict=True)}
    final_reviews: list[dict[str, Any]] = []
    for pos, item in enumerate(items):
        if pos in errors:
            out.errors.append({"id": item.id, "path": item.path, "error": errors[pos]})
            final_reviews.append(_review_row(item, error=errors[pos]))
            continue
        result = by_pos[pos]
        final_reviews.append(_review_row(item, result))
        out.sentences.extend(_sentence_rows(item, result))
        out.n_words += len(result.text.split())
        if options.get("report"):
            from .report import render_html

            out.pages.append((page_name(item.id), render_html(result, title=item.id)))
    # Arrow tables are built here, on the worker, so the driver only writes files
    out.reviews = pa.Table.from_pylist(final_reviews, schema=REVIEW_SCHEMA)
    out.sentences = pa.Table.from_pylist(out.sentences, schema=SENTENCE_SCHEMA)
    return out


def page_name(review_id: str) -> str:
    """A safe, unique file name for a review's report page."""
    import hashlib
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", review_id).strip("._")[:60] or "review"
    return f"{slug}-{hashlib.sha1(review_id.encode('utf-8')).hexdigest()[:8]}.html"


# --- writing ----------------------------------------------------------------------------
def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary name and rename: readers never see a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_table(table: pa.Table, schema: pa.Schema, path: Path, fmt: str) -> None:
    def write(tmp: Path) -> None:
        if fmt == "parquet":
            pq.write_table(table, tmp)
            return
        rows = table.to_pylist()
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8") as fh:
                for r in rows:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=schema.names)
                for r in rows:
                    w.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list)
                                    else v) for k, v in r.items()})

    _atomic(path, write)


def _write_errors(rows: list[dict], path: Path) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    _atomic(path, write)


def _merge(parts: list[Path], dest: Path, fmt: str, schema: pa.Schema | None) -> int:
    """Concatenate part files in order into `dest` without loading them all at once."""
    n = 0

    def write(tmp: Path) -> None:
        nonlocal n
        if fmt == "parquet":
            with pq.ParquetWriter(tmp, schema) as writer:
                for p in parts:
                    t = pq.read_table(p, schema=schema)
                    n += t.num_rows
                    if t.num_rows:
                        writer.write_table(t)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                if fmt == "csv":
                    out.write(",".join(schema.names) + "\r\n")
                for p in parts:
                    with open(p, encoding="utf-8", newline="") as fh:
                        for line in fh:
                            out.write(line)
                            n += 1

    _atomic(dest, write)
    return n


# --- running -----------------------------------------------------------------------------
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


def _chunks(items: Iterator[Item], size: int) -> Iterator[tuple[int, list[Item]]]:
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


class Engine:
    """Runs :func:`score_chunk` over chunks; yields results in any order."""

    # the exceptions by which this engine says a worker process died with chunks in flight
    worker_died: tuple[type[BaseException], ...] = ()

    def run(self, chunks: Iterator[tuple[int, list[Item]]], root: str, options: dict
            ) -> Iterator[ChunkResult]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def _fork_context():
    """The fork start method where it is safe and cheap (Linux), else None."""
    import multiprocessing as mp

    if sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    return None


class LocalEngine(Engine):
    """In-process (jobs=1), or `jobs` worker processes on this machine.

    On Linux the driver loads the models once and forks its workers from itself: they score
    from their first second, sharing the model arrays copy-on-write, where freshly spawned
    workers would each spend ~2.5 s importing and loading on the very cores that should be
    scoring (a tenth of a 10k-review run). Elsewhere a joblib (loky) process pool is used.
    Results stream back in completion order; the driver writes them by chunk number.
    """

    def __init__(self, jobs: int = 1) -> None:
        from concurrent.futures.process import BrokenProcessPool

        from joblib.externals.loky.process_executor import TerminatedWorkerError

        self.jobs = max(1, jobs)
        self.worker_died = (BrokenProcessPool, TerminatedWorkerError)

    def run(self, chunks, root, options):
        if self.jobs == 1:
            for k, items in chunks:
                yield score_chunk(k, items, root, options)
            return
        ctx = _fork_context()
        if ctx is None:
            yield from self._run_loky(chunks, root, options)
            return
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        _analyser(options)  # loaded here once; every forked worker inherits it
        # a fresh pool per run: after a worker death the broken pool is not reused
        pool = ProcessPoolExecutor(self.jobs, mp_context=ctx)
        window = 2 * self.jobs  # chunks in flight at most: flat driver memory
        chunks = iter(chunks)
        try:
            pending: set = set()
            while True:
                for k, items in islice(chunks, window - len(pending)):
                    pending.add(pool.submit(score_chunk, k, items, root, options))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _run_loky(self, chunks, root, options):
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.jobs, backend="loky", return_as="generator",
                            pre_dispatch="2*n_jobs")
        yield from parallel(delayed(score_chunk)(k, items, root, options) for k, items in chunks)


class DaskEngine(Engine):
    """A dask.distributed cluster: `scheduler` address, or a LocalCluster of `jobs` workers."""

    def __init__(self, scheduler: str | None = None, jobs: int = 2) -> None:
        try:
            from dask.distributed import Client, KilledWorker, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise AnalyserError("the dask engine needs dask[distributed]: "
                                "pip install 'review-analyser[dask]'") from exc
        self.worker_died = (KilledWorker,)
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        self.window = max(2, 2 * len(self.client.scheduler_info().get("workers", {})) or 4)

    def run(self, chunks, root, options):
        from dask.distributed import as_completed

        ac = as_completed()
        in_flight = 0
        for k, items in chunks:
            ac.add(self.client.submit(score_chunk, k, items, root, options, pure=False))
            in_flight += 1
            while in_flight >= self.window:
                fut = next(ac)
                in_flight -= 1
                yield fut.result()
        for fut in ac:
            yield fut.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def run_batch(
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
) -> BatchSummary:
    """Score everything below `source` into tables in `out` (see module docstring).

    `trusted_models` ({task: path}) swaps in model files that are NOT verified against the
    shipped SHA-256 manifest (the CLI's ``--trust-model``): only for files you trust.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
    src = Path(source)
    out_dir = Path(out)
    root = str(src if src.is_dir() else src.parent)
    options = {"threshold": threshold, "trusted_models": trusted_models, "report": report,
               # fault injection for tests: a worker scoring a review containing this dies
               "crash_on": os.environ.get("ANALYSER_FAULT_CRASH_ON")}
    pinned = {"source": str(src.resolve()), "format": fmt, "chunk_size": chunk_size,
              "text_column": text_column, "id_column": id_column, "threshold": threshold,
              "report": report}
    parts = out_dir / "parts"
    run_file = out_dir / "run.json"
    if out_dir.exists() and any(out_dir.iterdir()) and not resume and run_file.exists():
        raise InputError(f"{out_dir} already holds a batch run; use --resume to finish it "
                         "or choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume and run_file.exists():
        previous = json.loads(run_file.read_text("utf-8"))
        if previous != pinned:
            diff = {k: (previous.get(k), v) for k, v in pinned.items() if previous.get(k) != v}
            raise InputError(f"cannot resume: options differ from the original run {diff}")
    else:
        _atomic(run_file, lambda tmp: tmp.write_text(json.dumps(pinned, indent=2), "utf-8"))
    parts.mkdir(exist_ok=True)
    for stale in parts.glob("*.tmp"):
        stale.unlink()
    ext = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}[fmt]

    def done(k: int) -> bool:
        name = _part_name(k)
        return all((parts / f"{name}.{kind}").exists() for kind in
                   (f"reviews.{ext}", f"sentences.{ext}", "errors.jsonl"))

    summary = BatchSummary(out=str(out_dir))
    started = time.perf_counter()
    n_chunks = 0
    pending_counts: dict[int, int] = {}
    skip_done = resume

    def todo() -> Iterator[tuple[int, list[Item]]]:
        """Chunks still to score (re-discovered on every pass: discovery is deterministic)."""
        nonlocal n_chunks
        items = discover(src, out=out_dir, text_column=text_column, id_column=id_column)
        for k, chunk in _chunks(items, chunk_size):
            n_chunks = k + 1
            if skip_done and done(k):
                if k not in pending_counts:
                    summary.skipped_chunks += 1
                    if progress:
                        progress(len(chunk), total or 0)
                continue
            pending_counts[k] = len(chunk)
            yield k, chunk

    def write(res: ChunkResult) -> None:
        name = _part_name(res.index)
        try:
            if res.pages:
                pages = out_dir / "report"
                pages.mkdir(exist_ok=True)
                for fname, html in res.pages:
                    _atomic(pages / fname, lambda tmp, h=html: tmp.write_text(h, "utf-8"))
            _write_table(res.sentences, SENTENCE_SCHEMA, parts / f"{name}.sentences.{ext}", fmt)
            _write_errors(res.errors, parts / f"{name}.errors.jsonl")
            # the reviews part is written last: its presence marks the chunk complete
            _write_table(res.reviews, REVIEW_SCHEMA, parts / f"{name}.reviews.{ext}", fmt)
        except OSError as exc:
            raise AnalyserError(
                f"cannot write results to {out_dir}: {exc.strerror or exc}; the "
                f"{_count_parts(parts, ext)} chunks already written are kept: fix it and run "
                "again with --resume") from exc
        summary.words += res.n_words
        if progress:
            progress(pending_counts.pop(res.index, len(res.reviews)), total or 0)

    def make_engine() -> Engine:
        return DaskEngine(scheduler, jobs) if engine == "dask" else LocalEngine(jobs)

    # A worker that dies (crash, OOM kill) takes the chunks in flight with it. Those chunks
    # are retried once, one review per task, so only a review that kills its worker again is
    # reported (as an error row); then the run goes on with the remaining chunks. Both engines
    # replace dead workers themselves (loky starts a new pool, a Dask nanny restarts its
    # worker), so the same engine is used throughout.
    eng = make_engine()
    try:
        while True:
            try:
                for res in eng.run(todo(), root, options):
                    write(res)
                break
            except eng.worker_died as exc:
                summary.worker_failures += 1
                suspects = set(pending_counts)
                log.warning("a worker process died (%s); retrying %d chunks review by review",
                            exc, len(suspects))
                if summary.worker_failures > MAX_WORKER_FAILURES:
                    raise AnalyserError(
                        f"worker processes died {summary.worker_failures} times; giving up "
                        "(finished chunks are kept: run again with --resume)") from exc
                for k, chunk in _chunks(discover(src, out=out_dir, text_column=text_column,
                                                 id_column=id_column), chunk_size):
                    if k in suspects:
                        write(_isolated(eng, k, chunk, root, options))
                        suspects.discard(k)
                    if not suspects:
                        break
                skip_done = True
    finally:
        eng.close()

    names = [_part_name(k) for k in range(n_chunks)]
    missing = [n for n in names if not (parts / f"{n}.reviews.{ext}").exists()]
    if missing:  # pragma: no cover - engines either finish every chunk or raise
        raise AnalyserError(f"{len(missing)} chunks did not finish; run again with --resume")
    summary.reviews = _merge([parts / f"{n}.reviews.{ext}" for n in names],
                             out_dir / f"reviews.{ext}", fmt, REVIEW_SCHEMA)
    summary.sentences = _merge([parts / f"{n}.sentences.{ext}" for n in names],
                               out_dir / f"sentences.{ext}", fmt, SENTENCE_SCHEMA)
    summary.failed = _merge([parts / f"{n}.errors.jsonl" for n in names],
                            out_dir / "errors.jsonl", "jsonl", None)
    summary.scored = summary.reviews - summary.failed
    summary.spoilers = _count_spoilers(out_dir / f"reviews.{ext}", fmt)
    if report:
        write_index(out_dir / f"reviews.{ext}", out_dir / "index.html")
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _count_parts(parts: Path, ext: str) -> int:
    return sum(1 for _ in parts.glob(f"*.reviews.{ext}"))


def _isolated(eng: Engine, k: int, chunk: list[Item], root: str, options: dict) -> ChunkResult:
    """Score a chunk one review per task; a review whose worker dies becomes an error row."""
    out = ChunkResult(k)
    reviews: list[pa.Table] = []
    sentences: list[pa.Table] = []
    for item in chunk:
        try:
            (res,) = list(eng.run(iter([(k, [item])]), root, options))
        except eng.worker_died:
            reason = "the worker process died while scoring this review (twice)"
            # the pool is broken now; the engine starts a fresh one on its next run
            out.errors.append({"id": item.id, "path": item.path, "error": reason})
            reviews.append(pa.Table.from_pylist([_review_row(item, error=reason)],
                                                schema=REVIEW_SCHEMA))
            continue
        reviews.append(res.reviews)
        sentences.append(res.sentences)
        out.errors.extend(res.errors)
        out.pages.extend(res.pages)
        out.n_words += res.n_words
    out.reviews = pa.concat_tables(reviews) if reviews else REVIEW_SCHEMA.empty_table()
    out.sentences = pa.concat_tables(sentences) if sentences else SENTENCE_SCHEMA.empty_table()
    return out


def _count_spoilers(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        col = pq.read_table(path, columns=["spoiler_count"]).column(0).to_pylist()
        return int(sum(v or 0 for v in col))
    total = 0
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                total += json.loads(line).get("spoiler_count") or 0
    else:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                total += int(row["spoiler_count"] or 0)
    return total


INDEX_MAX_ROWS = 50_000


def write_index(reviews_table: Path, dest: Path) -> None:
    """``index.html``: the batch's reviews (first INDEX_MAX_ROWS), each linking to its page."""
    from .report import render_index

    df = read_table(reviews_table)
    total = len(df)
    df = df.head(INDEX_MAX_ROWS)
    rows = []
    for row in df.to_dict("records"):
        row["id"] = str(row["id"])
        if not (isinstance(row.get("error"), str) and row["error"]):
            row["href"] = "report/" + page_name(row["id"])
        rows.append(row)
    title = f"Batch report: {total:,} reviews" + (
        f" (first {INDEX_MAX_ROWS:,} listed)" if total > INDEX_MAX_ROWS else "")
    html = render_index(rows, title=title)
    _atomic(dest, lambda tmp: tmp.write_text(html, "utf-8"))


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Load a batch output table (any of the three formats) as a DataFrame."""
    p = Path(path)
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    if p.suffix == ".jsonl":
        return pd.read_json(p, lines=True)
    return pd.read_csv(p)


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
