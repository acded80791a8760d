"""Teacher labels: the accurate profile's encoder scores review sentences nobody annotated.

The fast context model's first stage learns words from 1,249 annotated reviews. Unlabelled
IMDb user reviews are plentiful (``sentiment/train``), so the encoder, which reads each
sentence with its neighbours, labels their sentences with its three heads' probabilities,
and the first stage learns from those soft labels beside the gold ones (distillation).

Only reviews of the ``sentiment/train`` split are used, none that is annotated, chosen by a
hash of their id (deterministic, no film preference). The encoder is the shipped one, so it
needs the ``accurate`` extra; scoring ~16k sentences takes a few minutes on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..context import HEADS, softmax
from ..features import section_features
from .data import data_dir, read_jsonl
from .reviews import ReviewRows, load_reviews

SOURCE = "sentiment/train.jsonl"
ANNOTATED = ("reviews_annotated/train.jsonl", "reviews_annotated/dev.jsonl")


def unlabelled_reviews(n: int) -> list[dict]:
    """`n` IMDb reviews of the sentiment train split that are not annotated, in the record
    format of ``reviews_annotated`` (no sentence labels, a neutral verdict placeholder)."""
    taken = {r["review_id"].split(":", 1)[-1] for f in ANNOTATED
             for r in read_jsonl(data_dir() / f)}
    rows = [r for r in read_jsonl(data_dir() / SOURCE)
            if r["source"] == "imdb_maas2011" and r["id"] not in taken]
    rows.sort(key=lambda r: hashlib.sha1(r["id"].encode()).hexdigest())
    return [{"review_id": f"teacher:{r['id']}", "text": r["text"], "overall": "neutral",
             "sentences": []} for r in rows[:n]]


def teacher_rows(n: int, encoder_path: Path | None = None, log=print
                 ) -> tuple[ReviewRows, dict[str, np.ndarray]]:
    """The sentences of `n` unlabelled reviews (as the analyser splits them) and the
    encoder's probabilities for each head (rows x classes)."""
    from ..components.encoder import ReviewEncoder
    from .accurate import pairs_of

    rows = load_reviews(unlabelled_reviews(n))
    log(f"teacher: scoring {len(rows.texts)} sentences of {rows.n_reviews} reviews")
    enc = ReviewEncoder(model_path=None if encoder_path is None else str(encoder_path),
                        trust_model=encoder_path is not None)
    z = enc.logits(pairs_of(rows))
    probs, start = {}, 0
    for head, labels in HEADS.items():
        probs[head] = softmax(z[:, start : start + len(labels)])
        start += len(labels)
    return rows, probs


def cache_dir() -> Path:
    """``$ANALYSER_CACHE_DIR`` or ``~/.cache/review-analyser``: teacher labels are kept
    there, keyed by the encoder's and the data's hashes, since scoring takes minutes."""
    env = os.environ.get("ANALYSER_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "review-analyser"


def teacher_labels(n: int, log=print) -> tuple[list[list[str]], dict[str, np.ndarray]]:
    """First-stage features and the shipped encoder's head probabilities for the sentences
    of `n` unlabelled reviews, from the cache when the same encoder scored the same data."""
    from ..models import read_manifest
    from .data import file_sha256

    # the files that decide the encoder's outputs (its header's threshold does not)
    files = read_manifest().get("accurate", {}).get("files", {})
    key = hashlib.sha256(json.dumps([
        [files.get(f) for f in ("encoder.onnx", "tokenizer.json")],
        file_sha256(data_dir() / SOURCE), n]).encode()).hexdigest()[:16]
    path = cache_dir() / f"teacher-{key}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            feats = json.loads(str(z["feats"]))
            probs = {h: z[f"p_{h}"] for h in HEADS}
        log(f"teacher: {len(feats)} labelled sentences from {path}")
        return feats, probs
    rows, probs = teacher_rows(n, log=log)
    feats = [section_features(t, ()) for t in rows.tokens]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, feats=np.array(json.dumps(feats)),
                        **{f"p_{h}": p.astype(np.float32) for h, p in probs.items()})
    tmp.replace(path)
    return feats, probs
