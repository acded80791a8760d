"""Self-contained, spoiler-safe HTML reports: one analysed review, or an index of a batch.

The pages are meant to be opened from disk, mailed around or attached to CI runs, so each is a
single HTML5 file with its CSS and a small script inline: no external asset, font or CDN, and
nothing is fetched when it is opened.

Safety model (the review text is untrusted: it may come from any web page):

* every piece of review text, in element content *and* in attributes, goes through
  :func:`_esc` (``html.escape(..., quote=True)`` plus removal of characters that are not
  allowed in HTML); no HTML is ever built from unescaped review text;
* review text never enters the ``<style>`` or ``<script>`` blocks: both are constants of this
  module, so their SHA-256 hashes are fixed and the page carries a strict Content-Security-Policy
  (``default-src 'none'``, script and style allowed only by those hashes). Even a bug in the
  escaping could therefore not run an injected script, load an image or send a request;
* no ``style=""`` attribute is used anywhere (CSP hashes do not cover them); the sentiment bars
  are inline SVG with geometry attributes instead.

Spoilers are hidden by CSS (``display: none`` of the sentence text until the element has the
``revealed`` class), so they stay hidden with JavaScript off, in print, from "find in page" and
from screen readers; the script only reveals. The spoiler's reasons are quoted n-grams of the
sentence itself ("dies in", "his mind"), so they are shown only after revealing, never in the
hover text of a hidden spoiler.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # results.py pulls in pandas and spaCy; rendering needs neither
    from .results import ReviewAnalysis, Section, Sentence

__all__ = ["render_html", "render_index"]

SECTION_LABELS = ("summary", "plot", "opinion", "info")
SNIPPET_CHARS = 80
SENTIMENT_LABELS = ("positive", "negative", "mixed", "neutral")
SEP = " \u00b7 "
NUM_CLASS = ' class="n"'

# Characters that HTML forbids or that break the UTF-8 encoding of the page: C0/C1 controls
# (except tab, newline, carriage return), lone surrogates and the two non-characters U+FFFE/F.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Browsers drop these anywhere in a URL before parsing it ("java\tscript:" is "javascript:").
_URL_STRIP = re.compile("[\x00-\x20\x7f]")
_SAFE_SCHEMES = {"", "http", "https", "file"}


def _esc(value: Any) -> str:
    """Escape anything for HTML text *and* quoted attribute values.

    ``quote=True`` escapes both quote characters, so the same function is safe inside
    ``title="..."`` and ``data-x="..."``; forbidden control characters are replaced so the page
    stays valid and encodable whatever bytes the review contained.
    """
    return html.escape(_BAD_CHARS.sub("\ufffd", str(value)), quote=True)


def _sha256_source(text: str) -> str:
    """CSP hash source for an inline ``<script>``/``<style>`` whose content is exactly `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _csp(style: str, script: str) -> str:
    """The page's policy: nothing from anywhere, except our own inline style and script."""
    return "; ".join([
        "default-src 'none'",
        f"style-src {_sha256_source(style)}",
        f"script-src {_sha256_source(script)}",
        "img-src 'none'",
        "font-src 'none'",
        "connect-src 'none'",
        "media-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


# --------------------------------------------------------------------------------------------
# Shared CSS. Constant on purpose: its hash is in the CSP (review text must never go in here).
# --------------------------------------------------------------------------------------------

_BASE_CSS = """
:root {
  color-scheme: light dark;
  --bg: #fbfaf7; --fg: #1f2328; --muted: #5c6370; --rule: #d9d6cf; --card: #ffffff;
  --summary: #0f766e; --plot: #9333ea; --opinion: #15803d; --info: #1d4ed8;
  --pos: #2f9e44; --neg: #d6336c; --track: #e9e6df;
  --explicit: #c92a2a; --explicit-bg: #fde8e8; --hint: #b35c00; --hint-bg: #fff1db;
  --focus: #1c7ed6;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #16181d; --fg: #e6e6e6; --muted: #a0a6b0; --rule: #343842; --card: #1e2128;
    --summary: #38d9a9; --plot: #d0a2ff; --opinion: #69db7c; --info: #74c0fc;
    --pos: #51cf66; --neg: #ff6b8b; --track: #2c3038;
    --explicit: #ff8787; --explicit-bg: #3b1d22; --hint: #ffc078; --hint-bg: #3a2a14;
    --focus: #74c0fc;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 46rem; padding: 2rem 1.25rem 4rem;
  font: 17px/1.65 Charter, "Bitstream Charter", "Sitka Text", Cambria, "DejaVu Serif",
        Georgia, serif;
}
h1, h2, .ui, header, footer, table, button {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans",
               sans-serif;
}
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .35rem; overflow-wrap: anywhere; }
.sub { color: var(--muted); font-size: .85rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
.pill {
  display: inline-block; padding: 0 .5em; border-radius: 999px; font-size: .72rem;
  font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #fff;
  background: var(--muted); vertical-align: .12em;
}
.pill.summary { background: var(--summary); } .pill.plot { background: var(--plot); }
.pill.opinion { background: var(--opinion); } .pill.info { background: var(--info); }
.pill.positive { background: var(--pos); } .pill.negative { background: var(--neg); }
.pill.mixed { background: var(--hint); }
@media (prefers-color-scheme: dark) { .pill { color: #111; } }
.senti { display: inline-flex; align-items: center; gap: .4rem; white-space: nowrap;
         font-size: .8rem; color: var(--muted); font-weight: 400; }
.bar { width: 7rem; height: .6rem; border-radius: 3px; overflow: hidden; }
.bar .track { fill: var(--track); } .bar .pos { fill: var(--pos); }
.bar .neg { fill: var(--neg); } .bar .mid { stroke: var(--fg); stroke-width: 1.5px; }
.num { font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}
button.ui {
  font-size: .85rem; padding: .3rem .8rem; border-radius: .4rem; cursor: pointer;
  border: 1px solid var(--rule); background: var(--card); color: var(--fg);
}
button.ui[aria-pressed="true"] { background: var(--explicit-bg); border-color: var(--explicit); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--rule);
         color: var(--muted); font-size: .8rem; }
footer p { margin: .3rem 0; }
@media print {
  :root { --bg: #fff; --fg: #000; --card: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  button.ui, noscript { display: none !important; }
  a { color: inherit; }
}
"""

_REVIEW_CSS = _BASE_CSS + """
.summary-box {
  background: var(--card); border: 1px solid var(--rule); border-radius: .6rem;
  padding: .8rem 1rem; margin: 0 0 1rem; font-size: .9rem;
}
.summary-box dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem;
                  margin: 0; }
.summary-box dt { color: var(--muted); }
.summary-box dd { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center;
          font-size: .8rem; color: var(--muted); margin: .8rem 0 0; padding: 0;
          list-style: none; }
.legend .sample { font-size: .72rem; }
.legend-bar { display: inline-flex; align-items: center; gap: .4rem; }
.toolbar { display: flex; gap: .6rem; align-items: center; margin: 0 0 1.5rem;
           font-size: .85rem; color: var(--muted); }
section.sec {
  border-left: 4px solid var(--muted); padding: .1rem 0 .1rem 1rem; margin: 1.6rem 0;
}
section.sec.summary { border-color: var(--summary); }
section.sec.plot { border-color: var(--plot); }
section.sec.opinion { border-color: var(--opinion); }
section.sec.info { border-color: var(--info); }
section.sec h2 {
  display: flex; flex-wrap: wrap; align-items: center; gap: .3rem .6rem; font-size: 1.05rem;
  margin: 0 0 .5rem;
}
section.sec h2 .heading { overflow-wrap: anywhere; }
section.sec h2 .senti { margin-left: auto; }
section.sec p { margin: 0 0 .9rem; overflow-wrap: break-word; }
.spoiler { cursor: pointer; border-radius: .3rem; }
.spoiler-ph {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  font-size: .78rem; font-weight: 600; padding: .1rem .5rem; border-radius: .3rem;
  color: var(--explicit); background: var(--explicit-bg);
  border: 1px dashed var(--explicit); white-space: nowrap;
  -webkit-box-decoration-break: clone; box-decoration-break: clone;
}
.spoiler-ph.hint {
  color: var(--hint); background: var(--hint-bg); border-color: var(--hint);
}
.spoiler .spoiler-text { display: none; }
.spoiler.revealed .spoiler-ph { display: none; }
.spoiler.revealed .spoiler-text {
  display: inline; background: var(--explicit-bg); box-shadow: 0 0 0 1px var(--explicit-bg);
  border-bottom: 2px solid var(--explicit);
  -webkit-box-decoration-break: clone; box-decoration-break: clone;
}
.spoiler.revealed[data-kind="hint"] .spoiler-text {
  background: var(--hint-bg); box-shadow: 0 0 0 1px var(--hint-bg);
  border-bottom-color: var(--hint);
}
.spoiler .why { display: none; }
.spoiler.revealed .why {
  display: inline; font-family: system-ui, sans-serif; font-size: .7rem; color: var(--muted);
  margin-left: .3rem;
}
details.removed { margin-top: 1rem; }
details.removed summary { cursor: pointer; }
details.removed ul { padding-left: 1.2rem; }
details.removed li { margin: .2rem 0; overflow-wrap: anywhere; }
details.removed q { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .75rem; }
.empty { color: var(--muted); font-style: italic; }
@media print {
  section.sec { break-inside: avoid-page; }
  .spoiler-ph { border-style: solid; }
}
"""

_REVIEW_JS = """
(function () {
  "use strict";
  var spoilers = Array.prototype.slice.call(document.querySelectorAll(".spoiler"));
  var all = document.getElementById("reveal-all");

  function setRevealed(el, on) {
    el.classList.toggle("revealed", on);
    el.setAttribute("aria-expanded", on ? "true" : "false");
    el.title = on ? el.getAttribute("data-title-revealed") : el.getAttribute("data-title-hidden");
  }
  function syncAll() {
    if (!all) { return; }
    var allOn = spoilers.length > 0 && spoilers.every(function (el) {
      return el.classList.contains("revealed");
    });
    all.setAttribute("aria-pressed", allOn ? "true" : "false");
    all.textContent = allOn ? "Hide all spoilers" : "Reveal all spoilers";
  }
  function toggle(el) {
    setRevealed(el, el.getAttribute("aria-expanded") !== "true");
    syncAll();
  }
  spoilers.forEach(function (el) {
    el.addEventListener("click", function () {
      var sel = window.getSelection && window.getSelection();
      if (sel && !sel.isCollapsed && el.contains(sel.anchorNode)) { return; }  // copying text
      toggle(el);
    });
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " " || ev.key === "Spacebar") {
        ev.preventDefault();
        toggle(el);
      }
    });
  });
  if (all && spoilers.length) {
    all.hidden = false;
    all.addEventListener("click", function () {
      var on = all.getAttribute("aria-pressed") !== "true";
      spoilers.forEach(function (el) { setRevealed(el, on); });
      syncAll();
    });
  }
})();
"""

_INDEX_CSS = _BASE_CSS + """
body { max-width: 72rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
th, td { padding: .45rem .6rem; border-bottom: 1px solid var(--rule); text-align: left;
         vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
th button {
  all: unset; cursor: pointer; display: inline-flex; gap: .3rem; align-items: center;
}
th button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
th[aria-sort="ascending"] button::after { content: "\\25B2"; font-size: .65rem; }
th[aria-sort="descending"] button::after { content: "\\25BC"; font-size: .65rem; }
td.n, th.n { text-align: right; }
td.review { overflow-wrap: anywhere; max-width: 24rem; }
td.review .src { display: block; color: var(--muted); font-size: .75rem; }
td.err { color: var(--explicit); overflow-wrap: break-word; min-width: 10rem;
         max-width: 24rem; }
tr.error td { background: var(--explicit-bg); }
tbody tr:hover td { background: var(--track); }
a { color: var(--focus); }
.totals { color: var(--muted); font-size: .9rem; margin: 0 0 1rem; }
.senti .bar { width: 4.5rem; }
"""

_INDEX_JS = """
(function () {
  "use strict";
  var table = document.getElementById("reviews");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, i) {
    var cell = row.cells[i];
    return cell ? cell.getAttribute("data-sort") || "" : "";
  }
  heads.forEach(function (th, i) {
    var btn = th.querySelector("button");
    if (!btn) { return; }
    btn.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.classList.contains("n");
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = key(a, i), y = key(b, i);
        if (x === "" || y === "") { return (x === "") - (y === ""); }  // blanks always last
        var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    });
  });
})();
"""


# --------------------------------------------------------------------------------------------
# Small pieces
# --------------------------------------------------------------------------------------------

def _page(*, title: str, lang: str, css: str, js: str, body: str) -> str:
    """Wrap a body in the page skeleton. The CSP meta comes first so it governs everything."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_esc(lang or "en")}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(_csp(css, js))}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="generator" content="review-analyser">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>{css}</style>\n"
        "</head>\n<body>\n"
        f"{body}\n"
        f"<script>{js}</script>\n"
        "</body>\n</html>\n"
    )


def _num(value: Any) -> float | None:
    """A finite float, or None for missing/NaN/non-numeric (batch rows with errors have gaps)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _signed(score: float) -> str:
    """Sentiment as people read it: always signed, and a real minus sign for negatives."""
    return f"{score:+.2f}".replace("-", "\u2212")


def _sentiment_bar(score: float, *, label: str = "Sentiment") -> str:
    """A -1..+1 bar with a centre line: red grows left of it, green right; the number is text.

    SVG geometry attributes are used instead of ``style=""`` because the CSP forbids inline
    style attributes; the SVG itself is hidden from screen readers, which read the text.
    """
    s = max(-1.0, min(1.0, score))
    fill = (f'<rect class="pos" x="0" y="0" width="{s:.4f}" height="1"/>' if s >= 0 else
            f'<rect class="neg" x="{s:.4f}" y="0" width="{-s:.4f}" height="1"/>')
    return (
        '<span class="senti">'
        '<svg class="bar" viewBox="-1 0 2 1" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false">'
        '<rect class="track" x="-1" y="0" width="2" height="1"/>'
        f"{fill}"
        '<line class="mid" x1="0" y1="0" x2="0" y2="1" vector-effect="non-scaling-stroke"/>'
        "</svg>"
        f'<span class="visually-hidden">{_esc(label)} </span>'
        f'<span class="num">{_esc(_signed(score))}</span>'
        "</span>"
    )


def _snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """One line of at most `limit` characters (before escaping, so no entity is cut in half)."""
    flat = " / ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------------------------
# One review
# --------------------------------------------------------------------------------------------

def _spoiler_html(s: Sentence) -> str:
    """A hidden spoiler: a focusable toggle whose sentence text is hidden by CSS until revealed.

    ``<span role="button">`` rather than ``<button>`` keeps the revealed sentence flowing inline
    with its paragraph (a real button is an inline block). Reasons are in the revealed title and
    the revealed "why" note only, because they quote the sentence.
    """
    kind = s.spoiler.kind or "spoiler"
    kind_cls = "hint" if kind == "hint" else "explicit"  # a class, never free text
    p = f"{s.spoiler.probability:.2f}"
    reasons = ", ".join(s.spoiler.reasons)
    hidden_title = (f"{kind} spoiler, p={p}. Click, or press Enter or Space, to reveal "
                    "(reasons are shown after revealing).")
    revealed_title = f"{kind} spoiler, p={p}" + (f": {reasons}" if reasons else "")
    why = f'<span class="why">({_esc(kind)} p={_esc(p)}: {_esc(reasons)})</span>' if reasons \
        else ""
    return (
        f'<span class="spoiler" role="button" tabindex="0" aria-expanded="false" '
        f'data-kind="{_esc(kind)}" data-probability="{_esc(p)}" '
        f'data-reasons="{_esc(reasons)}" title="{_esc(hidden_title)}" '
        f'data-title-hidden="{_esc(hidden_title)}" data-title-revealed="{_esc(revealed_title)}">'
        f'<span class="spoiler-ph {kind_cls}">'
        f"Spoiler ({_esc(kind)}, p={_esc(p)}) \u2013 click to reveal</span>"
        f'<span class="spoiler-text">{_esc(s.text)}</span>{why}'
        "</span>"
    )


def _sentence_html(s: Sentence) -> str:
    return _spoiler_html(s) if s.spoiler.flag else _esc(s.text)


def _paragraphs(sentences: list[Sentence]) -> str:
    """Sentences joined by spaces, a new ``<p>`` whenever ``sentence.paragraph`` changes."""
    if not sentences:
        return '<p class="empty">No sentences in this section.</p>'
    out: list[str] = []
    current: list[str] = []
    para = sentences[0].paragraph
    for s in sentences:
        if s.paragraph != para and current:
            out.append("<p>" + " ".join(current) + "</p>")
            current = []
        para = s.paragraph
        current.append(_sentence_html(s))
    out.append("<p>" + " ".join(current) + "</p>")
    return "\n".join(out)


def _blocks(result: ReviewAnalysis) -> list[tuple[str, str | None, float, list[Sentence]]]:
    """Sections in reading order with their sentences, as (label, heading, sentiment, sentences).

    A sentence belongs to the first section whose span holds its start (the rule the terminal
    report uses). Sentences no section holds (e.g. a review analysed without sections) are
    still shown, grouped by their own label, so nothing of the review goes missing.
    """
    sections: list[Section] = list(result.sections)
    members: list[list[Sentence]] = [[] for _ in sections]
    orphans: list[tuple[int, str, str | None, list[Sentence]]] = []
    for s in result.sentences:
        for i, sec in enumerate(sections):
            if sec.start <= s.start < sec.end or s.start == sec.start:
                members[i].append(s)
                break
        else:
            if orphans and orphans[-1][1] == s.section and orphans[-1][2] == s.heading:
                orphans[-1][3].append(s)
            else:
                orphans.append((s.start, s.section, s.heading, [s]))
    blocks: list[tuple[int, str, str | None, float, list[Sentence]]] = [
        (sec.start, sec.label, sec.heading, sec.sentiment, members[i])
        for i, sec in enumerate(sections)
    ]
    for start, label, heading, sents in orphans:
        mean = sum(x.sentiment for x in sents) / len(sents)
        blocks.append((start, label, heading, round(mean, 4), sents))
    blocks.sort(key=lambda b: b[0])
    return [(label, heading, senti, sents) for _, label, heading, senti, sents in blocks]


def _label_class(label: str) -> str:
    """CSS class for a section label; unknown labels get no colour rather than a raw class."""
    return label if label in SECTION_LABELS else "other"


def _sentiment_class(label: str) -> str:
    """CSS class for a sentiment label; free text never becomes a class name."""
    return label if label in SENTIMENT_LABELS else "other"


def _section_html(n: int, label: str, heading: str | None, sentiment: float,
                  sentences: list[Sentence]) -> str:
    cls = _label_class(label)
    head = f'<span class="heading">{_esc(heading)}</span>' if heading else ""
    return (
        f'<section class="sec {cls}" aria-labelledby="sec-{n}">\n'
        f'<h2 id="sec-{n}"><span class="pill {cls}">{_esc(label)}</span>{head}'
        f"{_sentiment_bar(sentiment, label='Section sentiment')}</h2>\n"
        f"{_paragraphs(sentences)}\n"
        "</section>"
    )


def _removed_html(result: ReviewAnalysis) -> str:
    """Page chrome the cleaner dropped, collapsed by default (comments may spoil, too)."""
    if not result.removed:
        return "<p>Nothing was removed from the page.</p>"
    lines: dict[str, int] = {}
    for r in result.removed:
        chunk = result.text[r.start:r.end]
        lines[r.reason] = lines.get(r.reason, 0) + max(1, len(chunk.strip().splitlines()))
    summary = ", ".join(f"{_esc(reason)} ({_plural(n, 'line')})" for reason, n in lines.items())
    items = "\n".join(
        f'<li><span class="pill">{_esc(r.reason)}</span> '
        f"<q>{_esc(_snippet(result.text[r.start:r.end]))}</q></li>"
        for r in result.removed
    )
    return (
        '<details class="removed">\n'
        f"<summary>Removed from the page: {summary}</summary>\n"
        f"<ul>\n{items}\n</ul>\n</details>"
    )


def _legend() -> str:
    labels = "".join(
        f'<li><span class="pill sample {lab}">{lab}</span></li>' for lab in SECTION_LABELS
    )
    return (
        '<ul class="legend" aria-label="Legend">'
        f"{labels}"
        '<li><span class="spoiler-ph sample explicit">explicit spoiler</span></li>'
        '<li><span class="spoiler-ph sample hint">spoiler hint</span></li>'
        '<li class="legend-bar">'
        '<svg class="bar" viewBox="-1 0 2 1" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false"><rect class="track" x="-1" y="0" width="2" height="1"/>'
        '<rect class="neg" x="-0.5" y="0" width="0.5" height="1"/>'
        '<rect class="pos" x="0" y="0" width="0.8" height="1"/>'
        '<line class="mid" x1="0" y1="0" x2="0" y2="1" vector-effect="non-scaling-stroke"/>'
        "</svg>sentiment from \u22121 (negative, red, left) to +1 (positive, green, right)</li>"
        "</ul>"
    )


def render_html(result: ReviewAnalysis, *, title: str | None = None) -> str:
    """One analysed review as a self-contained, spoiler-safe HTML5 page.

    `title` defaults to the review's source, then to "Review". Every text of the review is
    escaped; spoiler sentences are hidden until the reader reveals them (click, Enter or Space),
    and stay hidden without JavaScript.
    """
    page_title = title or result.source or "Review"
    sents = result.sentences
    n = len(sents)
    kinds = {"explicit": 0, "hint": 0}
    for s in result.spoiler_sentences:
        kinds[s.spoiler.kind or "explicit"] = kinds.get(s.spoiler.kind or "explicit", 0) + 1
    kind_text = ", ".join(
        (f"{v} explicit" if k == "explicit" else _plural(v, k)) for k, v in kinds.items() if v
    )
    spoiler_text = (f"{result.spoilers.count} of {_plural(n, 'sentence')} "
                    f"({result.spoilers.share:.0%})" + (f": {kind_text}" if kind_text else ""))
    sent = result.sentiment
    source_line = []
    if result.source and result.source != page_title:
        source_line.append(f"Source: {_esc(result.source)}")
    source_line.append(f"Format: {_esc(result.format)}")
    source_line.append(f"{_plural(n, 'sentence')}, {_plural(len(result.text.split()), 'word')}")

    header = (
        "<header>\n"
        f"<h1>{_esc(page_title)}</h1>\n"
        f'<p class="sub">{SEP.join(source_line)}</p>\n'
        '<div class="summary-box"><dl>'
        f'<dt>Overall sentiment</dt><dd><span class="pill {_sentiment_class(sent.label)}">'
        f"{_esc(sent.label)}</span>{_sentiment_bar(sent.score, label='Overall sentiment')}</dd>"
        f"<dt>Spoilers</dt><dd>{_esc(spoiler_text)}</dd>"
        f"</dl>{_legend()}</div>\n"
        '<div class="toolbar">'
        '<button type="button" class="ui" id="reveal-all" aria-pressed="false" hidden>'
        "Reveal all spoilers</button>"
        "<noscript>JavaScript is off: spoilers stay hidden in this view.</noscript>"
        "</div>\n"
        "</header>"
    )
    blocks = _blocks(result)
    if blocks:
        main = "\n".join(_section_html(i, *b) for i, b in enumerate(blocks, 1))
    else:
        main = '<p class="empty">No review text was found.</p>'
    versions = ", ".join(f'<span class="nowrap">{_esc(k)} {_esc(v)}</span>'
                         for k, v in sorted(result.model_versions.items()))
    footer = (
        "<footer>\n"
        f"{_removed_html(result)}\n"
        f"<p>Models: {versions or 'unknown'}.</p>\n"
        "<p>Generated by review-analyser. This page loads nothing from the network.</p>\n"
        "</footer>"
    )
    body = f"{header}\n<main>\n{main}\n</main>\n{footer}"
    return _page(title=page_title, lang=result.language, css=_REVIEW_CSS, js=_REVIEW_JS,
                 body=body)


# --------------------------------------------------------------------------------------------
# A batch
# --------------------------------------------------------------------------------------------

def _safe_href(href: Any) -> str | None:
    """`href` if it is a relative, http(s) or file URL; None otherwise.

    Escaping alone does not make a URL safe (``javascript:alert(1)`` has nothing to escape);
    the CSP would block such a link too, but the page should not offer it in the first place.
    """
    if href is None:
        return None
    raw = _URL_STRIP.sub("", str(href))
    if not raw:
        return None
    try:
        scheme = urlsplit(raw).scheme.lower()
    except ValueError:
        return None
    return str(href).strip() if scheme in _SAFE_SCHEMES else None


_COLUMNS: list[tuple[str, str, bool]] = [
    # (key, header, numeric)
    ("review", "Review", False),
    ("n_sentences", "Sentences", True),
    ("spoiler_count", "Spoilers", True),
    ("spoiler_share", "Spoiler share", True),
    ("sentiment_label", "Sentiment", False),
    ("sentiment_score", "Score", True),
    ("error", "Error", False),
]


def _index_row(i: int, row: dict[str, Any]) -> str:
    rid, source = row.get("id"), row.get("source")
    name = str(rid if rid not in (None, "") else source if source not in (None, "")
               else f"review {i}")
    href = _safe_href(row.get("href"))
    link = (f'<a href="{_esc(href)}" rel="noopener noreferrer">{_esc(name)}</a>' if href
            else _esc(name))
    src = (f'<span class="src">{_esc(source)}</span>'
           if source not in (None, "") and str(source) != name else "")
    cells = [f'<td class="review" data-sort="{_esc(name.casefold())}">{link}{src}</td>']

    def num_cell(value: float | None, shown: str) -> str:
        key = "" if value is None else repr(value)
        return f'<td class="n num" data-sort="{_esc(key)}">{shown}</td>'

    n_sent = _num(row.get("n_sentences"))
    cells.append(num_cell(n_sent, _esc(f"{n_sent:.0f}") if n_sent is not None else "\u2013"))
    count = _num(row.get("spoiler_count"))
    cells.append(num_cell(count, _esc(f"{count:.0f}") if count is not None else "\u2013"))
    share = _num(row.get("spoiler_share"))
    cells.append(num_cell(share, _esc(f"{share:.0%}") if share is not None else "\u2013"))
    label = row.get("sentiment_label")
    label_s = "" if label is None or (isinstance(label, float) and math.isnan(label)) \
        else str(label)
    cells.append(
        f'<td data-sort="{_esc(label_s)}">'
        + (f'<span class="pill {_sentiment_class(label_s)}">{_esc(label_s)}</span>' if label_s
           else "\u2013")
        + "</td>"
    )
    score = _num(row.get("sentiment_score"))
    cells.append(num_cell(score, _sentiment_bar(score) if score is not None else "\u2013"))
    error = row.get("error")
    error_s = "" if error is None or (isinstance(error, float) and math.isnan(error)) \
        else str(error)
    cells.append(f'<td class="err" data-sort="{_esc(error_s)}">{_esc(error_s)}</td>')
    cls = ' class="error"' if error_s else ""
    return f"<tr{cls}>" + "".join(cells) + "</tr>"


def render_index(rows: Iterable[dict[str, Any]], *, title: str = "Batch report") -> str:
    """A self-contained page summarising a batch: one sortable table row per review.

    `rows` are :meth:`ReviewAnalysis.summary` dicts, optionally with ``id``, ``href`` (a link to
    that review's own page; only relative, http(s) and file URLs are linked) and ``error``.
    Missing or NaN values show as a dash, so failed reviews can share the table.
    """
    rows = list(rows)
    heads = "".join(
        f"<th scope=\"col\"{NUM_CLASS if numeric else ''}>"
        f'<button type="button">{_esc(header)}</button></th>'
        for _, header, numeric in _COLUMNS
    )
    body_rows = "\n".join(_index_row(i, row) for i, row in enumerate(rows, 1))
    n_err = sum(1 for r in rows if r.get("error") not in (None, "")
                and not (isinstance(r.get("error"), float) and math.isnan(r["error"])))
    spoilers = sum(int(_num(r.get("spoiler_count")) or 0) for r in rows)
    scores = [x for x in (_num(r.get("sentiment_score")) for r in rows) if x is not None]
    mean = (f", mean sentiment {_esc(_signed(sum(scores) / len(scores)))}" if scores else "")
    totals = (f"{_plural(len(rows), 'review')}, {_plural(n_err, 'error')}, "
              f"{_plural(spoilers, 'spoiler sentence')}{mean}. "
              "Click a column header to sort.")
    table = (
        '<div class="table-wrap"><table id="reviews">\n'
        f"<caption class=\"visually-hidden\">{_esc(title)}</caption>\n"
        f"<thead><tr>{heads}</tr></thead>\n"
        f"<tbody>\n{body_rows}\n</tbody>\n</table></div>"
    )
    body = (
        f"<header><h1>{_esc(title)}</h1>\n<p class=\"totals\">{totals}</p></header>\n"
        f"<main>\n{table}\n</main>\n"
        "<footer><p>Generated by review-analyser. This page loads nothing from the network."
        "</p></footer>"
    )
    return _page(title=title, lang="en", css=_INDEX_CSS, js=_INDEX_JS, body=body)
