"""Property tests of the public API: whatever string (or bytes) comes in, the result is
consistent or the error is a typed InputError.

The invariants are the ones every consumer relies on (reports slice ``text`` by offsets, batch
tables assume one section per sentence, JSON must serialise), so they are checked for arbitrary
Unicode, review-like text with headings, HTML-ish fragments and raw bytes. The models are loaded
once (the session ``analyser`` fixture of conftest.py); examples are small and few, so the
module runs in a few seconds.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyser import InputError, ReviewAnalysis

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples every run: a CI failure is reproducible locally
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = (
    "the a film movie book story plot hero villain she he they it was is and but not never "
    "dies at end of in twist reveals killer brother secret ending loved hated boring brilliant "
    "awful great I you we really very slow fast beautiful scene chapter twist turns out that "
    "finally suddenly soon something awful happens which everything around café naïve Zoë "
    "spoiler warning 10/10 2/5 😱 🍿 don't can't it's"
).split()
HEADINGS = [
    "The Plot:", "Plot", "My opinion:", "Verdict", "## Verdict", "# Summary", "Spoilers ahead!",
    "Cast:", "SYNOPSIS", "Review:", "Directed by Ana Souza", "Share this:", "Like this:",
    "Follow Blog via Email", "Leave a comment",
]
FRAGMENTS = [
    "<p>", "</p>", "<h2>", "</h2>", "<br>", "<div class='sidebar'>", "</div>", "<script>x=1",
    "</script>", "<b>", "</i>", "&amp;", "&nbsp;", "&#8212;", "<!--", "-->", "<article>",
    "<iframe src=x>", "<!DOCTYPE html>", "**", "_", "- ", "> ", "| a | b |", "|---|---|", "```",
    "[link](http://x.y)", "\t", "\r\n", "\u2028", "\x00", "\x1b[31m", "\ufeff", "\u202e",
]
PUNCT = [".", "!", "?", "...", ",", ";", ":", " —", "", "?!"]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))
    text = " ".join(words)
    if draw(st.booleans()):
        text = text[:1].upper() + text[1:]
    return text + draw(st.sampled_from(PUNCT))


@st.composite
def reviews(draw: st.DrawFn) -> str:
    """Review-like text: headings, sentences, blank lines, the odd markup fragment."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["heading", "para", "para", "fragment", "blank"]))
        if kind == "heading":
            parts.append(draw(st.sampled_from(HEADINGS)) + "\n")
        elif kind == "para":
            parts.append(" ".join(draw(st.lists(sentences(), min_size=1, max_size=5))) + "\n")
        elif kind == "fragment":
            parts.append(draw(st.sampled_from(FRAGMENTS)))
        else:
            parts.append("\n" * draw(st.integers(1, 3)))
    return "".join(parts)


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    body = "".join(
        draw(st.lists(st.one_of(sentences(), st.sampled_from(FRAGMENTS)), max_size=20))
    )
    return draw(st.sampled_from(["<html><body>", "<!DOCTYPE html><article>", "<div>"])) + body


ANY_TEXT = st.text(max_size=400)
# Lone surrogates and every other category, which st.text() leaves out by default.
RAW_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)


def check(result: ReviewAnalysis) -> None:
    """Every invariant a consumer of a ReviewAnalysis may rely on."""
    text = result.text
    sents = result.sentences
    prev_end = 0
    for i, s in enumerate(sents):
        assert s.index == i
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.start >= prev_end, "sentences overlap or are out of order"
        prev_end = s.end
        assert 0.0 <= s.spoiler.probability <= 1.0
        assert 0.0 <= s.plot_probability <= 1.0
        assert -1.0 <= s.sentiment <= 1.0
        assert (s.spoiler.kind is None) == (not s.spoiler.flag)
        assert s.spoiler.kind in (None, "explicit", "hint")
        assert s.section in ("summary", "plot", "opinion", "info")
        for r in result.removed:
            assert not (s.start < r.end and r.start < s.end), f"{s} overlaps removed {r}"
    # Sections: ordered, disjoint, each sentence in exactly one, with that section's label.
    prev = 0
    for sec in result.sections:
        assert 0 <= sec.start <= sec.end <= len(text) and sec.start >= prev
        prev = sec.end
        assert -1.0 <= sec.sentiment <= 1.0
    for s in sents:
        homes = [sec for sec in result.sections if sec.start <= s.start and s.end <= sec.end]
        assert len(homes) == 1, f"sentence {s.index} lies in {len(homes)} sections"
        assert homes[0].label == s.section
    for sec in result.sections:
        assert any(sec.start <= s.start and s.end <= sec.end for s in sents), "empty section"
    for r in result.removed:
        assert 0 <= r.start <= r.end <= len(text)
    for h in result.headings:
        assert 0 <= h[0] <= h[1] <= len(text)
    assert -1.0 <= result.sentiment.score <= 1.0
    assert result.sentiment.label in ("positive", "negative", "mixed", "neutral")
    assert result.spoilers.count == sum(s.spoiler.flag for s in sents)
    assert 0.0 <= result.spoilers.share <= 1.0
    d = result.to_dict()
    dumped = json.dumps(d, allow_nan=False)  # NaN/inf would be invalid JSON
    assert json.loads(dumped)["text"] == text
    for value in (result.sentiment.score, *(s.sentiment for s in sents)):
        assert math.isfinite(value)


def analyse_or_input_error(analyser, data: str | bytes) -> None:
    try:
        result = analyser.analyse(data)
    except InputError:
        return
    check(result)


@SETTINGS
@given(text=ANY_TEXT)
def test_any_unicode(analyser, text: str) -> None:
    analyse_or_input_error(analyser, text)


@SETTINGS
@given(text=RAW_TEXT)
def test_any_code_point_including_surrogates(analyser, text: str) -> None:
    analyse_or_input_error(analyser, text)


@SETTINGS
@given(text=reviews())
def test_review_like_text(analyser, text: str) -> None:
    analyse_or_input_error(analyser, text)


@settings(SETTINGS, max_examples=40)
@given(text=html_pages())
def test_html_ish_fragments(analyser, text: str) -> None:
    analyse_or_input_error(analyser, text)


@settings(SETTINGS, max_examples=40)
@given(data=st.one_of(st.binary(max_size=300), reviews().map(lambda t: t.encode("utf-16"))))
def test_any_bytes(analyser, data: bytes) -> None:
    analyse_or_input_error(analyser, data)


@pytest.mark.parametrize(
    "text",
    [
        "The Plot:\nHiro dies at the end.\n\nMy opinion:\nI loved it.",
        "Share this:\nTwitter\nFacebook\n\nA slow film. In the end the dog dies.",
        "a\u0301" * 50 + " film.",  # NFC changes length: offsets must still hold
    ],
)
def test_known_examples_hold_the_invariants(analyser, text: str) -> None:
    check(analyser.analyse(text))
