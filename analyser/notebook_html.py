"""One analysed review shown in a notebook: its HTML report page in a sandboxed iframe.

Separate from the plots: this is HTML for Jupyter, not matplotlib, and needs only
:mod:`analyser.report` (IPython when present).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from IPython.display import HTML

    from .results import ReviewAnalysis

__all__ = ["review_iframe", "show_review"]


def review_iframe(result: ReviewAnalysis, *, height: int = 600, title: str | None = None) -> str:
    """The review's HTML report page (``report.render_html``) inside a sandboxed iframe.

    The page is a complete document with its own strict Content-Security-Policy and inline
    script; pasted into a notebook it would fight the notebook's page (styles leaking, a second
    ``<html>``, the CSP meta ignored). As ``srcdoc`` it stays a document of its own: its CSP
    applies, ``sandbox="allow-scripts"`` lets the reveal script run but gives the frame an
    opaque origin, so it cannot touch the notebook. The attribute value is the page escaped
    with ``html.escape(quote=True)``, which the browser decodes back to the exact page.
    """
    from .report import render_html

    page = render_html(result, title=title)
    label = title or result.source or "Review"
    return (
        '<div class="review-analyser-review">'
        f'<iframe title="{html.escape(f"Analysed review: {label}", quote=True)}" '
        f'sandbox="allow-scripts" referrerpolicy="no-referrer" '
        f'width="100%" height="{int(height)}" '
        f'style="width:100%;border:1px solid #d9d6cf;border-radius:6px" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe></div>'
    )


def show_review(result: ReviewAnalysis, *, height: int = 600,
                title: str | None = None) -> HTML | str:
    """One analysed review for a notebook: sections labelled, spoilers highlighted and hidden
    until clicked (the same page as ``analyser annotate --format html``).

    Returns ``IPython.display.HTML`` (Jupyter renders it) when IPython is installed, otherwise
    the iframe markup as a string (see :func:`review_iframe`). The iframe is wrapped in a
    ``<div>``: IPython warns about bare ``<iframe>`` markup and suggests its ``IFrame``, which
    can only load a URL, not an inline page.
    """
    markup = review_iframe(result, height=height, title=title)
    try:
        from IPython.display import HTML
    except ImportError:
        return markup
    return HTML(markup)
