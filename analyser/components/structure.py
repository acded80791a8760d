"""`review_structure`: chrome, headings, paragraphs and sentences.

Runs after spaCy's rule-based ``sentencizer`` (punctuation boundaries) and adds what reviews
need on top: blank lines end paragraphs, headings ("The Plot:", Markdown/HTML headings) are
their own units and never part of a sentence, page chrome found by
:func:`analyser.cleaning.find_chrome` is excluded, and a line break ends a sentence when the
line looks complete (credits, lists) but not inside hard-wrapped prose.

The Doc text is never changed, so every offset indexes the text the user gave us.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from .. import extensions  # noqa: F401  (registers Doc/Span extensions)
from ..cleaning import find_chrome
from ..headings import inline_heading, is_info_line, looks_like_heading

_BULLET = ("- ", "* ", "• ", "– ", "— ", "> ")
_LINE_END = tuple('.!?:;…"”’)')
MAX_SENTENCE_TOKENS = 200


@dataclass
class _Line:
    start: int
    end: int  # exclusive, without the newline
    kind: str  # blank | removed | heading | text
    forced: bool = False  # starts a new sentence


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl == -1:
            nl = n
        out.append((pos, nl))
        pos = nl + 1
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@Language.factory(
    "review_structure",
    default_config={"remove_chrome": True, "detect_headings": True},
)
def make_review_structure(nlp: Language, name: str, remove_chrome: bool, detect_headings: bool):
    return ReviewStructure(name, remove_chrome=remove_chrome, detect_headings=detect_headings)


class ReviewStructure:
    """Finds chrome, headings, paragraphs and body sentences (see module docstring)."""

    def __init__(self, name: str = "review_structure", *, remove_chrome: bool = True,
                 detect_headings: bool = True) -> None:
        self.name = name
        self.remove_chrome = remove_chrome
        self.detect_headings = detect_headings

    def __call__(self, doc: Doc) -> Doc:
        if doc._.presplit:
            return self._presplit(doc)
        text = doc.text
        removed = find_chrome(text) if self.remove_chrome else []
        doc._.removed = [(r.start, r.end, r.reason) for r in removed]
        hints = [(s, e) for s, e, *_ in (doc._.heading_hints or ())]
        lines = self._classify(text, removed, hints)

        headings: list[tuple[int, int]] = []
        sentences: list[tuple[int, int]] = []
        meta: list[tuple[int, str | None]] = []  # (paragraph, heading) per sentence
        paragraph = -1
        heading_text: str | None = None
        unit_start: int | None = None
        unit_end = 0
        prev_kind = "blank"

        def flush() -> None:
            nonlocal unit_start
            if unit_start is not None:
                for s, e in self._split_unit(doc, unit_start, unit_end):
                    sentences.append((s, e))
                    meta.append((paragraph, heading_text))
            unit_start = None

        for line in lines:
            if line.kind == "text":
                if prev_kind != "text":
                    paragraph += 1
                if line.forced or unit_start is None:
                    flush()
                    unit_start = line.start
                unit_end = line.end
            else:
                flush()
                if line.kind == "heading":
                    headings.append((line.start, line.end))
                    heading_text = text[line.start : line.end].strip().rstrip(":").strip()
            prev_kind = line.kind
        flush()

        doc._.heading_offsets = headings
        doc._.sentence_offsets = sentences
        self._mark_boundaries(doc, sentences, headings, doc._.removed)
        for (s, e), (par, head) in zip(sentences, meta, strict=True):
            span = doc.char_span(s, e, alignment_mode="expand")
            span._.paragraph = par
            span._.heading = head
        return doc

    def _classify(self, text: str, removed, hints: list[tuple[int, int]]) -> list[_Line]:
        """One entry per line (inline "Verdict: ..." labels split into heading + text)."""
        out: list[_Line] = []
        r_i = 0
        seen_text = False
        prev: _Line | None = None
        for start, end in _lines(text):
            s, e = _strip(text, start, end)
            if s == e:
                out.append(_Line(start, end, "blank"))
                prev = None
                continue
            while r_i < len(removed) and removed[r_i].end <= s:
                r_i += 1
            if r_i < len(removed) and removed[r_i].start <= s < removed[r_i].end:
                out.append(_Line(s, e, "removed"))
                prev = None
                continue
            content = text[s:e]
            if any(hs < e and s < he for hs, he in hints) or (
                self.detect_headings
                and looks_like_heading(content, first_line=not seen_text and not hints)
            ):
                out.append(_Line(s, e, "heading"))
                prev = None
                continue
            if self.detect_headings:
                k = inline_heading(content)
                if k is not None:
                    hs, he = _strip(text, s, s + k)
                    out.append(_Line(hs, he, "heading"))
                    s, e = _strip(text, s + k, e)
                    prev = None
            info = is_info_line(content)
            forced = (
                prev is None
                or info
                or content.startswith(_BULLET)
                or text[prev.start : prev.end].endswith(_LINE_END)
                or (prev.end - prev.start) < 50
                or is_info_line(text[prev.start : prev.end])
            )
            line = _Line(s, e, "text", forced=forced)
            seen_text = True
            out.append(line)
            prev = line
        return out

    @staticmethod
    def _split_unit(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """Sentences inside one unit, from the sentencizer's boundaries, trimmed."""
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return []
        out: list[tuple[int, int]] = []
        cur_s = cur_e = -1
        n_tok = 0
        for tok in span:
            if tok.is_space:
                continue
            if cur_s >= 0 and (tok.is_sent_start or n_tok >= MAX_SENTENCE_TOKENS):
                out.append((cur_s, cur_e))
                cur_s = -1
            if cur_s < 0:
                cur_s = tok.idx
                n_tok = 0
            cur_e = tok.idx + len(tok.text)
            n_tok += 1
        if cur_s >= 0:
            out.append((cur_s, cur_e))
        # A sentence made only of punctuation ("...", "—") joins the one before it.
        merged: list[tuple[int, int]] = []
        text = doc.text
        for s, e in out:
            if merged and not any(c.isalnum() for c in text[s:e]):
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        if len(merged) == 1 and not any(c.isalnum() for c in text[merged[0][0]:merged[0][1]]):
            return []
        return merged

    @staticmethod
    def _mark_boundaries(doc: Doc, sentences, headings, removed) -> None:
        """Make ``doc.sents`` agree with our units: every unit start begins a sentence."""
        starts = [s for s, _ in sentences] + [s for s, _ in headings] + [s for s, _, _ in removed]
        for s in starts:
            span = doc.char_span(s, s + 1, alignment_mode="expand")
            if span is not None and span.start > 0:
                doc[span.start].is_sent_start = True

    def _presplit(self, doc: Doc) -> Doc:
        """Caller-given sentences: keep them exactly; one paragraph, no chrome, no headings."""
        doc._.removed = []
        doc._.heading_offsets = []
        for s, e in doc._.sentence_offsets or ():
            span = doc.char_span(s, e, alignment_mode="expand")
            span._.paragraph = 0
        return doc
