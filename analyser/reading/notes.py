"""Wording of the ``ReadResult.dropped`` notes, shared so every stage reports alike."""

from __future__ import annotations

from collections import Counter


def plural(n: int, word: str) -> str:
    """``"1 word"`` / ``"3 words"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def tally(prefix: str, counts: Counter[str], suffix: str = "") -> list[str]:
    """One note per kind of thing removed: ``"prefix: what"`` or ``"prefix: N what<suffix>"``."""
    return [
        f"{prefix}: {count} {what}{suffix}" if count > 1 else f"{prefix}: {what}"
        for what, count in counts.items()
    ]
