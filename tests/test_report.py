"""The HTML report (analyser/report.py): self-contained, escaped, CSP-locked, spoiler-safe.

Two layers:

* fast structural tests on the generated HTML (stdlib ``html.parser``, no browser);
* real headless-Chromium tests (Playwright driving Debian's ``/usr/bin/chromium``) that check
  what a reader actually sees: spoilers hidden until clicked or keyed, nothing injected runs.
  They skip with a reason when Playwright or Chromium is missing, so the suite runs anywhere.

Screenshots go to ``$REPORT_ARTIFACTS_DIR`` when set, else to a pytest temporary folder; the
path is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyser.report import render_html, render_index
from analyser.results import (
    Removed,
    ReviewAnalysis,
    Section,
    Sentence,
    Sentiment,
    Spoiler,
    SpoilerSummary,
)

MALICIOUS = """Review: <script>alert("x")</script>

The Plot:
The hero opens the door <script>window.__pwned = 1; alert("x")</script> and finds the old \
house empty. Then "><img src=x onerror=alert(1)> the villain kills her brother in the final \
scene, and the big reveal is that she was dead all along. </style><style>body{display:none}\
</style> In the end she dies <b>alone</b> " onmouseover="window.__pwned=1" x.

My opinion:
I loved it & the acting was great "quoted" 'single' </textarea></title>\
<svg onload=window.__pwned=1>. The music is wonderful.
"""

# Tags the review page may contain at all; anything else means review text became markup.
REVIEW_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "div", "dl",
    "dt", "dd", "ul", "li", "span", "svg", "rect", "line", "button", "noscript", "main",
    "section", "footer", "details", "summary", "q", "script",
}
INDEX_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "div", "table",
    "caption", "thead", "tbody", "tr", "th", "td", "button", "a", "span", "svg", "rect", "line",
    "main", "footer", "script",
}


class _Page(HTMLParser):
    """Collects tags with attributes, inline script/style text, and text by enclosing class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._stack: list[tuple[str, set[str]]] = []
        self.text_outside_spoilers: list[str] = []
        self.spoiler_texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("meta",):
            return
        classes = set((dict(attrs).get("class") or "").split())
        self._stack.append((tag, classes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        current = self._stack[-1][0] if self._stack else ""
        if current in self.raw:
            self.raw[current].append(data)
            return
        if any("spoiler-text" in classes for _, classes in self._stack):
            self.spoiler_texts.append(data)
        else:
            self.text_outside_spoilers.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def csp_of(parsed: _Page) -> dict[str, str]:
    metas = [a for t, a in parsed.tags
             if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1, "exactly one CSP meta tag"
    policy = metas[0]["content"] or ""
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _sentence(i: int, text: str, start: int, *, section: str = "plot", paragraph: int = 0,
              spoiler: bool = False, kind: str | None = None,
              reasons: list[str] | None = None) -> Sentence:
    return Sentence(index=i, text=text, start=start, end=start + len(text), section=section,
                    spoiler=Spoiler(probability=0.9 if spoiler else 0.1, flag=spoiler,
                                    kind=kind if spoiler else None, reasons=reasons or []),
                    sentiment=0.2, paragraph=paragraph)


# --------------------------------------------------------------------------------------------
# fixtures: real analyses (the session-scoped `analyser` from conftest loads the models once)
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def blog(analyser, examples: Path) -> ReviewAnalysis:
    path = examples / "blog_post_with_chrome.txt"
    return analyser.analyse(path.read_text(encoding="utf-8"), source=str(path.name))


@pytest.fixture(scope="module")
def blog_html(blog: ReviewAnalysis) -> str:
    return render_html(blog, title="Review: The Long Quiet (2019)")


@pytest.fixture(scope="module")
def evil(analyser) -> ReviewAnalysis:
    # fmt="text": keep the markup as literal review text (HTML input would be stripped to text)
    return analyser.analyse(MALICIOUS, source='<script>alert("src")</script>', fmt="text")


@pytest.fixture(scope="module")
def evil_html(evil: ReviewAnalysis) -> str:
    return render_html(evil)


@pytest.fixture(scope="module")
def crafted() -> ReviewAnalysis:
    """Hostile values in every field the analyser copies from input: headings, reasons, source,
    removed chrome; built by hand so each lands exactly where the test wants it."""
    evil_reason = '"><img src=x onerror=alert(1)>'
    heading = "</h2><script>alert('h')</script>"
    s0 = "A calm opening line."
    s1 = 'He dies "><script>alert(1)</script> at the end.'
    s2 = "New paragraph, still calm."
    chrome = "Share <a href='javascript:alert(1)'>this</a> " + "x" * 200
    text = f"{s0} {s1}\n\n{s2}\n{chrome}"
    sentences = [
        _sentence(0, s0, 0),
        _sentence(1, s1, len(s0) + 1, spoiler=True, kind="explicit", reasons=[evil_reason]),
        _sentence(2, s2, text.index(s2), paragraph=1),
    ]
    c0 = text.index(chrome)
    return ReviewAnalysis(
        text=text, sentences=sentences,
        sections=[Section("plot", heading, 0, c0 - 1, -0.4)],
        removed=[Removed(c0, c0 + len(chrome), "share<b>")],
        headings=[], spoilers=SpoilerSummary(1, 0.3333), sentiment=Sentiment(-0.4, "negative"),
        model_versions={"spoilers": "<i>v1</i>"}, source='"><script>alert("s")</script>',
    )


# --------------------------------------------------------------------------------------------
# fast structural tests
# --------------------------------------------------------------------------------------------

def test_page_is_self_contained(blog_html: str) -> None:
    assert blog_html.startswith("<!DOCTYPE html>")
    assert "http://" not in blog_html and "https://" not in blog_html
    parsed = parse(blog_html)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "form"), tag
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert [t for t, _ in parsed.tags].count("style") == 1


def test_csp_is_strict_and_hashes_match_inline_code(blog_html: str) -> None:
    parsed = parse(blog_html)
    csp = csp_of(parsed)
    assert csp["default-src"] == "'none'"
    assert csp["img-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["script-src"] == sha256_source("".join(parsed.raw["script"]))
    assert csp["style-src"] == sha256_source("".join(parsed.raw["style"]))
    for directive in csp.values():
        assert "unsafe" not in directive and "*" not in directive and "http" not in directive
    # the CSP meta must come before anything it governs
    assert blog_html.index("Content-Security-Policy") < blog_html.index("<style>")
    # inline style attributes would be blocked by this CSP, so the page must not rely on them
    assert not any("style" in attrs for _, attrs in parsed.tags)
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)


def test_header_sections_and_paragraphs(blog: ReviewAnalysis, blog_html: str) -> None:
    parsed = parse(blog_html)
    visible = " ".join(parsed.text_outside_spoilers)
    assert "Review: The Long Quiet (2019)" in visible
    assert blog.sentiment.label in visible
    assert f"{blog.spoilers.count} of {len(blog.sentences)} sentences" in visible
    for label in ("summary", "plot", "opinion"):
        assert f'<section class="sec {label}"' in blog_html
    for heading in ("Summary", "The Plot", "My opinion", "Verdict"):
        assert f'<span class="heading">{heading}</span>' in blog_html
    # one <p> per paragraph of body sentences, across all sections
    assert blog_html.count("<p>") >= len({s.paragraph for s in blog.sentences})
    sections = re.findall(r'<section class="sec [a-z]+".*?</section>', blog_html, flags=re.S)
    assert len(sections) == len(blog.sections)
    assert sum(sec.count("<p>") for sec in sections) == len({s.paragraph for s in blog.sentences})
    # a sentiment bar with its number as text for every section
    assert blog_html.count("Section sentiment") == len(blog.sections)
    assert "Reveal all spoilers" in blog_html


def test_spoiler_text_appears_only_inside_the_spoiler(blog: ReviewAnalysis,
                                                      blog_html: str) -> None:
    parsed = parse(blog_html)
    outside = "".join(parsed.text_outside_spoilers)
    inside = "".join(parsed.spoiler_texts)
    spoilers = blog.spoiler_sentences
    assert spoilers, "the example review has spoilers"
    for s in spoilers:
        assert s.text in inside
        assert s.text not in outside
        assert blog_html.count(html.escape(s.text, quote=True)) == 1
    for s in blog.sentences:
        if not s.spoiler.flag:
            assert s.text in outside
    # one accessible toggle per spoiler, collapsed, with kind and probability
    toggles = [a for t, a in parsed.tags if "spoiler" in (a.get("class") or "").split()]
    assert len(toggles) == len(spoilers)
    for attrs, s in zip(toggles, spoilers, strict=True):
        assert attrs["role"] == "button" and attrs["tabindex"] == "0"
        assert attrs["aria-expanded"] == "false"
        assert attrs["data-kind"] == s.spoiler.kind
        assert attrs["data-probability"] == f"{s.spoiler.probability:.2f}"
        assert s.spoiler.kind in attrs["title"]
        assert f"p={s.spoiler.probability:.2f}" in attrs["title"]
        # reasons quote the sentence ("dies in"), so the hover text of a hidden spoiler omits them
        for reason in s.spoiler.reasons:
            assert reason not in attrs["title"]
    placeholders = [d for d in parsed.text_outside_spoilers if d.startswith("Spoiler (")]
    assert len(placeholders) == len(spoilers)
    assert all("click to reveal" in p for p in placeholders)


def test_removed_chrome_is_listed_truncated(blog: ReviewAnalysis, blog_html: str) -> None:
    assert "Removed from the page:" in blog_html
    for reason in {r.reason for r in blog.removed}:
        assert f"{reason} (" in blog_html
    parsed = parse(blog_html)
    quotes = [a for t, a in parsed.tags if t == "q"]
    assert len(quotes) == len(blog.removed)
    comment = next(r for r in blog.removed if r.reason == "comments")
    assert len(blog.text[comment.start:comment.end]) > 80
    snippet = re.search(r"<q>(2 replies[^<]*)</q>", blog_html)
    assert snippet and len(html.unescape(snippet.group(1))) <= 80
    assert snippet.group(1).endswith("\u2026")


def test_malicious_review_is_escaped(evil: ReviewAnalysis, evil_html: str) -> None:
    lowered = evil_html.lower()
    assert "<script>alert" not in lowered and "<script>window" not in lowered
    assert "<img" not in lowered and "<svg onload" not in lowered
    assert "</style><style>" not in lowered
    assert "<b>alone" not in lowered and "</textarea>" not in lowered and "</title><" not in lowered
    assert '" onmouseover="' not in evil_html
    parsed = parse(evil_html)
    assert {t for t, _ in parsed.tags} <= REVIEW_TAGS
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    # the text itself survives, literally, for the reader
    everything = "".join(parsed.text_outside_spoilers + parsed.spoiler_texts)
    for s in evil.sentences:
        assert s.text in everything
    assert '<script>alert("src")</script>' in everything  # source in <h1>
    title = re.search(r"<title>(.*?)</title>", evil_html).group(1)
    assert title == html.escape('<script>alert("src")</script>', quote=True)


def test_every_field_is_escaped_including_attributes(crafted: ReviewAnalysis) -> None:
    page = render_html(crafted)
    parsed = parse(page)
    assert {t for t, _ in parsed.tags} <= REVIEW_TAGS
    assert [t for t, _ in parsed.tags].count("script") == 1
    lowered = page.lower()
    assert "<img" not in lowered and "<a " not in lowered and "<i>" not in lowered
    assert "<b>" not in lowered
    toggle = next(a for t, a in parsed.tags if "spoiler" in (a.get("class") or "").split())
    # attribute values round-trip exactly: the quote did not end the attribute
    assert toggle["data-reasons"] == '"><img src=x onerror=alert(1)>'
    assert '"><img src=x onerror=alert(1)>' in toggle["data-title-revealed"]
    headings = [d for d in parsed.text_outside_spoilers if "alert('h')" in d]
    assert headings == ["</h2><script>alert('h')</script>"]
    # the removed chrome: escaped and cut to 80 characters
    snippet = re.search(r"<q>(.*?)</q>", page).group(1)
    assert len(html.unescape(snippet)) == 80
    assert "&lt;a href=&#x27;javascript:alert(1)&#x27;&gt;" in snippet
    # two paragraphs in the one section
    section = re.search(r"<section .*?</section>", page, flags=re.S).group(0)
    assert section.count("<p>") == 2


def test_sentences_outside_any_section_are_still_shown(crafted: ReviewAnalysis) -> None:
    bare = ReviewAnalysis(
        text=crafted.text, sentences=crafted.sentences, sections=[], removed=[], headings=[],
        spoilers=crafted.spoilers, sentiment=crafted.sentiment, model_versions={},
    )
    page = render_html(bare, title="t")
    parsed = parse(page)
    assert "A calm opening line." in "".join(parsed.text_outside_spoilers)
    assert "He dies" in "".join(parsed.spoiler_texts)
    assert "Nothing was removed from the page." in page


INDEX_ROWS = [
    {"source": "a.txt", "id": "a", "href": "a.html", "n_sentences": 12, "spoiler_count": 3,
     "spoiler_share": 0.25, "sentiment_label": "positive", "sentiment_score": 0.61},
    {"source": '<script>alert("row")</script>', "href": "javascript:alert(1)",
     "n_sentences": 4, "spoiler_count": 0, "spoiler_share": 0.0,
     "sentiment_label": "<b>negative</b>", "sentiment_score": -0.3},
    {"source": "b.txt", "href": " java\tscript:alert(2)", "n_sentences": float("nan"),
     "error": '"><img src=x onerror=alert(1)> EmptyInputError'},
    {"source": "c.txt", "id": "c&d", "href": "reviews/c d.html?x=1&y=2", "n_sentences": 7,
     "spoiler_count": 1, "spoiler_share": 1 / 7, "sentiment_label": "mixed",
     "sentiment_score": 0.0},
]


def test_index_escapes_values_and_links_hrefs() -> None:
    page = render_index(INDEX_ROWS, title='Batch <script>alert("t")</script>')
    parsed = parse(page)
    assert {t for t, _ in parsed.tags} <= INDEX_TAGS
    assert [t for t, _ in parsed.tags].count("script") == 1
    lowered = page.lower()
    assert "<script>alert" not in lowered and "<img" not in lowered and "<b>" not in lowered
    assert "javascript:" not in lowered and "java\tscript" not in lowered
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert hrefs == ["a.html", "reviews/c d.html?x=1&y=2"]
    assert 'href="reviews/c d.html?x=1&amp;y=2"' in page
    text = " ".join(parsed.text_outside_spoilers)
    assert '<script>alert("row")</script>' in text and "c&d" in text
    assert '"><img src=x onerror=alert(1)> EmptyInputError' in text
    assert "25%" in text and "14%" in text
    csp = csp_of(parsed)
    assert csp["script-src"] == sha256_source("".join(parsed.raw["script"]))
    assert csp["style-src"] == sha256_source("".join(parsed.raw["style"]))
    assert page.count("<tr") == len(INDEX_ROWS) + 1
    assert page.count('<tr class="error">') == 1
    assert "4 reviews, 1 error, 4 spoiler sentences" in text


def test_index_accepts_real_summaries(blog: ReviewAnalysis) -> None:
    page = render_index([blog.summary(), {**blog.summary(), "href": "blog.html"}])
    assert page.count('<a href="blog.html"') == 1
    assert "blog_post_with_chrome.txt" in page


# --------------------------------------------------------------------------------------------
# real browser (Debian chromium via Playwright)
# --------------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
    "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _unavailable(reason: str) -> None:
    """Skip, or fail where the browser is promised (``REPORT_REQUIRE_BROWSER=1``, e.g. in CI,
    so that a missing install step cannot hide behind a green run)."""
    if os.environ.get("REPORT_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"REPORT_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the whole module (launching is the slow part).

    Debian's chromium, not ``playwright install``: that downloads a browser build, which
    cannot be fetched here.
    """
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("playwright (pip install playwright) is not installed")
    if not CHROMIUM:
        _unavailable("no chromium executable on PATH (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = os.environ.get("REPORT_ARTIFACTS_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("report-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Opened:
    """A page plus everything it complained about (console errors, uncaught errors, dialogs).

    Opening a page costs a renderer process (~0.3 s), so the tests share one page and
    navigate it to a fresh file each time; :meth:`reset` clears what the last test collected.
    """

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console",
                lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

        def on_dialog(dialog) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def reset(self) -> None:
        self.errors.clear()
        self.dialogs.clear()
        self.requests.clear()


@pytest.fixture(scope="module")
def shared_pages(browser):
    """One page with JavaScript and one without, reused by every browser test."""
    viewport = {"width": 900, "height": 900}
    with_js = browser.new_context(viewport=viewport)
    without_js = browser.new_context(viewport=viewport, java_script_enabled=False)
    pages = {True: _Opened(with_js.new_page()), False: _Opened(without_js.new_page())}
    yield pages
    with_js.close()
    without_js.close()


@pytest.fixture
def open_page(shared_pages, tmp_path):
    """Open an HTML string from a file:// URL, as a reader would, in a fresh document."""

    def _open(page_html: str, *, js: bool = True, name: str = "page.html",
              scheme: str = "light") -> _Opened:
        path = tmp_path / name
        path.write_text(page_html, encoding="utf-8")
        opened = shared_pages[js]
        opened.reset()
        opened.page.emulate_media(color_scheme=scheme)
        opened.page.goto(path.as_uri())
        return opened

    return _open


def _hidden(opened: _Opened, i: int) -> bool:
    spoiler = opened.page.locator(".spoiler").nth(i)
    return (spoiler.get_attribute("aria-expanded") == "false"
            and not spoiler.locator(".spoiler-text").is_visible())


def test_browser_loads_cleanly_and_hides_spoilers(open_page, blog: ReviewAnalysis,
                                                  blog_html: str, artifacts: Path) -> None:
    opened = open_page(blog_html)
    page = opened.page
    assert opened.errors == [] and opened.dialogs == []
    assert all(u.startswith("file:") for u in opened.requests), opened.requests
    n = len(blog.spoiler_sentences)
    assert page.locator(".spoiler").count() == n
    visible_text = page.locator("body").inner_text()
    for i, s in enumerate(blog.spoiler_sentences):
        assert _hidden(opened, i)
        assert s.text not in visible_text
    assert page.locator(".spoiler .spoiler-ph").first.is_visible()
    assert page.locator("#reveal-all").is_visible()
    shot = artifacts / "report-blog.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"\nscreenshot: {shot}")


def test_browser_click_reveals_one_spoiler(open_page, blog: ReviewAnalysis, blog_html: str,
                                           artifacts: Path) -> None:
    opened = open_page(blog_html)
    page = opened.page
    spoilers = blog.spoiler_sentences
    target = next((i for i, s in enumerate(spoilers) if "big reveal" in s.text),
                  len(spoilers) // 2)
    page.locator(".spoiler").nth(target).click()
    spoiler = page.locator(".spoiler").nth(target)
    assert spoiler.get_attribute("aria-expanded") == "true"
    assert "revealed" in (spoiler.get_attribute("class") or "")
    assert spoiler.locator(".spoiler-text").is_visible()
    assert spoilers[target].text in page.locator("body").inner_text()
    for reason in spoilers[target].spoiler.reasons:  # reasons only after revealing
        assert reason in (spoiler.get_attribute("title") or "")
    for i in range(len(spoilers)):
        if i != target:
            assert _hidden(opened, i), i
    page.screenshot(path=str(artifacts / "report-blog-revealed.png"))
    page.locator(".spoiler").nth(target).click()  # a second click hides it again
    assert _hidden(opened, target)
    assert opened.errors == []


def test_browser_keyboard_reveals(open_page, blog_html: str) -> None:
    opened = open_page(blog_html)
    page = opened.page
    for _ in range(5):  # Tab past the "Reveal all" button onto the first spoiler
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('spoiler')"):
            break
    else:
        pytest.fail("Tab never reached a spoiler")
    page.keyboard.press("Enter")
    assert page.locator(".spoiler").nth(0).get_attribute("aria-expanded") == "true"
    assert page.locator(".spoiler .spoiler-text").nth(0).is_visible()
    assert _hidden(opened, 1)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator(".spoiler").nth(1).get_attribute("aria-expanded") == "true"
    assert page.evaluate("window.scrollY") < 200, "Space must not scroll the page"
    assert _hidden(opened, 2)


def test_browser_reveal_all_toggle(open_page, blog: ReviewAnalysis, blog_html: str) -> None:
    opened = open_page(blog_html)
    page = opened.page
    button = page.locator("#reveal-all")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "Hide all spoilers"
    text = page.locator("body").inner_text()
    assert all(s.text in text for s in blog.spoiler_sentences)
    button.click()
    assert all(_hidden(opened, i) for i in range(len(blog.spoiler_sentences)))


def test_browser_without_javascript_spoilers_stay_hidden(open_page, blog: ReviewAnalysis,
                                                        blog_html: str) -> None:
    opened = open_page(blog_html, js=False)
    page = opened.page
    page.locator(".spoiler").first.click()
    text = page.locator("body").inner_text()
    assert not any(s.text in text for s in blog.spoiler_sentences)
    assert not page.locator("#reveal-all").is_visible()  # it would do nothing without JS


def test_browser_malicious_review_runs_nothing(open_page, evil: ReviewAnalysis,
                                               evil_html: str, artifacts: Path) -> None:
    opened = open_page(evil_html, name="evil.html", scheme="dark")
    page = opened.page
    page.locator("#reveal-all").click()
    for el in page.locator("main p, .spoiler, h1, h2").all():
        el.hover(timeout=1000)  # would fire any injected onmouseover
    assert opened.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, iframe, b, textarea").count() == 0
    assert page.locator("script").count() == 1
    assert page.locator("style").count() == 1
    assert page.title() == '<script>alert("src")</script>'
    body = page.locator("body")
    assert body.is_visible()  # the injected "body{display:none}" is only text
    text = body.inner_text()
    assert '<script>window.__pwned = 1; alert("x")</script>' in text
    assert "<svg onload=window.__pwned=1>" in text
    assert opened.errors == [], opened.errors  # not even a blocked CSP violation
    page.screenshot(path=str(artifacts / "report-malicious-dark.png"), full_page=True)


def test_browser_index_sorts_and_links(open_page, artifacts: Path) -> None:
    opened = open_page(render_index(INDEX_ROWS), name="index.html")
    page = opened.page
    assert opened.errors == [] and opened.dialogs == []

    def first_column() -> list[str]:
        return page.locator("#reviews tbody tr td.review").all_inner_texts()

    page.locator("#reviews th", has_text="Score").locator("button").click()
    order = first_column()
    assert order[0].startswith('<script>alert("row")') and order[-1].startswith("b.txt")
    page.locator("#reviews th", has_text="Score").locator("button").click()
    assert first_column()[0] == "a\na.txt" and first_column()[-1].startswith("b.txt")
    assert page.locator("#reviews th", has_text="Score").get_attribute("aria-sort") == \
        "descending"
    assert page.locator("a").count() == 2
    page.screenshot(path=str(artifacts / "report-index.png"))
