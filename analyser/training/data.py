"""Reading the labelled corpora in ``../shared/data/`` (never copied into the repo)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import spacy

from ..errors import InputError

REPO = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """``$ANALYSER_DATA_DIR`` or ``../shared/data`` beside the checkout."""
    env = os.environ.get("ANALYSER_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data"


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Rows of a JSON Lines file; a broken line is an error naming the line, not a traceback."""
    rows = []
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    with open(p, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{p}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def file_sha256(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_tokenizer = None


def tokenize(texts: Iterable[str]) -> list[list[str]]:
    """Token texts from the same tokenizer the pipeline uses (spaCy's English rules)."""
    global _tokenizer
    if _tokenizer is None:
        _tokenizer = spacy.blank("en").tokenizer
    return [[t.text for t in doc] for doc in _tokenizer.pipe(texts, batch_size=1000)]
