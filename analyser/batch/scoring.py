"""Scoring one chunk of work items: the part of a batch that runs on the workers.

Each worker process builds its Analyser once (models loaded once, then shared copy-on-write
by forked workers) and returns a chunk's rows as Arrow tables, so the driver only writes files.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import AnalyserError
from .discovery import Item
from .tables import REVIEW_SCHEMA, SENTENCE_SCHEMA, page_name

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..api import Analyser
    from ..results import ReviewAnalysis

_ANALYSER: tuple[Any, Any] | None = None  # (options key, Analyser)
# spaCy strings a worker may keep for good before chunks run in memory zones (see _memory_zone)
VOCAB_LIMIT = 300_000


def worker_analyser(options: dict[str, Any]) -> Analyser:
    """One Analyser per process and set of model options, built on first use (workers load
    models once; a later batch with another threshold or model files gets its own)."""
    global _ANALYSER
    paths = options.get("trusted_models") or {}
    profile, threads = options.get("profile", "fast"), options.get("threads")
    key = (options.get("threshold"), tuple(sorted(paths.items())), profile, threads)
    if _ANALYSER is None or _ANALYSER[0] != key:
        import gc

        from ..api import Analyser

        _ANALYSER = (key, Analyser(model_paths=paths, trust_models=list(paths.values()),
                                   spoiler_threshold=options.get("threshold"), profile=profile,
                                   config={"encoder": {"threads": threads}}))
        # Models and modules live as long as the worker: moving them out of the garbage
        # collector's view keeps full collections cheap while chunks allocate result rows,
        # and keeps forked workers from dirtying (copying) the pages they share.
        gc.collect()
        gc.freeze()
    return _ANALYSER[1]


def _memory_zone(analyser: Analyser) -> AbstractContextManager[Any]:
    """A spaCy memory zone once the worker's vocabulary is large, else nothing.

    spaCy keeps every word it has seen: over millions of reviews a worker's memory would
    grow with the vocabulary. Inside a zone the words first seen there are freed at its end,
    but spaCy also stops filling its tokenizer cache, which makes tokenising up to twice as
    slow. So chunks run outside zones until the vocabulary holds `VOCAB_LIMIT` strings (the
    common words, kept for good, some tens of MB), and inside zones after that."""
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



def review_row(item: Item, result: ReviewAnalysis | None = None, error: str | None = None
               ) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in REVIEW_SCHEMA.names}
    row.update(id=item.id, path=item.path)
    if result is not None:
        summary = result.summary()
        summary.pop("source", None)
        row.update(summary)
    row["error"] = error
    return row


def _sentence_rows(item: Item, result: ReviewAnalysis) -> list[dict[str, Any]]:
    rows = []
    for s in result.sentences:
        rows.append({
            "id": item.id, "path": item.path, "index": s.index, "text": s.text,
            "start": s.start, "end": s.end, "paragraph": s.paragraph, "heading": s.heading,
            "section": s.section, "plot_probability": s.plot_probability,
            "spoiler_probability": s.spoiler.probability, "spoiler_flag": s.spoiler.flag,
            "spoiler_kind": s.spoiler.kind, "spoiler_reasons": list(s.spoiler.reasons),
            "sentiment": s.sentiment, "sentiment_label": s.sentiment_label,
        })
    return rows


def score_chunk(index: int, items: list[Item], root: str, options: dict[str, Any]
                ) -> ChunkResult:
    """Score one chunk. Runs on any engine; never raises for a bad input, only records it."""
    from ..reading import read_path, read_text

    analyser = worker_analyser(options)
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
            final_reviews.append(review_row(item, error=errors[pos]))
            continue
        result = by_pos[pos]
        final_reviews.append(review_row(item, result))
        out.sentences.extend(_sentence_rows(item, result))
        out.n_words += len(result.text.split())
        if options.get("report"):
            from ..report import render_html

            out.pages.append((page_name(item.id), render_html(result, title=item.id)))
    # Arrow tables are built here, on the worker, so the driver only writes files
    out.reviews = pa.Table.from_pylist(final_reviews, schema=REVIEW_SCHEMA)
    out.sentences = pa.Table.from_pylist(out.sentences, schema=SENTENCE_SCHEMA)
    return out
