"""Discovery of batch inputs: review files below a folder and rows of tabular files.

Work items stream in a deterministic order, so chunk *k* is the same reviews on every pass
(resume and the retry after a worker death rely on that): files sorted, symlinked folders not
followed, the run's own and earlier batch output folders skipped; CSV, JSONL and Parquet
tables read incrementally. A bad row becomes an error item instead of stopping the batch.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}
TEXT_COLUMNS = ("text", "review", "body", "content", "review_text", "sentence")
ID_COLUMNS = ("id", "review_id", "uid", "key")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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


def _csv_items(path: Path, rel: str, text_column: str | None, id_column: str | None
               ) -> Iterator[Item]:
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


def _jsonl_items(path: Path, rel: str, text_column: str | None, id_column: str | None
                 ) -> Iterator[Item]:
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


def _parquet_items(path: Path, rel: str, text_column: str | None, id_column: str | None
                   ) -> Iterator[Item]:
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


def count_items(source: str | os.PathLike, **kw: Any) -> int:
    """How many items `discover` will yield (for the progress bar); cheap for Parquet."""
    return sum(1 for _ in discover(source, **kw))
