"""`review_structure`: chrome, headings, paragraphs and sentences.

Splits sentences at punctuation like spaCy's rule-based ``sentencizer`` (but computed from
token arrays, several times faster) and adds what reviews need on top: blank lines end
paragraphs, headings ("The Plot:", Markdown/HTML headings) are their own units and never part
of a sentence, page chrome found by :func:`analyser.cleaning.find_chrome` is excluded, and a
line break ends a sentence when the line looks complete (credits, lists) but not inside
hard-wrapped prose.

The Doc text is never changed, so every offset indexes the text the user gave us.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from ..cleaning import find_chrome
from ..extensions import doc_text, new_table
from ..headings import inline_heading, is_info_line, looks_like_heading
from ..vectorise import EndToEnd
from .base import BatchComponent

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
    assigns=["token.is_sent_start", "doc._.removed", "doc._.heading_offsets",
             "doc._.sentence_table"],
    requires=[],  # doc._.heading_hints and doc._.presplit come from the caller, if at all
)
def make_review_structure(nlp: Language, name: str, remove_chrome: bool, detect_headings: bool
                          ) -> ReviewStructure:
    return ReviewStructure(name, remove_chrome=remove_chrome, detect_headings=detect_headings)


@dataclass
class _Plan:
    doc: Doc
    units: list[tuple[int, int]]  # character ranges sentences may span
    meta: list[tuple[int, str | None]]  # (paragraph, heading) per unit
    headings: list[tuple[int, int]]
    removed_starts: list[int]


class ReviewStructure(BatchComponent):
    """Finds chrome, headings, paragraphs and body sentences (see module docstring)."""

    def __init__(self, name: str = "review_structure", *, remove_chrome: bool = True,
                 detect_headings: bool = True) -> None:
        self.name = name
        self.remove_chrome = remove_chrome
        self.detect_headings = detect_headings

    def process(self, docs: list[Doc]) -> None:
        """Lines (per doc, Python) first, then the token arrays of the whole batch at once:
        numpy calls on one doc's few hundred tokens cost more in call overhead than work."""
        plans = []
        for doc in docs:
            if doc._.presplit:
                self._presplit(doc)
            else:
                plans.append(self._plan(doc))
        if not plans:
            return
        tokens = _TokenArrays([p.doc for p in plans])
        for k, (p, (sentences, unit_of)) in enumerate(
                zip(plans, tokens.split([p.units for p in plans]), strict=True)):
            p.doc._.heading_offsets = p.headings
            table = new_table(sentences)
            table["paragraph"] = [p.meta[u][0] for u in unit_of]
            table["heading"] = [p.meta[u][1] for u in unit_of]
            p.doc._.sentence_table = table
            tokens.mark_boundaries(
                k, [s for s, _ in sentences] + [s for s, _ in p.headings] + p.removed_starts)

    def _plan(self, doc: Doc) -> _Plan:
        """Chrome, headings and the units (runs of text lines sentences may span) of a doc."""
        text = doc_text(doc)
        removed = find_chrome(text) if self.remove_chrome else []
        doc._.removed = [(r.start, r.end, r.reason) for r in removed]
        hints = [(s, e) for s, e, *_ in (doc._.heading_hints or ())]
        lines = self._classify(text, removed, hints)

        headings: list[tuple[int, int]] = []
        units: list[tuple[int, int]] = []  # runs of text lines that sentences may span
        meta: list[tuple[int, str | None]] = []  # (paragraph, heading) per unit
        paragraph = -1
        heading_text: str | None = None
        unit_start: int | None = None
        unit_end = 0
        prev_kind = "blank"

        def flush() -> None:
            nonlocal unit_start
            if unit_start is not None:
                units.append((unit_start, unit_end))
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
        return _Plan(doc, units, meta, headings, [r.start for r in removed])

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

    def _presplit(self, doc: Doc) -> Doc:
        """Caller-given sentences: keep them exactly; one paragraph, no chrome, no headings."""
        doc._.removed = []
        doc._.heading_offsets = []
        table = doc._.sentence_table
        table["paragraph"] = [0] * len(table["start"])
        return doc


