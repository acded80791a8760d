"""Real annotated reviews (``reviews_annotated/``) as the context models see them.

Each review is run through the analyser's own reading, structure and earlier models, exactly
as at scoring time, and its sentences (the analyser's split, not the annotators') take the
labels of the annotated sentence they overlap most. Training and evaluation therefore see
the same sentences, paragraphs, headings and earlier-model outputs a user's review gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..context import (
    SECTION_LABELS,
    SENTIMENT_LABELS,
    SPOILER_LABELS,
    VERDICT_LABELS,
    sentence_flags,
)
from ..extensions import doc_text
from ..features import CUE_NAMES, cue_tokens
from .data import read_jsonl


@dataclass
class ReviewRows:
    """Sentences of many reviews laid end to end, with gold labels (-1: none)."""

    review: np.ndarray  # review number per sentence
    group: list[str]  # per review: the film (or the review itself) for grouped folds
    verdict: np.ndarray  # per review: index into VERDICT_LABELS
    texts: list[str]  # sentence texts
    tokens: list[list[str]]  # token texts per sentence (the pipeline's tokenizer)
    prior: np.ndarray  # (n, 3): earlier models' plot prob, spoiler prob, sentiment score
    cues: np.ndarray  # (n, len(CUE_NAMES)) 0/1
    flags: np.ndarray  # (n, len(FLAG_NAMES)): analyser.context.sentence_flags
    paragraph: np.ndarray
    heading: list[str | None]  # the section label a heading gives, or None
    section: np.ndarray  # index into SECTION_LABELS, -1 for "other"
    spoiler: np.ndarray  # index into SPOILER_LABELS
    sentiment: np.ndarray  # index into SENTIMENT_LABELS
    review_prior: np.ndarray  # per review: the earlier review sentiment score
    origin: list[str] = field(default_factory=list)

    @property
    def n_reviews(self) -> int:
        return len(self.group)

    def single(self) -> np.ndarray:
        """Per sentence: does it come from a one-sentence review (see
        :func:`single_sentence_reviews`)?"""
        return np.array([self.origin[r] == "single" for r in self.review], dtype=bool)

    @staticmethod
    def concat(parts: list[ReviewRows]) -> ReviewRows:
        """Several row sets as one, review numbers renumbered."""
        offset, reviews = 0, []
        for p in parts:
            reviews.append(p.review + offset)
            offset += p.n_reviews

        def cat(name: str):
            first = getattr(parts[0], name)
            if isinstance(first, np.ndarray):
                return np.concatenate([getattr(p, name) for p in parts])
            return [x for p in parts for x in getattr(p, name)]

        fields = {f: cat(f) for f in ("group", "verdict", "texts", "tokens", "prior", "cues",
                                      "flags", "paragraph", "heading", "section", "spoiler",
                                      "sentiment", "review_prior", "origin")}
        return ReviewRows(review=np.concatenate(reviews), **fields)

    def sentence_groups(self) -> np.ndarray:
        names = {g: i for i, g in enumerate(dict.fromkeys(self.group))}
        return np.array([names[self.group[r]] for r in self.review])


def overlap_labels(starts, ends, gold: list[dict]) -> list[dict | None]:
    """For each analyser sentence, the gold sentence it overlaps most (None if none)."""
    out = []
    g_start = np.array([g["start"] for g in gold])
    g_end = np.array([g["end"] for g in gold])
    for s, e in zip(starts, ends, strict=True):
        ov = np.minimum(e, g_end) - np.maximum(s, g_start)
        j = int(np.argmax(ov)) if len(ov) else -1
        out.append(gold[j] if j >= 0 and ov[j] > 0 else None)
    return out


def single_sentence_reviews(path: str | Path) -> list[dict]:
    """Every annotated sentence of `path` as a review of its own (same labels, same film).

    Users also score lone sentences (``analyse_sentences``, a pasted line); without such
    rows the context model would only know sentences inside reviews, where a first
    sentence is almost never a reveal, and would wave through "It is revealed that he was
    dead all along." when it stands alone."""
    out = []
    for r in read_jsonl(path):
        for k, g in enumerate(r["sentences"]):
            text = g["text"].strip()
            if not text:
                continue
            out.append({"review_id": f"{r['review_id']}#{k}", "item_id": r.get("item_id")
                        or r["review_id"], "overall": r["overall"], "origin": "single",
                        "text": text,
                        "sentences": [dict(g, start=0, end=len(text), text=text)]})
    return out


def load_reviews(path: str | Path | list[dict], analyser=None) -> ReviewRows:
    """Annotated reviews (a file, or records in its format) run through the analyser's
    earlier stages."""
    from ..api import Analyser
    from ..headings import heading_label

    # the context model's inputs are what is being built here: the stages before it
    a = analyser or Analyser(stages=("structure", "sections", "spoilers", "sentiment"))
    rows = path if isinstance(path, list) else read_jsonl(path)
    cols: dict[str, list] = {k: [] for k in (
        "review", "texts", "tokens", "prior", "cues", "paragraph", "heading", "section",
        "spoiler", "sentiment")}
    group, verdict, review_prior, origin = [], [], [], []
    docs = a.nlp.pipe((a._make_doc(a._read(r["text"]), None) for r in rows), batch_size=64)
    for k, (r, doc) in enumerate(zip(rows, docs, strict=True)):
        t = doc._.sentence_table
        text = doc_text(doc)
        gold = overlap_labels(t["start"], t["end"], r["sentences"])
        group.append(r.get("item_id") or r["review_id"])
        verdict.append(VERDICT_LABELS.index(r["overall"]))
        review_prior.append(float(doc._.sentiment or 0.0))
        origin.append(r.get("origin", ""))
        for j, (s, e) in enumerate(zip(t["start"], t["end"], strict=True)):
            sent = text[s:e]
            g = gold[j] or {"section": "other", "spoiler": "none", "sentiment": "neu"}
            cols["review"].append(k)
            cols["texts"].append(sent)
            span = doc.char_span(s, e, alignment_mode="expand")
            cols["tokens"].append([tok.text for tok in span])
            cols["prior"].append((t["plot_prob"][j], t["spoiler"][j], t["sentiment"][j]))
            found = set(cue_tokens(sent.lower()))
            cols["cues"].append([f"__cue_{c}__" in found for c in CUE_NAMES])
            cols["paragraph"].append(t["paragraph"][j])
            h = t["heading"][j]
            cols["heading"].append(heading_label(h) if h else None)
            sec = g["section"]
            cols["section"].append(SECTION_LABELS.index(sec) if sec in SECTION_LABELS else -1)
            cols["spoiler"].append(SPOILER_LABELS.index(g["spoiler"]))
            cols["sentiment"].append(SENTIMENT_LABELS.index(g["sentiment"]))
    return ReviewRows(
        review=np.array(cols["review"], dtype=np.int64), group=group,
        verdict=np.array(verdict), texts=cols["texts"], tokens=cols["tokens"],
        prior=np.array(cols["prior"], dtype=np.float64),
        cues=np.array(cols["cues"], dtype=np.float64),
        flags=sentence_flags(cols["texts"]),
        paragraph=np.array(cols["paragraph"], dtype=np.int64), heading=cols["heading"],
        section=np.array(cols["section"]), spoiler=np.array(cols["spoiler"]),
        sentiment=np.array(cols["sentiment"]), review_prior=np.array(review_prior),
        origin=origin,
    )
