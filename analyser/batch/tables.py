"""The batch's files: table schemas, part files, the merged tables and the HTML index.

Every file is written under a temporary name and then renamed, so a part or a table exists
completely or not at all: a killed run leaves nothing half-written for a resume to trust.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("parquet", "csv", "jsonl")

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
    ("sentiment", pa.float64()), ("sentiment_label", pa.string()),
])



def page_name(review_id: str) -> str:
    """A safe, unique file name for a review's report page."""
    import hashlib
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", review_id).strip("._")[:60] or "review"
    return f"{slug}-{hashlib.sha1(review_id.encode('utf-8')).hexdigest()[:8]}.html"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary name and rename: readers never see a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_table(table: pa.Table, schema: pa.Schema, path: Path, fmt: str) -> None:
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

    atomic_write(path, write)


def write_errors(rows: list[dict], path: Path) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    atomic_write(path, write)


def merge_parts(parts: list[Path], dest: Path, fmt: str, schema: pa.Schema | None) -> int:
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

    atomic_write(dest, write)
    return n



def count_spoilers(path: Path, fmt: str) -> int:
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
    from ..report import render_index

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
    atomic_write(dest, lambda tmp: tmp.write_text(html, "utf-8"))


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Load a batch output table (any of the three formats) as a DataFrame."""
    p = Path(path)
    if p.suffix == ".parquet":
        return pd.read_parquet(p)
    if p.suffix == ".jsonl":
        return pd.read_json(p, lines=True)
    return pd.read_csv(p)
