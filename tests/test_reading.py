"""Tests for analyser.reading: decoding, binary refusal, format detection and extraction."""

from __future__ import annotations

import codecs
import gzip
import os
import random
import sys
import time
from pathlib import Path

import pytest

from analyser.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputTooLargeError,
)
from analyser.reading import (
    MAX_BYTES,
    ReadResult,
    detect_format,
    read_bytes,
    read_path,
    read_text,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


def heading_texts(result: ReadResult) -> list[tuple[str, int]]:
    return [(result.text[s:e], level) for s, e, level in result.headings]


def assert_headings_exact(result: ReadResult) -> None:
    """Every heading span is non-empty, trimmed and sits on its own line."""
    for start, end, level in result.headings:
        assert 0 <= start < end <= len(result.text)
        assert 1 <= level <= 6
        span = result.text[start:end]
        assert span == span.strip() and "\n" not in span
        assert start == 0 or result.text[start - 1] == "\n"
        assert end == len(result.text) or result.text[end] == "\n"


# ------------------------------------------------------------------------------ decoding


class TestDecoding:
    def test_utf8(self) -> None:
        r = read_bytes("Amélie is a délight — 5/5 ★".encode())
        assert r.text == "Amélie is a délight — 5/5 ★"
        assert r.encoding == "utf-8"
        assert r.format == "text"
        assert r.headings == ()

    def test_utf8_bom(self) -> None:
        r = read_bytes(codecs.BOM_UTF8 + "Café review".encode())
        assert r.text == "Café review"
        assert r.encoding == "utf-8-sig"

    def test_cp1252(self) -> None:
        r = read_bytes("café — naïve".encode("cp1252"))
        assert r.text == "café — naïve"
        assert r.encoding == "cp1252"

    def test_cp1252_longer_text(self) -> None:
        text = "Le café était naïf — vraiment. Crème brûlée, déjà vu, “façade”."
        r = read_bytes(text.encode("cp1252"))
        assert r.text == text

    def test_latin1_bytes(self) -> None:
        r = read_bytes("Ein schönes Märchen über Grüße".encode("latin-1"))
        assert r.text == "Ein schönes Märchen über Grüße"

    def test_html_meta_charset_is_honoured(self) -> None:
        page = '<html><head><meta charset="iso-8859-1"></head><body><p>Très bien</p></body></html>'
        r = read_bytes(page.encode("latin-1"))
        assert r.format == "html"
        assert r.text == "Très bien"

    @pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
    def test_utf16_32_with_bom(self, codec: str) -> None:
        text = "A naïve review — with “quotes”.\nSecond line."
        r = read_bytes(text.encode(codec))
        assert r.text == text
        assert r.encoding == codec

    @pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
    def test_utf16_without_bom(self, codec: str) -> None:
        text = "Plain review text, café and all.\nIt was good."
        r = read_bytes(text.encode(codec))
        assert r.text == text
        assert r.encoding == codec
        assert not any("nul" in note for note in r.dropped)

    def test_mixed_utf8_with_cp1252_bytes(self) -> None:
        data = "Mostly UTF-8 — a café here. ".encode() + b"And a caf\xe9 from cp1252 \x93there\x94."
        r = read_bytes(data)
        assert r.encoding == "utf-8"
        assert r.text == "Mostly UTF-8 — a café here. And a café from cp1252 “there”."
        assert any(note.startswith("encoding:") for note in r.dropped)

    def test_invalid_utf8_never_crashes(self) -> None:
        data = b"Good text " * 50 + b"\xff\xfe\xc3\x28 broken \x80\x81 end"
        r = read_bytes(data)
        assert r.encoding == "utf-8"
        assert r.text.startswith("Good text Good text")
        assert r.text.endswith(" broken €\ufffd end")

    def test_newlines_and_controls_normalised(self) -> None:
        r = read_bytes(b"one\r\ntwo\rthree\x07\x1b four\tfive\x0cSix")
        assert r.text == "one\ntwo\nthree four\tfive\nSix"
        assert any(note.startswith("control:") for note in r.dropped)

    def test_nfc_normalisation(self) -> None:
        r = read_text("Cafe\u0301 and nai\u0308ve")
        assert r.text == "Café and naïve"

    def test_stray_nul_bytes_are_stripped(self) -> None:
        r = read_bytes(b"A perfectly fine review.\x00 It was good\x00 overall.")
        assert r.text == "A perfectly fine review. It was good overall."
        assert any(note.startswith("nul:") for note in r.dropped)

    def test_read_text_strips_nul(self) -> None:
        r = read_text("nul\x00 inside")
        assert r.text == "nul inside"
        assert r.encoding == "str"

    def test_undecodable_short_garbage(self) -> None:
        # Without a high control share it is not "binary", but no encoding makes sense of it.
        data = bytes([0xC1, 0x8D, 0xF5, 0x90, 0x81, 0x9D, 0xC0]) * 20
        with pytest.raises((EncodingError, BinaryInputError)):
            read_bytes(data)


# ------------------------------------------------------------------------------ refusals


class TestRefusals:
    @pytest.mark.parametrize("data", [b"", b"   \n\t \r\n  ", "\ufeff".encode()])
    def test_empty_and_whitespace(self, data: bytes) -> None:
        with pytest.raises(EmptyInputError):
            read_bytes(data, name="review.txt")

    def test_empty_messages(self) -> None:
        with pytest.raises(EmptyInputError, match="review.txt is empty"):
            read_bytes(b"", name="review.txt")
        with pytest.raises(EmptyInputError, match="has no text"):
            read_bytes(b" \n ", name="review.txt")
        with pytest.raises(EmptyInputError):
            read_text("   \n")
        with pytest.raises(EmptyInputError):
            read_text("")

    def test_html_without_text_is_empty(self) -> None:
        with pytest.raises(EmptyInputError, match="has no text"):
            read_text("<html><body><script>x()</script><nav>Home</nav></body></html>")

    def test_png(self) -> None:
        with pytest.raises(BinaryInputError, match="looks like a PNG image, not text"):
            read_bytes(PNG_HEADER + bytes(100), name="poster.png")

    def test_gzip(self) -> None:
        with pytest.raises(BinaryInputError, match="gzip"):
            read_bytes(gzip.compress(b"hello review " * 100))

    @pytest.mark.parametrize(
        ("data", "kind"),
        [
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
            (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
            (b"\x7fELF\x02\x01\x01\x00", "ELF"),
            (b"SQLite format 3\x00\x10\x00", "SQLite"),
        ],
    )
    def test_magic_numbers(self, data: bytes, kind: str) -> None:
        with pytest.raises(BinaryInputError, match=kind):
            read_bytes(data + bytes(64))

    def test_random_bytes(self) -> None:
        data = random.Random(1234).randbytes(4096)
        with pytest.raises(BinaryInputError, match="binary"):
            read_bytes(data)

    def test_text_starting_like_a_magic_number_is_fine(self) -> None:
        assert read_bytes(b"MZ is my favourite director.").text.startswith("MZ is")
        assert read_bytes(b"BMW chase scenes were great.").text.startswith("BMW")

    def test_too_large_bytes(self) -> None:
        with pytest.raises(InputTooLargeError, match="100-byte cap"):
            read_bytes(b"x" * 101, max_bytes=100)

    def test_max_bytes_default_is_documented(self) -> None:
        assert MAX_BYTES == 20_000_000

    def test_binary_errors_are_input_errors(self) -> None:
        assert issubclass(BinaryInputError, InputError)
        assert issubclass(InputError, ValueError)

    def test_unknown_fmt(self) -> None:
        with pytest.raises(InputError, match="unknown format"):
            read_text("hello", fmt="pdf")


class TestReadPath:
    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no such file"):
            read_path(tmp_path / "nope.txt")

    def test_directory(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="directory"):
            read_path(tmp_path)

    def test_too_large_checked_before_reading(self, tmp_path: Path) -> None:
        big = tmp_path / "big.txt"
        big.write_bytes(b"word " * 100)
        with pytest.raises(InputTooLargeError, match="500 bytes, over the 100-byte cap"):
            read_path(big, max_bytes=100)

    @pytest.mark.skipif(
        sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
        reason="root can read anything",
    )
    def test_unreadable(self, tmp_path: Path) -> None:
        p = tmp_path / "secret.txt"
        p.write_text("hidden")
        p.chmod(0)
        try:
            with pytest.raises(InputError, match="permission denied"):
                read_path(p)
        finally:
            p.chmod(0o600)

    @pytest.mark.parametrize(
        ("exc", "message"),
        [
            (PermissionError(13, "Permission denied"), "permission denied"),
            (OSError(5, "Input/output error"), "cannot read \\(Input/output error\\)"),
        ],
    )
    def test_os_errors_become_input_errors(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: OSError, message: str
    ) -> None:
        import analyser.reading as reading

        p = tmp_path / "r.txt"
        p.write_text("text")

        def fail(*args: object, **kwargs: object) -> None:
            raise exc

        monkeypatch.setattr(reading, "open", fail, raising=False)
        with pytest.raises(InputError, match=message):
            read_path(p)

    def test_reads_and_uses_extension(self, tmp_path: Path) -> None:
        p = tmp_path / "r.md"
        p.write_text("# Title\n\nBody *text*.", encoding="utf-8")
        r = read_path(p)
        assert r.format == "markdown"
        assert r.text == "Title\n\nBody text."
        assert heading_texts(r) == [("Title", 1)]

    def test_fmt_overrides_extension(self, tmp_path: Path) -> None:
        p = tmp_path / "r.md"
        p.write_text("# Not a heading here", encoding="utf-8")
        r = read_path(p, fmt="text")
        assert r.format == "text"
        assert r.text == "# Not a heading here"

    def test_to_dict(self, tmp_path: Path) -> None:
        p = tmp_path / "r.md"
        p.write_text("# Title\n\nBody.", encoding="utf-8")
        d = read_path(p).to_dict()
        assert d["format"] == "markdown"
        assert d["encoding"] == "utf-8"
        assert d["headings"] == [{"start": 0, "end": 5, "level": 1, "text": "Title"}]
        assert isinstance(d["dropped"], list)


# ------------------------------------------------------------------------------ format detection


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("a.html", "html"),
            ("a.HTM", "html"),
            ("a.xhtml", "html"),
            ("a.md", "markdown"),
            ("a.markdown", "markdown"),
            ("a.txt", "text"),
            ("a.text", "text"),
        ],
    )
    def test_extension(self, name: str, expected: str) -> None:
        assert detect_format("whatever <p>x</p>", name) == expected

    def test_sniff_html(self) -> None:
        assert detect_format("<!DOCTYPE html><html><body>x</body></html>") == "html"
        assert detect_format("  <html lang=en><p>x") == "html"
        assert detect_format("<p>One</p>\n<p>Two</p>\n<div>Three</div>") == "html"

    def test_sniff_markdown(self) -> None:
        assert detect_format("# Title\n\nSome text.") == "markdown"
        assert detect_format("Title\n=====\n\nText") == "markdown"
        assert detect_format("See [the trailer](https://example.com/t).") == "markdown"
        assert detect_format("**Director:** A\n**Cast:** B") == "markdown"
        assert detect_format("__Director:__ A\n__Cast:__ B") == "markdown"
        assert detect_format("Notes\n\n```\ncode\n```\n") == "markdown"
        assert detect_format("Notes\n\n~~~\ncode\n~~~\n") == "markdown"
        assert detect_format("Verdict\n-------\n\nGood.") == "markdown"

    def test_plain_ascii_strings_are_cleaned_only_when_needed(self) -> None:
        """A str skips the cleaning regexes when it is printable ASCII; anything else (CRLF,
        controls, vertical tabs, non-ASCII) still goes through them."""
        plain = "One line.\n\tTwo line.\n"
        assert read_text(plain).text == plain
        r = read_text("one\r\ntwo\x07 three\x0bfour")
        assert r.text == "one\ntwo three\nfour"
        assert any(note.startswith("control:") for note in r.dropped)
        assert read_text("Cafe\u0301 noir").text == "Caf\u00e9 noir"  # NFC

    def test_sniff_text(self) -> None:
        assert detect_format("Just a review. I liked it *a lot*. #1 film of 2019.") == "text"
        assert detect_format("I used a <br> once, and that's it.") == "text"
        assert detect_format("whatever", "notes.rtf") == "text"


