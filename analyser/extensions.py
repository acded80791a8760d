"""spaCy extension attributes the pipeline fills in.

Per-sentence results live in one column-oriented table on the Doc (``doc._.sentence_table``:
a dict of equal-length lists), not in per-span user data: components read and write whole
columns at once, no Span or Token objects are created on the hot path, and the Doc stays
plain data, so it survives ``Doc.to_bytes`` and ``nlp.pipe(n_process=...)``. The familiar
``span._.section`` / ``span._.spoiler`` ... are getters and setters over that table.

Doc:
  ``doc._.heading_hints``   (start, end, level) heading spans known from HTML/Markdown (input)
  ``doc._.presplit``        True when sentences were given by the caller (no re-splitting)
  ``doc._.removed``         [(start, end, reason)] page chrome excluded from the review
  ``doc._.heading_offsets`` [(start, end)] headings found in the text
  ``doc._.sentence_table``  {column: [value per body sentence]} (see SENTENCE_COLUMNS)
  ``doc._.sentence_offsets``getter: [(start, end)] of body sentences
  ``doc._.sentences``       getter: body sentences as Spans
  ``doc._.headings``        getter: headings as Spans
  ``doc._.sections``        [{label, heading, start, end, sentiment}]
  ``doc._.spoilers``        getter: flagged sentences as Spans
  ``doc._.sentiment``       overall score in [-1, 1];  ``doc._.sentiment_label``
Span (body sentences; None for other spans):
  ``span._.paragraph``, ``span._.heading``, ``span._.section``, ``span._.plot_prob``,
  ``span._.spoiler`` (probability), ``span._.spoiler_flag``, ``span._.spoiler_kind``,
  ``span._.spoiler_reasons``, ``span._.sentiment``, ``span._.sentiment_label`` (pos/neg/neu)
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

SENTENCE_COLUMNS = (
    "start", "end", "paragraph", "heading", "section", "plot_prob", "spoiler",
    "spoiler_flag", "spoiler_kind", "spoiler_reasons", "sentiment", "sentiment_label",
)
_TEXT_KEY = "analyser_text"
_INDEX_KEY = "analyser_sentence_index"


def new_table(offsets: list[tuple[int, int]]) -> dict[str, list[Any]]:
    n = len(offsets)
    table: dict[str, list[Any]] = {c: [None] * n for c in SENTENCE_COLUMNS}
    table["start"] = [s for s, _ in offsets]
    table["end"] = [e for _, e in offsets]
    return table


def doc_text(doc: Doc) -> str:
    """``doc.text`` computed once per doc (spaCy rebuilds it from every token on each call)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


def set_doc_text(doc: Doc, text: str) -> None:
    """Record the text a doc was made from (saves rebuilding it from tokens)."""
    doc.user_data[_TEXT_KEY] = text


def _sentence_index(span: Span) -> int | None:
    doc = span.doc
    table = doc._.sentence_table
    if not table:
        return None
    index = doc.user_data.get(_INDEX_KEY)
    if index is None or len(index) != len(table["start"]):
        index = {s: i for i, s in enumerate(table["start"])}
        doc.user_data[_INDEX_KEY] = index
    i = index.get(span.start_char)
    if i is None or table["end"][i] != span.end_char:
        return None
    return i


def _span_column(name: str):
    def get(span: Span) -> Any:
        i = _sentence_index(span)
        return None if i is None else span.doc._.sentence_table[name][i]

    def set_(span: Span, value: Any) -> None:
        i = _sentence_index(span)
        if i is None:
            raise ValueError(f"span {span.text!r} is not a body sentence of its doc")
        span.doc._.sentence_table[name][i] = value

    return get, set_


def _spans(doc: Doc, offsets) -> list[Span]:
    out = []
    for start, end in offsets or ():
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


def _sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    table = doc._.sentence_table
    return list(zip(table["start"], table["end"], strict=True)) if table else []


def _sentences(doc: Doc) -> list[Span]:
    return _spans(doc, _sentence_offsets(doc))


def _headings(doc: Doc) -> list[Span]:
    return _spans(doc, doc._.heading_offsets)


def _spoilers(doc: Doc) -> list[Span]:
    table = doc._.sentence_table
    if not table:
        return []
    flagged = [(s, e) for s, e, f in zip(table["start"], table["end"], table["spoiler_flag"],
                                         strict=True) if f]
    return _spans(doc, flagged)


_DOC_ATTRS = {
    "heading_hints": (),
    "presplit": False,
    "removed": None,
    "heading_offsets": None,
    "sentence_table": None,
    "sections": None,
    "sentiment": None,
    "sentiment_label": None,
    "source": None,
}
_DOC_GETTERS = {
    "sentence_offsets": _sentence_offsets,
    "sentences": _sentences,
    "headings": _headings,
    "spoilers": _spoilers,
}
_SPAN_COLUMNS = {
    "paragraph": "paragraph", "heading": "heading", "section": "section",
    "plot_prob": "plot_prob", "spoiler": "spoiler", "spoiler_flag": "spoiler_flag",
    "spoiler_kind": "spoiler_kind", "spoiler_reasons": "spoiler_reasons",
    "sentiment": "sentiment", "sentiment_label": "sentiment_label",
}


def register() -> None:
    """Register every extension once (idempotent, safe in worker processes)."""
    for name, default in _DOC_ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, getter in _DOC_GETTERS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=getter)
    for name, column in _SPAN_COLUMNS.items():
        if not Span.has_extension(name):
            get, set_ = _span_column(column)
            Span.set_extension(name, getter=get, setter=set_)


register()
