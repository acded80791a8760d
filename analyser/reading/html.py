"""Extract the review from an HTML page: plain paragraphs plus exact heading spans.

The page is parsed with lexbor (selectolax), the element holding the review is chosen
(:mod:`.html_chrome`), and a DOM walk turns it into a token stream that :mod:`.html_layout`
lays out as text.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .html_chrome import choose_root, drop_key
from .html_layout import BR, CELL, HEND, HSTART, LINE, PARA, PRE, TEXT, assemble
from .notes import tally

# Nesting deeper than this is flattened before parsing: lexbor's tree builder is quadratic in
# depth (50,000 nested <div>s take seconds) and no real page nests anywhere near this deep.
_MAX_HTML_DEPTH = 256
_TAG_SCAN_RE = re.compile(
    r"<(?:script|style|textarea|template)\b.*?</(?:script|style|textarea|template)\s*>"
    r"|<!--.*?-->"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^>]*?)?(?P<self>/?)>",
    re.I | re.S,
)
# Void elements and elements whose end tag is optional do not add nesting depth reliably.
_NO_DEPTH = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rp".split()
)

_PARA_TAGS = frozenset(
    "p div section article main header blockquote pre ul ol dl table thead tbody tfoot figure "
    "figcaption address details summary fieldset hr html body center hgroup menu legend "
    "h1 h2 h3 h4 h5 h6".split()
)
_LINE_TAGS = frozenset("li tr dt dd option caption".split())
# The break an element makes where it opens and where it closes.
_BREAK = {**dict.fromkeys(_PARA_TAGS, PARA), **dict.fromkeys(_LINE_TAGS, LINE)}
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_LEVEL = {f"h{i}": i for i in range(1, 7)}

# Context flags carried down the walk.
_IN_CONTENT, _IN_PRE = 1, 2


def _flatten_deep_html(src: str) -> tuple[str, int]:
    """Remove tags nested beyond _MAX_HTML_DEPTH (text is kept) so parsing stays linear."""
    if src.count("<") <= _MAX_HTML_DEPTH:
        return src, 0
    depth = skipped = removed = 0
    pieces: list[str] = []
    last = 0
    for m in _TAG_SCAN_RE.finditer(src):
        name = m.group("name")
        if name is None or m.group("self") or name.lower() in _NO_DEPTH:
            continue
        drop = False
        if m.group("close"):
            if skipped:
                skipped -= 1
                drop = True
            elif depth:
                depth -= 1
        elif depth >= _MAX_HTML_DEPTH:
            skipped += 1
            drop = True
        else:
            depth += 1
        if drop:
            if m.start() != last or not pieces:  # one space per run of removed tags
                pieces.append(src[last : m.start()])
                pieces.append(" ")
            last = m.end()
            removed += 1
    if not removed:
        return src, 0
    pieces.append(src[last:])
    return "".join(pieces), removed


def _walk(root: Any, in_content: bool) -> tuple[list[tuple[int, Any]], Counter[str]]:
    """Iterative DOM walk emitting a flat token stream (explicit stack: no recursion limit)."""
    tokens: list[tuple[int, Any]] = []
    drops: Counter[str] = Counter()
    root_len = len(root.text(deep=True, separator=" "))
    root_id = root.mem_id
    # Stack entries: (node, ctx, exit_tag). A None node marks leaving element exit_tag.
    stack: list[tuple[Any, int, str]] = [(root, _IN_CONTENT if in_content else 0, "")]
    while stack:
        node, ctx, exit_tag = stack.pop()
        if node is None:
            if exit_tag in _HEADING_LEVEL:
                tokens.append((HEND, None))
            elif exit_tag in _BREAK:
                tokens.append((_BREAK[exit_tag], None))
            continue
        tag = node.tag
        if tag == "-text":
            content = node.text_content
            if content:
                tokens.append((PRE if ctx & _IN_PRE else TEXT, content))
            continue
        if tag is None or tag.startswith("-"):
            continue  # comments, doctype, processing instructions
        if node.mem_id != root_id:
            key = drop_key(node, tag, bool(ctx & _IN_CONTENT), root_len)
            if key is not None:
                drops[key] += 1
                continue
        if tag == "br":
            tokens.append((BR, None))
            continue
        if tag in ("article", "main"):
            ctx |= _IN_CONTENT
        elif tag == "pre":
            ctx |= _IN_PRE
        if tag in _HEADING_LEVEL:
            tokens.append((HSTART, _HEADING_LEVEL[tag]))
        elif tag in _BREAK:
            tokens.append((_BREAK[tag], None))
        elif tag in _CELL_TAGS:
            tokens.append((CELL, None))
        stack.append((None, ctx, tag))
        children = []
        child = node.first_child
        while child is not None:
            children.append(child)
            child = child.next
        for child in reversed(children):
            stack.append((child, ctx, ""))
    return tokens, drops


def html_to_text(src: str) -> tuple[str, list[tuple[int, int, int]], list[str]]:
    """Extract the review body of an HTML page as paragraphs, dropping page chrome."""
    from selectolax.lexbor import LexborHTMLParser

    notes: list[str] = []
    src, flattened = _flatten_deep_html(src)
    if flattened:
        notes.append(f"html: {flattened} tags nested deeper than {_MAX_HTML_DEPTH} levels")
    tree = LexborHTMLParser(src)
    root, in_content = choose_root(tree)
    if root is None:
        return "", [], notes
    if in_content:
        notes.append(f"html: everything outside the <{root.tag}> holding the review")
    tokens, drops = _walk(root, in_content)
    notes += tally("html", drops)
    text, headings = assemble(tokens)
    return text, headings, notes