_PUNCT_CHARS = frozenset(Sentencizer.default_punct_chars)


def _is_final(text: str) -> bool:
    """Made only of sentence-final characters: ".", "?", "...", "!?"."""
    return bool(text) and all(c in _PUNCT_CHARS for c in text)


def _has_alnum(text: str) -> bool:
    return any(c.isalnum() for c in text)


def alnum_flag(vocab) -> int:
    """The id of a lexeme flag for "has a letter or digit" (see :func:`final_flag`)."""
    for flag_id, getter in vocab.lex_attr_getters.items():
        if getter is _has_alnum:
            return flag_id
    return vocab.add_flag(_has_alnum)


def final_flag(vocab) -> int:
    """The id of a lexeme flag for :func:`_is_final`, added to the vocab once: spaCy then
    computes it once per distinct word and ``Doc.to_array`` reads it like ``IS_PUNCT``."""
    for flag_id, getter in vocab.lex_attr_getters.items():
        if getter is _is_final:
            return flag_id
    return vocab.add_flag(_is_final)


class _TokenArrays:
    """The token offsets of a batch of docs as flat arrays: sentence splitting without
    creating Token objects (creating them costs more than spaCy's whole tokenizer).

    Docs are laid end to end (:class:`analyser.vectorise.EndToEnd`), so character ranges of
    different docs never overlap.

    Punctuation boundaries follow spaCy's ``sentencizer``: a sentence starts at the first
    non-punctuation token after a sentence-final character; a token made only of
    sentence-final characters ("...", "?!") counts as one too.
    """

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        vocab = docs[0].vocab
        laid = EndToEnd(docs, [IDX, LENGTH, IS_SPACE, IS_PUNCT, final_flag(vocab),
                               alnum_flag(vocab)])
        arr, counts, self.char_offset = laid.rows, laid.counts, laid.char_offset
        raw_idx = arr[:, 0].astype(np.int64)
        self.raw_idx = np.split(raw_idx, np.cumsum(counts)[:-1])  # per doc, every token
        doc_start = np.repeat(np.cumsum(counts) - counts, counts)  # first token of the doc
        idx = laid.positions(arr[:, 0])
        space = arr[:, 2].astype(bool)
        first = self._sentence_starts(arr[:, 3].astype(bool), arr[:, 4].astype(bool), space,
                                      doc_start)
        keep = ~space  # whitespace tokens are never part of a sentence's span
        self.idx = idx[keep]
        self.end = (idx + arr[:, 1].astype(np.int64))[keep]
        self.first = first[keep]
        self.alnum = arr[keep, 5].astype(bool)

    @staticmethod
    def _sentence_starts(is_punct: np.ndarray, final: np.ndarray, is_space: np.ndarray,
                         doc_start: np.ndarray) -> np.ndarray:
        """Tokens that start a sentence by the sentencizer's rule, for all docs at once:
        a token that is neither punctuation nor sentence-final, with a sentence-final token
        after the previous such token of the same doc."""
        n = len(is_punct)
        if not n:
            return np.zeros(0, dtype=bool)
        candidate = ~final & ~is_punct & ~is_space  # whitespace neither starts nor resets
        pos = np.arange(n)
        last_final = np.maximum.accumulate(np.where(final, pos, -1))
        last_cand = np.maximum.accumulate(np.where(candidate, pos, -1))
        prev_cand = np.concatenate([[-1], last_cand[:-1]])
        # positions in an earlier doc count as "none" (-1), as if each doc ran alone
        last_final = np.where(last_final >= doc_start, last_final, -1)
        prev_cand = np.where(prev_cand >= doc_start, prev_cand, -1)
        return candidate & (last_final > prev_cand)

    def split(self, units_per_doc: list[list[tuple[int, int]]]
              ) -> list[tuple[list[tuple[int, int]], list[int]]]:
        """Per doc: the sentences inside its units (character ranges), with the unit of each.

        A unit's tokens are cut at sentencizer boundaries and every `MAX_SENTENCE_TOKENS`
        tokens; a piece without letters or digits ("...", "—") joins the sentence before it
        (or, at the start of a unit, the one after it); a unit with no letters or digits at
        all gives no sentence."""
        n_docs = len(units_per_doc)
        empty: list[tuple[list[tuple[int, int]], list[int]]] = [([], []) for _ in range(n_docs)]
        n_units = np.fromiter((len(u) for u in units_per_doc), np.int64, n_docs)
        if not n_units.sum() or not len(self.idx):
            return empty
        unit_doc = np.repeat(np.arange(n_docs), n_units)
        bounds = np.asarray([u for units in units_per_doc for u in units], dtype=np.int64)
        bounds += self.char_offset[unit_doc][:, None]
        a = np.searchsorted(self.idx, bounds[:, 0], "left")
        b = np.searchsorted(self.idx, bounds[:, 1], "left")
        counts = np.maximum(b - a, 0)
        total = int(counts.sum())
        if not total:
            return empty
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pos = np.arange(total) + np.repeat(a - offsets, counts)  # token of each slot
        unit = np.repeat(np.arange(len(bounds)), counts)
        boundary = self.first[pos]
        boundary[offsets[counts > 0]] = True
        sid = np.cumsum(boundary) - 1
        rank = np.arange(total) - np.flatnonzero(boundary)[sid]
        if rank.max() >= MAX_SENTENCE_TOKENS:
            boundary |= (rank > 0) & (rank % MAX_SENTENCE_TOKENS == 0)
        starts = np.flatnonzero(boundary)
        alnum = np.maximum.reduceat(self.alnum[pos], starts)
        if not alnum.all():
            s_unit = unit[starts]
            # alphanumeric sentences earlier in the same unit
            seen = np.cumsum(alnum) - alnum
            unit_first = np.searchsorted(s_unit, s_unit, "left")
            before = seen - (np.cumsum(alnum) - alnum)[unit_first]
            for k in np.flatnonzero(~alnum).tolist():
                if before[k] > 0:
                    boundary[starts[k]] = False  # join the sentence before
                elif k + 1 < len(starts) and s_unit[k + 1] == s_unit[k]:
                    boundary[starts[k + 1]] = False  # join the sentence after
            starts = np.flatnonzero(boundary)
            alnum = np.maximum.reduceat(self.alnum[pos], starts)
        ends = np.concatenate([starts[1:], [total]]) - 1
        s_unit = unit[starts][alnum]
        s_doc = unit_doc[s_unit]
        shift = self.char_offset[s_doc]
        s = (self.idx[pos[starts]][alnum] - shift).tolist()
        e = (self.end[pos[ends]][alnum] - shift).tolist()
        local_unit = (s_unit - (np.cumsum(n_units) - n_units)[s_doc]).tolist()
        cut = np.concatenate([[0], np.cumsum(np.bincount(s_doc, minlength=n_docs))]).tolist()
        return [(list(zip(s[i:j], e[i:j], strict=True)), local_unit[i:j])
                for i, j in zip(cut[:-1], cut[1:], strict=True)]

    def mark_boundaries(self, k: int, char_starts: list[int]) -> None:
        """Make ``doc.sents`` of doc `k` agree with our sentences, headings and chrome blocks
        (every token is marked start or not, so ``doc.sents`` works on every doc).

        Written as one array: setting ``token.is_sent_start`` one by one rescans the doc each
        time (quadratic on reviews with thousands of sentences)."""
        idx_arr = self.raw_idx[k]
        if not len(idx_arr):
            return
        doc = self.docs[k]
        js = np.searchsorted(idx_arr, np.asarray(char_starts, dtype=np.int64), side="left")
        arr = np.full(len(idx_arr), -1, dtype=np.int64)  # every other token: not a start
        arr[js[js < len(idx_arr)]] = 1
        arr[0] = 1
        doc.from_array([SENT_START], arr.astype(np.uint64))
