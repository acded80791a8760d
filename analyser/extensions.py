"""spaCy extension attributes the pipeline fills in.

Values stored on the Doc are plain data (numbers, strings, tuples, lists, dicts) so docs
survive ``Doc.to_bytes`` and ``nlp.pipe(n_process=...)``; span views are built by getters.

Doc:
  ``doc._.heading_hints``  (start, end, level) heading spans known from HTML/Markdown (input)
  ``doc._.presplit``       True when sentences were given by the caller (no re-splitting)
  ``doc._.removed``        [(start, end, reason)] page chrome excluded from the review
  ``doc._.heading_offsets``[(start, end)] headings found in the text
  ``doc._.sentence_offsets`` [(start, end)] body sentences (not chrome, not headings)
  ``doc._.sentences``      getter: body sentences as Spans
  ``doc._.headings``       getter: headings as Spans
  ``doc._.sections``       [{label, heading, start, end, sentiment}]
  ``doc._.spoilers``       getter: flagged sentences as Spans
  ``doc._.sentiment``      overall score in [-1, 1];  ``doc._.sentiment_label``
Span (sentences):
  ``span._.paragraph``, ``span._.heading`` (governing heading text or None),
  ``span._.section``, ``span._.plot_prob``,
  ``span._.spoiler`` (probability), ``span._.spoiler_flag``, ``span._.spoiler_kind``,
  ``span._.spoiler_reasons``, ``span._.sentiment``
"""

from __future__ import annotations

from spacy.tokens import Doc, Span


def _spans(doc: Doc, offsets: list[tuple[int, int]] | None) -> list[Span]:
    out = []
    for start, end in offsets or ():
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


def _sentences(doc: Doc) -> list[Span]:
    return _spans(doc, doc._.sentence_offsets)


def _headings(doc: Doc) -> list[Span]:
    return _spans(doc, doc._.heading_offsets)


def _spoilers(doc: Doc) -> list[Span]:
    return [s for s in _sentences(doc) if s._.spoiler_flag]


_DOC_ATTRS = {
    "heading_hints": (),
    "presplit": False,
    "removed": None,
    "heading_offsets": None,
    "sentence_offsets": None,
    "sections": None,
    "sentiment": None,
    "sentiment_label": None,
    "source": None,
}
_DOC_GETTERS = {"sentences": _sentences, "headings": _headings, "spoilers": _spoilers}
_SPAN_ATTRS = {
    "paragraph": None,
    "heading": None,
    "section": None,
    "plot_prob": None,
    "spoiler": None,
    "spoiler_flag": None,
    "spoiler_kind": None,
    "spoiler_reasons": None,
    "sentiment": None,
}


def register() -> None:
    """Register every extension once (idempotent, safe in worker processes)."""
    for name, default in _DOC_ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, getter in _DOC_GETTERS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=getter)
    for name, default in _SPAN_ATTRS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register()
