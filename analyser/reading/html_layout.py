"""Lay out the flat token stream of an HTML walk as text: paragraphs, lines and heading spans.

The walk (:mod:`.html`) decides *what* is text; this decides the separators between words,
which is where heading offsets are fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .normalising import CONTROL_RE

# Token kinds of the stream: text, preformatted text, paragraph / line / <br> / cell breaks,
# heading start (value: level) and heading end.
TEXT, PRE, PARA, LINE, BR, CELL, HSTART, HEND = range(8)

_WS_RE = re.compile(r"\s+")
_DATA_URI_RE = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+=-]+)*,[A-Za-z0-9+/=%_.-]{16,}")


def assemble(tokens: Iterable[tuple[int, Any]]) -> tuple[str, list[tuple[int, int, int]]]:
    """Token stream -> text with collapsed whitespace, blank-line paragraphs, heading spans.

    Long because ``emit``/``brk`` share the pending-separator state with the loop as closures.
    """
    out: list[str] = []
    pos = 0
    pending_break = 0  # 0 none, 1 "\n", 2 "\n\n"
    pending_space = False
    cell_pending = False
    line_has_text = False
    heading_depth = 0
    h_start: int | None = None
    h_level = 0
    headings: list[tuple[int, int, int]] = []

    def emit(word: str) -> None:
        nonlocal pos, pending_break, pending_space, cell_pending, line_has_text, h_start
        if out:
            if pending_break:
                sep = "\n\n" if pending_break == 2 else "\n"
            elif cell_pending:
                sep = "; "
            elif pending_space:
                sep = " "
            else:
                sep = ""
            if sep:
                out.append(sep)
                pos += len(sep)
        pending_break = 0
        pending_space = cell_pending = False
        if heading_depth and h_start is None:
            h_start = pos
        out.append(word)
        pos += len(word)
        line_has_text = True

    def brk(level: int) -> None:
        nonlocal pending_break, line_has_text, cell_pending, pending_space
        if heading_depth:  # keep every heading on one line: breaks inside become spaces
            pending_space = True
            return
        pending_break = max(pending_break, level)
        line_has_text = cell_pending = False

    for kind, value in tokens:
        if kind in (TEXT, PRE):
            text = _DATA_URI_RE.sub(" ", CONTROL_RE.sub("", value.replace("\x00", "")))
            lines = text.split("\n") if kind == PRE else [text]
            for i, line in enumerate(lines):
                if i:
                    brk(1)
                line = _WS_RE.sub(" ", line)
                if not line:
                    continue
                if line[0] == " ":
                    pending_space = True
                core = line.strip(" ")
                if core:
                    emit(core)
                    if line[-1] == " ":
                        pending_space = True
        elif kind == PARA:
            brk(2)
        elif kind == LINE:
            brk(1)
        elif kind == BR:
            # <br><br> is how many pages write a paragraph break.
            if out:
                brk(2 if pending_break else 1)
        elif kind == CELL:
            if not pending_break and line_has_text:
                cell_pending = True
        elif kind == HSTART:
            brk(2)
            heading_depth += 1
            if heading_depth == 1:
                h_start, h_level = None, value
        elif kind == HEND:
            heading_depth = max(0, heading_depth - 1)
            if heading_depth == 0:
                if h_start is not None:
                    headings.append((h_start, pos, h_level))
                h_start = None
                brk(2)
    return "".join(out), headings
