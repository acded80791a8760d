"""Plots and tables for exploring analyser results in a notebook.

Every helper takes the DataFrames the analyser already produces, so exploring needs no glue
code: ``reviews, sentences = analyser.batch.score_folder(...)`` (one row per review / per
sentence) or ``ReviewAnalysis.to_frame()`` (the sentences of one review). Plot helpers draw on
``ax`` when given (so they compose into subplots) or on a new figure, always set a title, axis
labels and fixed limits (so plots of different corpora compare at a glance), and return the
``Axes`` for further styling.

Model evaluation plots live in :mod:`analyser.evaluation_plots`, and showing one review in a
notebook in :mod:`analyser.notebook_html`. Their helpers are importable from here too, because
the README documents them as ``analyser.plots.*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import evaluation_plots, notebook_html
from .evaluation_plots import *  # noqa: F403 - the README's analyser.plots.* names
from .notebook_html import *  # noqa: F403 - the README's plots.show_review
from .plot_base import OTHER_COLOUR, axes_or_new, no_data, require

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

__all__ = [
    "overall_sentiment",
    "sentence_positions",
    "sentiment_by_section",
    "spoiler_positions",
    "spoiler_share_hist",
    "top_spoilers",
    *evaluation_plots.__all__,
    *notebook_html.__all__,
]

SECTION_ORDER = ("summary", "plot", "opinion", "info")
SENTIMENT_ORDER = ("positive", "mixed", "neutral", "negative")
# The colours of the HTML report (report.py), so a notebook and a report page read alike.
SECTION_COLOURS = {"summary": "#0f766e", "plot": "#9333ea", "opinion": "#15803d",
                   "info": "#1d4ed8"}
SENTIMENT_COLOURS = {"positive": "#2f9e44", "mixed": "#e8890c", "neutral": "#868e96",
                     "negative": "#d6336c"}
SPOILER_COLOURS = {"explicit": "#c92a2a", "hint": "#e8890c"}


# --------------------------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------------------------

SENTENCES_HINT = ("the sentences frame of analyser.batch.score_folder() or "
                  "ReviewAnalysis.to_frame()")
REVIEWS_HINT = ("the reviews frame of analyser.batch.score_folder() or "
                "pd.DataFrame([result.summary()])")


def _review_keys(frame: pd.DataFrame) -> list[str]:
    """Columns that identify a review: ``id``/``path`` in batch output, ``source`` in
    ``to_frame()``; none means the frame holds a single review."""
    keys = [c for c in ("id", "path") if c in frame.columns]
    if not keys and "source" in frame.columns:
        keys = ["source"]
    return keys


def _review_id_column(frame: pd.DataFrame) -> pd.Series:
    """One readable review identifier per row (``id`` > ``source`` > empty)."""
    for col in ("id", "source"):
        if col in frame.columns:
            return frame[col].astype(object).where(frame[col].notna(), "")
    return pd.Series([""] * len(frame), index=frame.index, dtype=object)


def _scored(reviews: pd.DataFrame) -> pd.DataFrame:
    """Reviews that were scored: batch output keeps failed inputs as rows with an error."""
    if "error" not in reviews.columns:
        return reviews
    err = reviews["error"]
    failed = err.notna() & (err.astype(str).str.len() > 0)
    return reviews[~failed]


def _flags(sentences: pd.DataFrame) -> pd.Series:
    """``spoiler_flag`` as a clean boolean Series (missing counts as not flagged)."""
    return sentences["spoiler_flag"].fillna(False).astype(bool)


def _percent_axis(axis: Any, decimals: int | None = 0) -> None:
    """Shares as percentages (`decimals` None: as many as the tick spacing needs)."""
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


def _integer_axis(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _ordered(labels: Sequence[Any], order: Sequence[str]) -> list[str]:
    """Known labels in their canonical order, then any others alphabetically."""
    present = {str(x) for x in labels if isinstance(x, str) and x}
    return [x for x in order if x in present] + sorted(present - set(order))


# --------------------------------------------------------------------------------------------
# Spoilers
# --------------------------------------------------------------------------------------------

def sentence_positions(sentences: pd.DataFrame) -> pd.Series:
    """Relative position of each sentence in its review: 0 = first sentence, 1 = last.

    ``to_frame()`` already has a ``position`` column; batch output does not carry one, so it is
    computed here as ``index / (n - 1)`` with ``n`` the number of
    sentences of the review, as ``to_frame()`` does (a one-sentence review is at 0). ``n`` is
    the larger of the row count and ``max(index) + 1`` of the review, so a frame that was
    already filtered (e.g. to flagged sentences) does not inflate positions.
    """
    if "position" in sentences.columns and sentences["position"].notna().all():
        return sentences["position"].astype(float)
    require(sentences, ["index"], "sentence_positions", SENTENCES_HINT)
    index = sentences["index"].astype(float)
    keys = _review_keys(sentences)
    if keys:
        grouped = sentences.groupby(keys, dropna=False, sort=False)["index"]
        n = np.maximum(grouped.transform("size"), grouped.transform("max") + 1)
    else:
        n = pd.Series(max(len(sentences), int(index.max()) + 1 if len(index) else 0),
                      index=sentences.index)
    return (index / np.maximum(n.astype(float) - 1, 1)).clip(0.0, 1.0).rename("position")


def spoiler_share_hist(reviews: pd.DataFrame, ax: Axes | None = None, *,
                       bins: int = 10) -> Axes:
    """Distribution of the share of spoiler sentences per review.

    Tells whether spoilers are rare slips in otherwise safe reviews or whole reviews that retell
    the plot. Takes the batch ``reviews`` frame (``spoiler_share``); a sentence frame works
    too (the share is then computed from ``spoiler_flag`` per review). Failed reviews are left
    out. The dashed line marks the mean.
    """
    if "spoiler_share" in reviews.columns:
        share = _scored(reviews)["spoiler_share"].dropna().astype(float)
    else:
        require(reviews, ["spoiler_flag"], "spoiler_share_hist",
                 f"{REVIEWS_HINT} (spoiler_share), or {SENTENCES_HINT}")
        flags = _flags(reviews)
        keys = _review_keys(reviews)
        share = flags.groupby([reviews[k] for k in keys], dropna=False).mean() if keys \
            else pd.Series([flags.mean()] if len(flags) else [], dtype=float)
    ax = axes_or_new(ax)
    edges = np.linspace(0.0, 1.0, bins + 1)
    if len(share):
        ax.hist(share.clip(0.0, 1.0), bins=edges, color=SPOILER_COLOURS["explicit"],
                alpha=0.8, edgecolor="white", label="reviews")
        mean = float(share.mean())
        ax.axvline(mean, color="#1f2328", linestyle="--", linewidth=1.2,
                   label=f"mean {mean:.0%}")
        ax.legend(loc="upper right", frameon=False)
    else:
        no_data(ax, "no scored reviews")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(bottom=0)
    _percent_axis(ax.xaxis)
    _integer_axis(ax.yaxis)
    ax.set_title(f"Spoiler share per review (n={len(share)})")
    ax.set_xlabel("Share of the review's sentences flagged as spoilers")
    ax.set_ylabel("Reviews")
    return ax


def spoiler_positions(sentences: pd.DataFrame, ax: Axes | None = None, *, bins: int = 10,
                      compare: bool = True) -> Axes:
    """Where in a review the flagged spoiler sentences sit (0 = first sentence, 1 = last).

    Bars are stacked by spoiler kind (explicit reveal vs hint) and normalised to the share of
    all spoiler sentences, so corpora of any size compare. With `compare`, the outline shows
    how all sentences are spread on the same scale: a bar above the outline means spoilers are
    over-represented at that point of a review (e.g. the ending is retold last).
    """
    require(sentences, ["spoiler_flag"], "spoiler_positions", SENTENCES_HINT)
    pos = sentence_positions(sentences)
    flags = _flags(sentences)
    ax = axes_or_new(ax)
    edges = np.linspace(0.0, 1.0, bins + 1)
    flagged = pos[flags]
    n_flagged = len(flagged)
    top = 0.0
    if n_flagged:
        kinds = (sentences.loc[flags, "spoiler_kind"].astype(object)
                 .where(lambda k: k.notna(), "explicit") if "spoiler_kind" in sentences.columns
                 else pd.Series("explicit", index=flagged.index))
        order = _ordered(kinds.unique(), ("explicit", "hint"))
        data = [flagged[kinds == k].to_numpy() for k in order]
        weights = [np.full(len(d), 1.0 / n_flagged) for d in data]
        heights, _, _ = ax.hist(
            data, bins=edges, weights=weights, stacked=True, edgecolor="white",
            color=[SPOILER_COLOURS.get(k, OTHER_COLOUR) for k in order],
            label=[f"{k} spoilers ({len(d)})" for k, d in zip(order, data, strict=True)])
        top = float(np.max(heights))
    if compare and len(pos):
        counts, _ = np.histogram(pos, bins=edges)
        share = counts / len(pos)
        ax.stairs(share, edges, color="#1f2328", linewidth=1.5,
                  label=f"all sentences ({len(pos)})")
        top = max(top, float(share.max()))
    if not n_flagged:
        no_data(ax, "no spoiler sentences flagged")
    if n_flagged or (compare and len(pos)):
        ax.legend(loc="upper center", ncols=3, frameon=False, fontsize="small")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, max(top * 1.3, 0.05))
    _percent_axis(ax.yaxis, decimals=None)
    ax.set_title(f"Where in a review spoilers occur ({n_flagged} spoiler sentences)")
    ax.set_xlabel("Relative position in the review (0 = first sentence, 1 = last)")
    ax.set_ylabel("Share of sentences in the group")
    return ax


def top_spoilers(sentences: pd.DataFrame, n: int = 10, *, width: int = 100,
                 flagged_only: bool = False) -> pd.DataFrame:
    """The `n` sentences with the highest spoiler probability, with the model's reasons.

    For reading what drives the spoiler model on a corpus: one row per sentence with review id,
    sentence index, section, text (whitespace collapsed, cut to `width` characters), probability,
    kind and reasons (joined), ranked from 1. Ties keep the input order, so the table is stable.
    """
    require(sentences, ["text", "spoiler_probability"], "top_spoilers", SENTENCES_HINT)
    frame = sentences
    if flagged_only and "spoiler_flag" in frame.columns:
        frame = frame[_flags(frame)]
    ranked = frame.assign(_p=frame["spoiler_probability"].astype(float)).sort_values(
        "_p", ascending=False, kind="stable", na_position="last").head(max(int(n), 0))

    def cut(text: Any) -> str:
        flat = " ".join(str(text).split())
        return flat if len(flat) <= width else flat[: max(width - 1, 0)].rstrip() + "\u2026"

    def joined(reasons: Any) -> str:
        if reasons is None or isinstance(reasons, float):
            return ""
        if isinstance(reasons, str):
            return reasons
        return ", ".join(str(r) for r in reasons)

    def col(name: str, default: Any) -> pd.Series:
        if name in ranked.columns:
            return ranked[name].astype(object).where(ranked[name].notna(), default)
        return pd.Series([default] * len(ranked), index=ranked.index, dtype=object)

    out = pd.DataFrame({
        "id": _review_id_column(ranked),
        "index": col("index", None),
        "section": col("section", ""),
        "text": ranked["text"].map(cut),
        "probability": ranked["_p"].round(3),
        "kind": col("spoiler_kind", ""),
        "reasons": col("spoiler_reasons", None).map(joined),
    })
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return out


# --------------------------------------------------------------------------------------------
# Sentiment
# --------------------------------------------------------------------------------------------

def sentiment_by_section(sentences: pd.DataFrame, ax: Axes | None = None, *,
                         points: bool = True, seed: int = 0) -> Axes:
    """Sentence sentiment per section (summary, plot, opinion, info): box, points and mean.

    Shows why the review score weights the writer's opinion above the plot retelling: plot
    sentences carry the story's mood (murders read negative), opinion sentences the verdict.
    Boxes span the quartiles, the diamond is the mean; `points` overlays every sentence,
    jittered with a fixed `seed` so the figure is the same on every run.
    """
    require(sentences, ["section", "sentiment"], "sentiment_by_section", SENTENCES_HINT)
    frame = sentences[["section", "sentiment"]].dropna()
    labels = _ordered(frame["section"].unique(), SECTION_ORDER)
    ax = axes_or_new(ax)
    values = [frame.loc[frame["section"] == lab, "sentiment"].astype(float).to_numpy()
              for lab in labels]
    positions = np.arange(1, len(labels) + 1)
    if labels:
        boxes = ax.boxplot(values, positions=positions, widths=0.55, patch_artist=True,
                           showfliers=not points, medianprops={"color": "#1f2328"})
        for patch, lab in zip(boxes["boxes"], labels, strict=True):
            patch.set_facecolor(SECTION_COLOURS.get(lab, OTHER_COLOUR))
            patch.set_alpha(0.35)
        if points:
            rng = np.random.default_rng(seed)
            for x, vals, lab in zip(positions, values, labels, strict=True):
                jitter = rng.uniform(-0.18, 0.18, size=len(vals))
                ax.scatter(x + jitter, vals, s=10, alpha=0.55, linewidths=0,
                           color=SECTION_COLOURS.get(lab, OTHER_COLOUR))
        means = [float(v.mean()) for v in values]
        ax.scatter(positions, means, marker="D", s=45, color="white", edgecolors="#1f2328",
                   zorder=5, label="mean")
        for x, m in zip(positions, means, strict=True):
            ax.annotate(f"{m:+.2f}".replace("-", "\u2212"), (x, m), xytext=(9, 0),
                        textcoords="offset points", va="center", fontsize="small",
                        zorder=6, bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                        "ec": "none", "alpha": 0.8})
        ax.legend(loc="lower right", frameon=False)
        ax.set_xticks(positions, [f"{lab}\n(n={len(v)})" for lab, v in
                                  zip(labels, values, strict=True)])
    else:
        no_data(ax, "no sentences")
    ax.axhline(0.0, color=OTHER_COLOUR, linewidth=0.8, linestyle=":")
    ax.set_xlim(0.4, max(len(labels), 1) + 0.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_title("Sentence sentiment by section")
    ax.set_xlabel("Section")
    ax.set_ylabel("Sentence sentiment (\u22121 negative \u2026 +1 positive)")
    return ax


def overall_sentiment(reviews: pd.DataFrame, ax: Axes | None = None, *,
                      bins: int = 20) -> Axes:
    """Histogram of review sentiment scores, stacked by the review's sentiment label.

    Shows how the score maps to labels (where "mixed" and "neutral" sit between the poles) and
    how positive a corpus is. Needs the batch ``reviews`` frame (``sentiment_score``,
    ``sentiment_label``); for one result use ``pd.DataFrame([result.summary()])``.
    """
    require(reviews, ["sentiment_score", "sentiment_label"], "overall_sentiment", REVIEWS_HINT)
    frame = _scored(reviews)[["sentiment_score", "sentiment_label"]].dropna()
    ax = axes_or_new(ax)
    edges = np.linspace(-1.0, 1.0, bins + 1)
    labels = _ordered(frame["sentiment_label"].unique(), SENTIMENT_ORDER)
    if labels:
        data = [frame.loc[frame["sentiment_label"] == lab, "sentiment_score"].astype(float)
                .clip(-1.0, 1.0).to_numpy() for lab in labels]
        ax.hist(data, bins=edges, stacked=True, edgecolor="white",
                color=[SENTIMENT_COLOURS.get(lab, OTHER_COLOUR) for lab in labels],
                label=[f"{lab} ({len(d)})" for lab, d in zip(labels, data, strict=True)])
        ax.legend(loc="upper left", frameon=False, title="label")
    else:
        no_data(ax, "no scored reviews")
    ax.axvline(0.0, color=OTHER_COLOUR, linewidth=0.8, linestyle=":")
    ax.set_xlim(-1.0, 1.0)
    ax.set_ylim(bottom=0)
    _integer_axis(ax.yaxis)
    ax.set_title(f"Overall sentiment per review (n={len(frame)})")
    ax.set_xlabel("Review sentiment score (\u22121 negative \u2026 +1 positive)")
    ax.set_ylabel("Reviews")
    return ax