# ------------------------------------------------------------------------------ HTML


PAGE = """<!DOCTYPE html>
<html><head><title>Site title</title>
<style>body { color: red }</style>
<script>alert(1)</script>
</head>
<body>
<header><h1>My Film Blog</h1><p>tagline</p></header>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<div id="page" class="site has-sidebar">
<article>
  <header><h1>Dune &amp; the   desert</h1></header>
  <p>The film&rsquo;s opening is <em>superb</em>.<br>Second line.</p>
  <h2> What <b>I</b> thought </h2>
  <p>It is long &amp; loud.</p>
  <ul><li>Pro: sound</li><li>Con: pacing</li></ul>
  <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Bw">
  <div class="sharedaddy"><h3>Share this:</h3><a>Twitter</a></div>
  <section class="comments"><h3>3 Comments</h3><p>Anna says: great</p></section>
  <p>Last paragraph.</p>
</article>
<aside class="widget-area"><h2>Archives</h2><p>March 2019</p></aside>
</div>
<footer>Copyright 2019</footer>
<script>alert(2)</script>
</body></html>"""


class TestHTML:
    def test_article_chosen_and_chrome_dropped(self) -> None:
        r = read_text(PAGE)
        assert r.format == "html"
        assert r.text == (
            "Dune & the desert\n\n"
            "The film’s opening is superb.\nSecond line.\n\n"
            "What I thought\n\n"
            "It is long & loud.\n\n"
            "Pro: sound\nCon: pacing\n\n"
            "Last paragraph."
        )
        for junk in ("alert", "Site title", "Home", "Archives", "Copyright", "Twitter", "Anna"):
            assert junk not in r.text
        assert heading_texts(r) == [("Dune & the desert", 1), ("What I thought", 2)]
        assert_headings_exact(r)
        notes = " | ".join(r.dropped)
        assert "class=sharedaddy" in notes
        assert "class=comments" in notes

    def test_body_root_without_article(self) -> None:
        page = (
            "<html><body><header><p>Site banner</p></header><nav>Home About</nav>"
            "<script>alert(1)</script><script>var x</script>"
            "<div role='navigation'>Menu</div><div id='sidebar'>Side</div>"
            "<h1>Title</h1><p>Body text.</p><style>p{}</style>"
            "<div class='comment-list'><p>Nice!</p></div>"
            "<footer>Foot</footer></body></html>"
        )
        r = read_text(page)
        assert r.text == "Title\n\nBody text."
        assert heading_texts(r) == [("Title", 1)]
        notes = set(r.dropped)
        assert "html: 2 <script>" in notes
        assert "html: <nav>" in notes
        assert "html: <footer>" in notes
        assert "html: <header> (site banner)" in notes
        assert "html: <div role=navigation>" in notes
        assert "html: <div id=sidebar>" in notes
        assert "html: <div class=comment>" in notes

    def test_wrapper_with_chrome_class_keeps_review(self) -> None:
        page = "<body><div class='has-sidebar'><h1>T</h1><p>Review body.</p></div></body>"
        assert read_text(page).text == "T\n\nReview body."

    def test_script_text_never_in_output(self) -> None:
        page = "<p>Hello</p><script>alert(1)</script><p>World</p><div><script>alert(1)</script>"
        r = read_text(page, fmt="html")
        assert "alert" not in r.text
        assert r.text == "Hello\n\nWorld"

    def test_entities_and_whitespace(self) -> None:
        r = read_text(
            "<p>Tom &amp; Jerry&rsquo;s   \n  &lt;great&gt; &eacute;pisode&hellip;</p>", fmt="html"
        )
        assert r.text == "Tom & Jerry’s <great> épisode…"

    def test_br_and_list_items(self) -> None:
        r = read_text("<p>a<br>b<br><br>c</p><ol><li>one</li><li>two</li></ol>", fmt="html")
        assert r.text == "a\nb\n\nc\n\none\ntwo"

    def test_table_cells(self) -> None:
        r = read_text(
            "<table><tr><th>Film</th><th>Score</th></tr><tr><td>Dune</td><td>4</td></tr>",
            fmt="html",
        )
        assert r.text == "Film; Score\nDune; 4"

    def test_unclosed_tags(self) -> None:
        r = read_text("<html><body><p>Open <b>bold <i>both<p>Next para<div>div", fmt="html")
        assert r.text == "Open bold both\n\nNext para\n\ndiv"

    def test_deeply_nested_divs(self) -> None:
        depth = 50_000
        page = "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "<p>after</p>"
        started = time.perf_counter()
        r = read_text(page, fmt="html")
        assert time.perf_counter() - started < 5
        assert r.text == "deep text\n\nafter"

    def test_deeply_nested_inline(self) -> None:
        r = read_text("<p>" + "<span>" * 20_000 + "inline" + "</span>" * 20_000, fmt="html")
        assert r.text == "inline"

    def test_data_uri_not_in_text(self) -> None:
        blob = "A" * 200_000
        uri = f"data:image/png;base64,{blob}"
        page = f'<p>Poster:</p><img src="{uri}"><p>{uri}</p>'
        r = read_text(page, fmt="html")
        assert "AAAA" not in r.text
        assert "base64" not in r.text
        assert r.text.startswith("Poster:")

    def test_heading_offsets_with_entities_and_nested_markup(self) -> None:
        page = (
            "<article><p>Intro</p><h2>  A &amp; <em>B</em>\n </h2><p>x</p>"
            "<h3></h3><h4>C<br>D</h4><h6>Z&eacute;</h6></article>"
        )
        r = read_text(page, fmt="html")
        assert_headings_exact(r)
        assert heading_texts(r) == [("A & B", 2), ("C D", 4), ("Zé", 6)]

    def test_heading_offsets_after_nfc(self) -> None:
        page = "<article><p>Cafe&#x301; intro</p><h2>Re&#x301;sume&#x301;</h2><p>x</p></article>"
        r = read_text(page, fmt="html")
        assert r.text == "Café intro\n\nRésumé\n\nx"
        assert heading_texts(r) == [("Résumé", 2)]

    def test_role_and_hidden_dropped(self) -> None:
        page = (
            "<main><p>Keep</p><div role='complementary'>Side</div><div hidden>Hidden</div>"
            "<div role='search'>Search</div><div class='related-posts'>Related</div></main>"
        )
        assert read_text(page, fmt="html").text == "Keep"

    def test_most_text_rich_article(self) -> None:
        page = (
            "<body><article><p>Teaser</p></article>"
            "<article><h1>Real</h1><p>" + "Long review text. " * 20 + "</p></article></body>"
        )
        r = read_text(page, fmt="html")
        assert r.text.startswith("Real\n\nLong review text.")
        assert "Teaser" not in r.text

    def test_form_wrapping_the_whole_page_is_kept(self) -> None:
        # ASP.NET WebForms pages wrap everything in one <form>.
        page = (
            "<html><body><form id='aspnetForm'><h1>Title</h1><p>Review body.</p>"
            "<input type='text' value='search'></form></body></html>"
        )
        r = read_text(page)
        assert r.text == "Title\n\nReview body."

    def test_comment_article_is_not_the_root(self) -> None:
        long_comment = "A much longer comment than the review itself, going on and on. " * 5
        page = (
            "<body><div class='entry'><h1>T</h1><p>Short review body.</p></div>"
            "<ol class='comment-list'><li><article class='comment'><p>"
            + long_comment
            + "</p></article></li></ol></body>"
        )
        r = read_text(page)
        assert r.text == "T\n\nShort review body."

    def test_article_inside_layout_wrapper(self) -> None:
        page = (
            "<body><div class='content-with-sidebar'><article><h1>T</h1><p>Body</p></article>"
            "<aside>Side</aside></div></body>"
        )
        assert read_text(page).text == "T\n\nBody"

    def test_pre_keeps_lines(self) -> None:
        r = read_text("<article><pre>line one\nline   two</pre></article>", fmt="html")
        assert r.text == "line one\nline two"

    def test_html_bytes_in_utf16(self) -> None:
        r = read_bytes("<html><body><h1>Tête</h1><p>ok</p></body></html>".encode("utf-16"))
        assert r.format == "html"
        assert r.text == "Tête\n\nok"


