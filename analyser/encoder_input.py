"""What the accurate profile's encoder reads for each sentence, shared by training and scoring.

A sentence alone cannot tell a premise from a reveal, so the encoder gets a sentence pair:
the sentence itself, and its context as plain words: where it sits in the review, whether
the writer warned of spoilers before it, and its neighbours on each side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_TOKENS = 128
NEIGHBOUR_CHARS = 200  # each neighbour is cut to this many characters before tokenising


def warned_before(flags: Sequence[bool], review: np.ndarray) -> np.ndarray:
    """For each sentence: did a sentence before it in the same review carry a spoiler
    warning (`flags`)?"""
    out = np.zeros(len(flags), bool)
    seen, last = False, None
    for i, (f, r) in enumerate(zip(flags, review, strict=True)):
        if r != last:
            seen, last = False, r
        out[i] = seen
        seen = seen or bool(f)
    return out


def context_pairs(texts: Sequence[str], review: np.ndarray, warned: np.ndarray
                  ) -> list[tuple[str, str]]:
    """(sentence, context) for every sentence of reviews laid end to end (`review` gives
    each sentence's review number, `warned` whether a spoiler warning came earlier)."""
    n = len(texts)
    review = np.asarray(review)
    first = np.r_[True, review[1:] != review[:-1]] if n else np.zeros(0, bool)
    last = np.r_[review[1:] != review[:-1], True] if n else np.zeros(0, bool)
    starts = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else first
    ends = np.minimum.accumulate(np.where(last, np.arange(n), n)[::-1])[::-1] if n else last
    out = []
    for i, text in enumerate(texts):
        size = ends[i] - starts[i] + 1
        part = 1 + int(4 * (i - starts[i]) / max(size - 1, 1)) if size > 1 else 0
        where = f"sentence {i - starts[i] + 1} of {size}, part {part} of 5."
        if warned[i]:
            where += " after a spoiler warning."
        prev = texts[i - 1][-NEIGHBOUR_CHARS:] if not first[i] else ""
        nxt = texts[i + 1][:NEIGHBOUR_CHARS] if not last[i] else ""
        out.append((text, f"{where} before: {prev} after: {nxt}"))
    return out
