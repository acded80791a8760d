"""Plain result objects: what one analysed review holds, as dataclasses, dicts and DataFrames.

These are what the CLI prints, batch mode writes and notebooks explore; nothing in them
refers to spaCy, so they pickle, serialise to JSON and cross process boundaries freely.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from spacy.tokens import Doc

from .cleaning import Removed

SENTENCE_COLUMNS = [
    "source", "index", "text", "start", "end", "paragraph", "heading", "section",
    "spoiler_probability", "spoiler_flag", "spoiler_kind", "spoiler_reasons", "sentiment",
    "sentiment_label", "position",
]


# One Spoiler and one Sentence per sentence: plain slotted classes, because a frozen
# dataclass's __init__ costs five times as much and a batch builds millions of them.
@dataclass(slots=True)
class Spoiler:
    probability: float
    flag: bool
    kind: str | None  # "explicit" | "hint" | None
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"probability": self.probability, "flag": self.flag, "kind": self.kind,
                "reasons": list(self.reasons)}


@dataclass(slots=True)
class Sentence:
    index: int
    text: str
    start: int
    end: int
    section: str
    spoiler: Spoiler
    sentiment: float
    paragraph: int = 0
    heading: str | None = None
    plot_probability: float = 0.5
    sentiment_label: str = "neu"  # the writer's stance: pos | neg | neu (plot retelling)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "text": self.text, "start": self.start, "end": self.end,
            "section": self.section, "spoiler": self.spoiler.to_dict(),
            "sentiment": self.sentiment, "sentiment_label": self.sentiment_label,
            "paragraph": self.paragraph, "heading": self.heading,
            "plot_probability": self.plot_probability,
        }


@dataclass(frozen=True)
class Section:
    label: str  # summary | plot | opinion | info
    heading: str | None
    start: int
    end: int
    sentiment: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SpoilerSummary:
    count: int
    share: float


@dataclass(frozen=True)
class Sentiment:
    score: float
    label: str  # positive | negative | mixed | neutral


@dataclass(frozen=True)
class ReviewAnalysis:
    """Everything the analyser found in one review. Offsets index :attr:`text`."""

    text: str
    sentences: list[Sentence]
    sections: list[Section]
    removed: list[Removed]
    headings: list[tuple[int, int]]
    spoilers: SpoilerSummary
    sentiment: Sentiment
    model_versions: dict[str, str | None]
    source: str | None = None
    format: str = "text"
    language: str = "en"

    @property
    def spoiler_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if s.spoiler.flag]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON schema (``analyser annotate --format json``)."""
        return {
            "source": self.source,
            "language": self.language,
            "format": self.format,
            "text": self.text,
            "sections": [s.to_dict() for s in self.sections],
            "sentences": [s.to_dict() for s in self.sentences],
            "removed": [r.to_dict() for r in self.removed],
            "headings": [{"start": s, "end": e, "text": self.text[s:e]} for s, e in self.headings],
            "spoilers": asdict(self.spoilers),
            "sentiment": asdict(self.sentiment),
            "model_versions": dict(self.model_versions),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per sentence, spoiler fields flattened (``spoiler_probability``...)."""
        n = max(len(self.sentences), 1)
        rows = [
            {
                "source": self.source, "index": s.index, "text": s.text, "start": s.start,
                "end": s.end, "paragraph": s.paragraph, "heading": s.heading,
                "section": s.section, "spoiler_probability": s.spoiler.probability,
                "spoiler_flag": s.spoiler.flag, "spoiler_kind": s.spoiler.kind,
                "spoiler_reasons": list(s.spoiler.reasons), "sentiment": s.sentiment,
                "sentiment_label": s.sentiment_label, "position": s.index / max(n - 1, 1),
            }
            for s in self.sentences
        ]
        return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)

    def summary(self) -> dict[str, Any]:
        """One flat row per review (what batch mode writes to ``reviews.parquet``)."""
        n = len(self.sentences)
        shares = {f"share_{lab}": 0.0 for lab in ("summary", "plot", "opinion", "info")}
        for s in self.sentences:
            shares[f"share_{s.section}"] += 1 / n
        return {
            "source": self.source, "format": self.format, "n_sentences": n,
            "n_words": len(self.text.split()), **shares,
            "spoiler_count": self.spoilers.count, "spoiler_share": self.spoilers.share,
            "spoiler_max_probability": max((s.spoiler.probability for s in self.sentences),
                                           default=0.0),
            "sentiment_score": self.sentiment.score, "sentiment_label": self.sentiment.label,
            "n_removed": len(self.removed),
        }


def from_doc(doc: Doc, *, source: str | None, fmt: str, model_versions: dict[str, str | None]
             ) -> ReviewAnalysis:
    """Collect the pipeline's extension attributes into plain objects."""
    from .extensions import doc_text

    text = doc_text(doc)
    t = doc._.sentence_table or {c: [] for c in ("start",)}
    n = len(t["start"])

    def col(name: str, default: Any) -> list[Any]:
        values = t.get(name)
        if values is None:
            return [default] * n
        return [default if v is None else v for v in values] if None in values else values

    kinds, reasons = col("spoiler_kind", None), col("spoiler_reasons", [])
    sentences = [
        Sentence(
            index=i, text=text[s:e], start=s, end=e, section=sec,
            spoiler=Spoiler(probability=round(prob, 4), flag=flag, kind=kind if flag else None,
                            reasons=list(why)),
            sentiment=round(senti, 4), paragraph=par, heading=head,
            plot_probability=round(pp, 4), sentiment_label=slab,
        )
        for i, (s, e, sec, prob, flag, kind, why, senti, par, head, pp, slab) in enumerate(zip(
            t["start"], col("end", 0), col("section", "opinion"), col("spoiler", 0.0),
            col("spoiler_flag", False), kinds, reasons, col("sentiment", 0.0),
            col("paragraph", 0), t.get("heading") or [None] * n, col("plot_prob", 0.5),
            col("sentiment_label", "neu"), strict=True))
    ]
    sections = [
        Section(label=s["label"], heading=s["heading"], start=s["start"], end=s["end"],
                sentiment=round(float(s["sentiment"] or 0.0), 4))
        for s in doc._.sections or ()
    ]
    count = sum(1 for s in sentences if s.spoiler.flag)
    return ReviewAnalysis(
        text=text,
        sentences=sentences,
        sections=sections,
        removed=[Removed(s, e, r) for s, e, r in doc._.removed or ()],
        headings=[tuple(h) for h in doc._.heading_offsets or ()],
        spoilers=SpoilerSummary(count=count, share=round(count / max(len(sentences), 1), 4)),
        sentiment=Sentiment(score=round(float(doc._.sentiment or 0.0), 4),
                            label=doc._.sentiment_label or "neutral"),
        model_versions=model_versions,
        source=source,
        format=fmt,
    )


def frame(analyses: list[ReviewAnalysis]) -> pd.DataFrame:
    """Sentence rows of many reviews in one DataFrame."""
    frames = [a.to_frame() for a in analyses]
    if not frames:
        return pd.DataFrame(columns=SENTENCE_COLUMNS)
    return pd.concat(frames, ignore_index=True)