# ------------------------------------------------------------------------------ Markdown


MARKDOWN = """---
title: ignored
---
# Arrival (2016)

**Director:** Denis Villeneuve
**Cast:** Amy Adams, Jeremy Renner

Setext Title
============

Some *italic*, _also italic_, __bold__ and `code` with snake_case_name, 5 * 3 and a
[link](https://example.com "Example") plus ![poster](poster.png) and a [ref link][1].

> A **quoted** line.

- pro one
* pro two
1. first item

| Film | Score |
|------|------:|
| Dune | 4 |

```python
print("secret code")
```

~~~
more code
~~~

***

[1]: https://example.com/ref

## Verdict ##
Worth it\\*.
"""


class TestMarkdown:
    def test_conversion(self) -> None:
        r = read_text(MARKDOWN, fmt="markdown")
        assert r.format == "markdown"
        assert r.text == (
            "Arrival (2016)\n\n"
            "Director: Denis Villeneuve\n"
            "Cast: Amy Adams, Jeremy Renner\n\n"
            "Setext Title\n\n"
            "Some italic, also italic, bold and code with snake_case_name, 5 * 3 and a\n"
            "link plus and a ref link.\n\n"
            "A quoted line.\n\n"
            "pro one\npro two\nfirst item\n\n"
            "Film; Score\nDune; 4\n\n"
            "Verdict\n\n"
            "Worth it*."
        )
        assert heading_texts(r) == [("Arrival (2016)", 1), ("Setext Title", 1), ("Verdict", 2)]
        assert_headings_exact(r)
        assert "secret" not in r.text and "more code" not in r.text
        notes = set(r.dropped)
        assert "markdown: 2 code blocks" in notes
        assert "markdown: image" in notes
        assert "markdown: front matter" in notes
        assert "markdown: link definition" in notes

    def test_heading_levels_and_emphasis_in_headings(self) -> None:
        r = read_text("### **My** _take_\n\ntext\n\nSub\n---\nmore", fmt="markdown")
        assert heading_texts(r) == [("My take", 3), ("Sub", 2)]
        assert_headings_exact(r)

    def test_lone_asterisks_and_underscores_survive(self) -> None:
        text = "Rated 4* by me; a * b * c; file_name_here_ and *snake_case* stays."
        r = read_text(text, fmt="markdown")
        assert r.text == "Rated 4* by me; a * b * c; file_name_here_ and snake_case stays."

    def test_unclosed_fence_does_not_swallow_review(self) -> None:
        r = read_text("Intro\n\n```\nStill the review.", fmt="markdown")
        assert r.text == "Intro\n\nStill the review."

    def test_horizontal_rule_after_list_is_not_heading(self) -> None:
        r = read_text("- item\n---\nText", fmt="markdown")
        assert r.headings == ()
        assert r.text == "item\n\nText"

    def test_entities_do_not_add_line_breaks(self) -> None:
        r = read_text("# A&#13;B\n\nTom &amp; Jerry&#x2028;again &copy; 2020", fmt="markdown")
        assert r.text == "A B\n\nTom & Jerry again © 2020"
        assert heading_texts(r) == [("A B", 1)]

    def test_multiple_blank_lines_collapse(self) -> None:
        r = read_text("# T\n\n\n\nPara one\n\n\n\nPara two\n", fmt="markdown")
        assert r.text == "T\n\nPara one\n\nPara two"


