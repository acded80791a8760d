"""Which of the three input formats (plain text, Markdown, HTML) a review is written in."""

from __future__ import annotations

import os
import re

from analyser.errors import InputError

FORMATS = ("text", "markdown", "html")
_FORMAT_ALIASES = {
    "text": "text",
    "txt": "text",
    "plain": "text",
    "markdown": "markdown",
    "md": "markdown",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
}
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}

_HTML_START_RE = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.I | re.S,
)
_HTML_TAG_SNIFF_RE = re.compile(
    r"<(?:p|div|br|h[1-6]|article|section|main|ul|ol|li|table|tr|td|blockquote|em|strong|"
    r"span|img|a|meta|link|script|style|body|head|title|header|footer|nav)\b[^>]*>",
    re.I,
)
_MD_ATX_SNIFF_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
# An underline row of = or -; the line above must hold a word (checked in _has_setext). The
# obvious one-regex version backtracks over every line and dominated reading time.
_MD_SETEXT_UNDERLINE_RE = re.compile(r"^ {0,3}(?:={2,}|-{2,})[ \t]*$", re.M)
_MD_FENCE_SNIFF_RE = re.compile(r"^ {0,3}(?:```|~~~)", re.M)
_MD_LINK_SNIFF_RE = re.compile(r"\[[^\]\n]+\]\((?:https?://|/|#|mailto:)[^)\s]*\)")
_MD_BOLD_SNIFF_RE = re.compile(r"(\*\*|__)(?=\S)[^\n]+?(?<=\S)\1")


def detect_format(text: str, name: str | None = None) -> str:
    """Guess "html", "markdown" or "text": the file extension wins, else sniff the content."""
    if name:
        ext = os.path.splitext(name.lower())[1]
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    head = text[:20_000]
    # Each sniffer needs some character pair that plain prose rarely has; checking for it
    # first (a C-speed substring search) skips regexes that dominated reading plain text.
    tags = "<" in head
    if tags and _HTML_START_RE.match(head):
        return "html"
    md_headings = len(_MD_ATX_SNIFF_RE.findall(head)) if "#" in head else 0
    html_tags = len(_HTML_TAG_SNIFF_RE.findall(head)) if tags else 0
    if html_tags >= 3 and (md_headings == 0 or html_tags >= 10):
        return "html"
    if (
        md_headings
        or (("```" in head or "~~~" in head) and _MD_FENCE_SNIFF_RE.search(head))
        or ("](" in head and _MD_LINK_SNIFF_RE.search(head))
        or (("==" in head or "--" in head) and _has_setext(head))
        or (("**" in head or "__" in head) and len(_MD_BOLD_SNIFF_RE.findall(head)) >= 2)
    ):
        return "markdown"
    return "text"


def _has_setext(text: str) -> bool:
    """A setext heading: a line with a word, then a line of === or ---."""
    for m in _MD_SETEXT_UNDERLINE_RE.finditer(text):
        end = m.start() - 1
        if end <= 0:
            continue
        prev = text[text.rfind("\n", 0, end) + 1 : end]
        if any(c.isalnum() for c in prev):
            return True
    return False


def normalise_fmt(fmt: str) -> str:
    """The canonical name of a user-given format ("md" -> "markdown"), else InputError."""
    form = _FORMAT_ALIASES.get(fmt.strip().lower())
    if form is None:
        raise InputError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return form
