"""Tell a web page's chrome (navigation, sidebars, comments, sharing) from the review it holds."""

from __future__ import annotations

import re
from typing import Any

_DROP_TAGS = frozenset(
    "script style noscript template iframe object embed svg math canvas form button select "
    "input textarea nav footer aside head title meta link audio video map dialog".split()
)
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_TOKENS = frozenset(
    "sidebar widget share sharing social sharedaddy comments comment commentlist respond menu "
    "navbar nav navigation breadcrumb breadcrumbs related relatedposts cookie newsletter "
    "subscribe footer advert ads pagination".split()
)
# Tokens of sections that never wrap the review (used when choosing the root element).
_SECTION_TOKENS = frozenset(
    "comments comment commentlist respond related relatedposts sharedaddy share sharing "
    "social".split()
)
_TOKEN_SPLIT_RE = re.compile(r"[\s_-]+")
_CONTENT_SELECTOR = (
    "article:not([class*=comment]), main, h1, [itemprop=articleBody], .entry-content, .post-content"
)
_ROOT_SELECTOR = "article, main, [role=main], [itemprop=articleBody], .entry-content, .post-content"


def _chrome_token(value: str, tokens: frozenset[str] = _CHROME_TOKENS) -> str | None:
    """The first class/id token naming page chrome (taxonomy classes like tag-x are ignored)."""
    for cls in value.split():
        low = cls.lower()
        if low.startswith(("tag-", "category-", "post-", "postid-", "tags-")):
            continue
        for tok in _TOKEN_SPLIT_RE.split(low):
            if tok in tokens:
                return tok
    return None


def _holds_content(node: Any, root_len: int, by_size: bool = True) -> bool:
    """Whether a would-be-dropped element wraps the review (layout wrapper, ASP.NET <form>)."""
    if node.css_first(_CONTENT_SELECTOR) is not None:
        return True
    if not by_size or not root_len:
        return False
    return len(node.text(deep=True, separator=" ")) > 0.5 * root_len


def _in_chrome(node: Any) -> bool:
    """True if a root candidate is (inside) comments, related posts, a sidebar... (no recursion).

    Layout wrappers such as <div class="content-with-sidebar"> are not counted: only tags,
    roles and class tokens that never wrap the main content are.
    """
    cur = node
    while cur is not None and cur.tag not in (None, "-document", "html"):
        attrs = cur.attributes
        if cur is not node and cur.tag in ("nav", "aside", "footer"):
            return True
        if (attrs.get("role") or "").lower() in _DROP_ROLES:
            return True
        for attr in ("id", "class"):
            if _chrome_token(attrs.get(attr) or "", _SECTION_TOKENS):
                return True
        cur = cur.parent
    return False


def choose_root(tree: Any) -> tuple[Any, bool]:
    """Pick the article-like element holding the review; fall back to <body>."""
    cands = [n for n in tree.css(_ROOT_SELECTOR) if not _in_chrome(n)]
    if cands:
        sized = [(len(n.text(deep=True, separator=" ")), i, n) for i, n in enumerate(cands)]
        best = max(size for size, _, _ in sized)
        if best > 0:
            # Prefer article-level elements over <main> (which also wraps comments/related).
            sized.sort(
                key=lambda t: (t[2].tag == "main" or t[2].attributes.get("role") == "main", t[1])
            )
            for size, _, node in sized:
                if size >= 0.5 * best:
                    return node, True
    body = tree.body
    return (body if body is not None else tree.root), False


def drop_key(node: Any, tag: str, in_content: bool, root_len: int) -> str | None:
    """Why this element is page chrome (a note key), or None to keep it."""
    if tag in _DROP_TAGS:
        if tag == "form" and _holds_content(node, root_len):
            return None
        return f"<{tag}>"
    if tag == "header" and not in_content:
        return "<header> (site banner)"
    attrs = node.attributes
    if not attrs:
        return None
    role = (attrs.get("role") or "").strip().lower()
    if role in _DROP_ROLES:
        return f"<{tag} role={role}>"
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return f"hidden <{tag}>"
    for attr in ("id", "class"):
        tok = _chrome_token(attrs.get(attr) or "")
        if tok is None:
            continue
        # A wrapper such as <div class="has-sidebar"> may hold the review itself: keep it.
        # Comment/related/share sections can be long, so their size proves nothing.
        if _holds_content(node, root_len, by_size=tok not in _SECTION_TOKENS):
            return None
        return f"<{tag} {attr}={tok}>"
    return None