# ------------------------------------------------------------------------------ example files


EXPECTED_FORMATS = {
    "blog_post_with_chrome.txt": "text",
    "plain_paragraphs.txt": "text",
    "review_page.html": "html",
    "markdown_review.md": "markdown",
    "spoiler_free.txt": "text",
}


class TestExamples:
    def test_all_expected_examples_exist(self) -> None:
        present = {p.name for p in EXAMPLES.iterdir()}
        assert set(EXPECTED_FORMATS) <= present

    @pytest.mark.parametrize("name", sorted(EXPECTED_FORMATS))
    def test_example_reads(self, name: str) -> None:
        r = read_path(EXAMPLES / name)
        assert r.format == EXPECTED_FORMATS[name]
        assert r.encoding == "utf-8"
        assert len(r.text.split()) > 50
        assert_headings_exact(r)
        # Content sniffing agrees with the extension.
        assert (
            detect_format((EXAMPLES / name).read_text(encoding="utf-8")) == EXPECTED_FORMATS[name]
        )

    def test_html_example(self) -> None:
        r = read_path(EXAMPLES / "review_page.html")
        assert heading_texts(r) == [
            ("The Salt Orchard by Imogen Hale", 1),
            ("Synopsis", 2),
            ("What I thought", 2),
            ("Final thoughts", 2),
        ]
        for junk in ("dataLayer", "font-family", "Home", "Archives", "Marguerite", "Post Comment"):
            assert junk not in r.text
        assert "Hale’s second novel" in r.text
        assert "terribly lonely" in r.text
        assert "beautifully written & easily" in r.text
        assert "again.\nWhat follows" in r.text

    def test_markdown_example(self) -> None:
        r = read_path(EXAMPLES / "markdown_review.md")
        assert [t for t, _ in heading_texts(r)] == [
            "Paper Lanterns (2022) – review",
            "Plot",
            "My take",
            "Verdict",
        ]
        assert "fold(square" not in r.text
        assert "Director: Saoirse Lund" in r.text
        assert "A score by Hanne Virtanen that" in r.text
        assert "markdown: code block" in r.dropped

    def test_plain_text_examples_are_verbatim(self) -> None:
        for name in ("plain_paragraphs.txt", "spoiler_free.txt", "blog_post_with_chrome.txt"):
            raw = (EXAMPLES / name).read_text(encoding="utf-8")
            assert read_path(EXAMPLES / name).text == raw


# ------------------------------------------------------------------------------ robustness


def test_fuzz_only_input_errors() -> None:
    """Arbitrary bytes either read cleanly (with exact heading spans) or raise an InputError."""
    rng = random.Random(20240601)
    parts = [
        b"<p>",
        b"</p>",
        b"<h2>",
        b"</h2>",
        b"<div>",
        b"<br>",
        b"# ",
        b"## ",
        b"**",
        b"_",
        b"`",
        b"```",
        b"\n",
        b"\r\n",
        b"\x00",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b"caf\xe9 ",
        "é ".encode(),
        b"&amp;",
        b"[a](b)",
        b"|---|",
        b"> ",
        b"<script>",
        b"- ",
        b"===",
    ]
    for _ in range(400):
        n = rng.randint(0, 40)
        if rng.random() < 0.7:
            data = b"".join(rng.choice(parts) + rng.choice([b"word ", b"x", b""]) for _ in range(n))
        else:
            data = rng.randbytes(n)
        for fmt in (None, "html", "markdown"):
            try:
                r = read_bytes(data, fmt=fmt)
            except InputError:
                continue
            assert r.text.strip()
            assert_headings_exact(r)
