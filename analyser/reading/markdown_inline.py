"""Strip inline Markdown (emphasis, code, links, images, entities) from a line, keeping the words.

Regexes rather than a CommonMark parser: review text is prose that happens to use a little
Markdown, so a stray ``*`` or ``_`` (``4* by me``, ``snake_case``) must survive as written.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from .normalising import CONTROL_RE

_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_CODE_RE = re.compile(r"(`+)(.+?)\1")
_IMAGE_RE = re.compile(r"[ \t]*!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\([^)\s]*(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)")
_REFLINK_RE = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_FOOTNOTE_RE = re.compile(r"\[\^[^\]\s]+\]")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+)>")
_INLINE_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")
_ITALIC_RE = re.compile(
    r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_\\])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])"
)
_STRIKE_RE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_PROTECT_RE = re.compile("\ue000(\\d+)\ue001")
_SPECIAL_RE = re.compile(r"[*_`\[\]!<&\\~]")
_MULTISPACE_RE = re.compile(r"[ \t]{2,}")


def _entity(m: re.Match[str]) -> str:
    """Decode one entity; whitespace/control results must not smuggle in line breaks."""
    ch = html.unescape(m.group(0))
    return " " if ch.isspace() else CONTROL_RE.sub("", ch)


def strip_inline(line: str, counts: Counter[str]) -> str:
    """Strip inline Markdown: emphasis, code, links and images, keeping the words."""
    if not _SPECIAL_RE.search(line):
        return _MULTISPACE_RE.sub(" ", line).strip()
    protected: list[str] = []

    def protect(s: str) -> str:
        protected.append(s)
        return f"\ue000{len(protected) - 1}\ue001"

    line = _ESCAPE_RE.sub(lambda m: protect(m.group(1)), line)
    line = _CODE_RE.sub(lambda m: protect(m.group(2).strip()), line)
    line, n_img = _IMAGE_RE.subn("", line)
    if n_img:
        counts["image"] += n_img
    line = _LINK_RE.sub(r"\1", line)
    line = _REFLINK_RE.sub(r"\1", line)
    line = _FOOTNOTE_RE.sub("", line)
    line = _AUTOLINK_RE.sub(lambda m: protect(m.group(1).removeprefix("mailto:")), line)
    line = _INLINE_TAG_RE.sub(" ", line)
    for _ in range(3):  # nested emphasis such as ***both*** or **bold _and italic_**
        new = _BOLD_RE.sub(lambda m: m.group(1) or m.group(2), line)
        new = _ITALIC_RE.sub(lambda m: m.group(1) or m.group(2), new)
        new = _STRIKE_RE.sub(r"\1", new)
        if new == line:
            break
        line = new
    line = _ENTITY_RE.sub(_entity, line)
    while "\ue000" in line:
        new = _PROTECT_RE.sub(lambda m: protected[int(m.group(1))], line)
        if new == line:
            break
        line = new
    return _MULTISPACE_RE.sub(" ", line).strip()
