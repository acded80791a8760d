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

Modules: ``discovery`` (work items), ``scoring`` (one chunk, on a worker), ``engines`` (where
chunks run), ``tables`` (part files, merged tables, index) and ``runner`` (a run's steps).
"""

from .discovery import Item, count_items, discover
from .engines import DaskEngine, Engine, LocalEngine
from .runner import EXIT_PARTIAL, BatchRun, BatchSummary, run_batch, score_folder
from .scoring import ChunkResult, score_chunk
from .tables import FORMATS, REVIEW_SCHEMA, SENTENCE_SCHEMA, page_name, read_table, write_index

__all__ = [
    "EXIT_PARTIAL",
    "FORMATS",
    "REVIEW_SCHEMA",
    "SENTENCE_SCHEMA",
    "BatchRun",
    "BatchSummary",
    "ChunkResult",
    "DaskEngine",
    "Engine",
    "Item",
    "LocalEngine",
    "count_items",
    "discover",
    "page_name",
    "read_table",
    "run_batch",
    "score_chunk",
    "score_folder",
    "write_index",
]
