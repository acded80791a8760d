"""Reduce Markdown to plain lines, recording exact spans for its headings.

A line-by-line reading rather than a CommonMark parser: reviews are prose with a little
Markdown, and CommonMark's rules would rewrite prose (an HTML block swallows the lines after it,
a numbered line inside a paragraph stays numbered, ``a*b*c`` loses its asterisks). Each source
line stays an output line; blank lines, rules and code blocks become paragraph breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .markdown_inline import strip_inline
from .notes import tally

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(={2,}|-{2,})[ \t]*$")
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE_RE = re.compile(r"^ {0,3}>[ \t]?")
_LIST_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_REFDEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$")
_TABLE_SEP_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


@dataclass
class _Line:
    """One output line: its text, heading level (0: none), and whether it is paragraph text."""

    text: str
    level: int = 0
    para: bool = False


@dataclass
class _Lines:
    """The output lines, with blank lines as paragraph breaks (never two in a row)."""

    lines: list[_Line] = field(default_factory=list)

    def blank(self) -> None:
        if self.lines and self.lines[-1].text != "":
            self.lines.append(_Line(""))

    def add(self, text: str, level: int = 0, para: bool = False) -> None:
        self.lines.append(_Line(text, level, para))

    def starts_para(self) -> bool:
        """Whether a line added now begins a paragraph."""
        return not self.lines or self.lines[-1].text == ""


def markdown_to_text(src: str) -> tuple[str, list[tuple[int, int, int]], list[str]]:
    """Markdown -> plain lines; headings become their own paragraph with exact offsets."""
    counts: Counter[str] = Counter()
    src, n_comments = _HTML_COMMENT_RE.subn("", src)
    if n_comments:
        counts["HTML comment"] += n_comments
    lines = src.split("\n")
    out = _read_blocks(lines, _front_matter_end(lines, counts), counts)
    text, headings = _join(out.lines)
    return text, headings, tally("markdown", counts, "s")


def _front_matter_end(lines: list[str], counts: Counter[str]) -> int:
    """Index of the first line after YAML front matter (0 when there is none)."""
    if lines and lines[0].strip() == "---":
        for j in range(1, min(len(lines), 200)):
            if lines[j].strip() in ("---", "..."):
                if any(":" in ln for ln in lines[1:j]):
                    counts["front matter"] += 1
                    return j + 1
                break
    return 0


def _read_blocks(lines: list[str], start: int, counts: Counter[str]) -> _Lines:
    """Classify each source line (fence, heading, rule, table row, list item, text) in turn."""
    seps, table_rows = _table_rows(lines)
    out = _Lines()
    prev_para_start = False  # previous output line is a one-line paragraph (setext candidate)
    i = start
    while i < len(lines):
        raw = lines[i]
        i += 1
        m = _FENCE_RE.match(raw)
        if m:
            closing = _closing_fence(lines, i, m.group(1))
            if closing is None:
                counts["unclosed code fence marker"] += 1
                continue  # keep the rest: an unclosed fence must not swallow the review
            counts["code block"] += 1
            out.blank()
            prev_para_start = False
            i = closing + 1
            continue
        if not raw.strip():
            out.blank()
            prev_para_start = False
            continue
        if _REFDEF_RE.match(raw):
            counts["link definition"] += 1
            continue
        line, quoted = _unquote(raw)
        if quoted and not line.strip():
            out.blank()
            prev_para_start = False
            continue
        h = _ATX_RE.match(line)
        if h:
            text = strip_inline(h.group(2) or "", counts)
            if text:
                out.blank()
                out.add(text, len(h.group(1)))
                out.blank()
            prev_para_start = False
            continue
        s = _SETEXT_RE.match(line)
        if s and prev_para_start and out.lines and out.lines[-1].para:
            out.lines[-1].level = 1 if s.group(1)[0] == "=" else 2
            out.lines[-1].para = False
            out.blank()
            prev_para_start = False
            continue
        if _HR_RE.match(line) or s:
            out.blank()
            prev_para_start = False
            continue
        if (i - 1) in seps:
            continue
        if (i - 1) in table_rows:
            text = _table_row(line, counts)
            if text:
                out.add(text)
            prev_para_start = False
            continue
        lm = _LIST_RE.match(line)
        if lm:
            line = line[lm.end() :]
        text = strip_inline(line.rstrip().rstrip("\\"), counts)
        if not text:
            continue
        para = lm is None and not quoted
        prev_para_start = out.starts_para() and para
        out.add(text, para=para)
    return out


def _closing_fence(lines: list[str], i: int, marker: str) -> int | None:
    """Index of the first line from ``i`` that closes a fence opened by ``marker``, if any."""
    for j in range(i, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(marker) and set(stripped) <= {marker[0]}:
            return j
    return None


def _unquote(line: str) -> tuple[str, bool]:
    """The line without its blockquote markers (``> > text``), and whether it had any."""
    quoted = False
    while True:
        q = _QUOTE_RE.match(line)
        if not q:
            return line, quoted
        line = line[q.end() :]
        quoted = True


def _table_rows(lines: list[str]) -> tuple[set[int], set[int]]:
    """Indices of table separator rows and of table body/header rows."""
    seps: set[int] = set()
    rows: set[int] = set()
    for i in range(1, len(lines)):
        line = lines[i]
        if "|" in line and "-" in line and _TABLE_SEP_RE.match(line) and "|" in lines[i - 1]:
            seps.add(i)
            rows.add(i - 1)
            j = i + 1
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                rows.add(j)
                j += 1
    return seps, rows - seps


def _table_row(line: str, counts: Counter[str]) -> str:
    """A table row as its non-empty cells joined by "; "."""
    cells = [c.strip() for c in _CELL_SPLIT_RE.split(line.strip().strip("|"))]
    return "; ".join(t for t in (strip_inline(c, counts) for c in cells) if t)


def _join(lines: list[_Line]) -> tuple[str, list[tuple[int, int, int]]]:
    """Join output lines with "\\n", recording each heading's span in the joined text."""
    while lines and lines[-1].text == "":
        lines.pop()
    parts: list[str] = []
    headings: list[tuple[int, int, int]] = []
    pos = 0
    for idx, line in enumerate(lines):
        if idx:
            parts.append("\n")
            pos += 1
        if line.level:
            headings.append((pos, pos + len(line.text), line.level))
        parts.append(line.text)
        pos += len(line.text)
    return "".join(parts), headings
