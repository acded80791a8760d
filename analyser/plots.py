"""Plots and tables for exploring analyser results in a notebook.

Every helper takes the DataFrames the analyser already produces, so exploring needs no glue
code: ``reviews, sentences = analyser.batch.score_folder(...)`` (one row per review / per
sentence) or ``ReviewAnalysis.to_frame()`` (the sentences of one review). Plot helpers draw on
``ax`` when given (so they compose into subplots) or on a new figure, always set a title, axis
labels and fixed limits (so plots of different corpora compare at a glance), and return the
``Axes`` for further styling.

The evaluation helpers (ROC and reliability curves, reliability tables, confusion counts,
confident errors) take the per-example ``predictions`` frame of
``analyser.training.evaluate.evaluate_task(task, files, predictions=True)`` (label 0/1,
probability in [0, 1], source, level, text) and use scikit-learn's metrics for the maths.

matplotlib is imported inside the functions, never at module level: ``import analyser`` (the
CLI, batch workers) must stay light, and only people who plot need matplotlib installed.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only
    from IPython.display import HTML
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import ReviewAnalysis

__all__ = [
    "calibration_summary",
    "confident_errors",
    "confusion_by_source",
    "confusion_matrices",
    "metrics_table",
    "overall_sentiment",
    "reliability_curve",
    "reliability_table",
    "review_iframe",
    "roc_curves",
    "sentence_positions",
    "sentiment_by_section",
    "show_review",
    "spoiler_positions",
    "spoiler_share_hist",
    "top_spoilers",
]

SECTION_ORDER = ("summary", "plot", "opinion", "info")
SENTIMENT_ORDER = ("positive", "mixed", "neutral", "negative")
# The colours of the HTML report (report.py), so a notebook and a report page read alike.
SECTION_COLOURS = {"summary": "#0f766e", "plot": "#9333ea", "opinion": "#15803d",
                   "info": "#1d4ed8"}
SENTIMENT_COLOURS = {"positive": "#2f9e44", "mixed": "#e8890c", "neutral": "#868e96",
                     "negative": "#d6336c"}
SPOILER_COLOURS = {"explicit": "#c92a2a", "hint": "#e8890c"}
OTHER_COLOUR = "#5c6370"
FIGSIZE = (7.0, 4.0)


# --------------------------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------------------------

def _pyplot() -> Any:
    """Import pyplot, choosing the Agg backend on a machine without a display.

    Only when nobody has chosen yet: an explicit ``MPLBACKEND`` (Jupyter's kernel sets the
    inline backend this way) or an already imported pyplot is respected, so notebooks still
    show figures inline and desktop users keep their GUI backend.
    """
    import matplotlib

    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """`ax` itself, or the axes of a new figure (created through pyplot so notebooks show it)."""
    if ax is not None:
        return ax
    _, new_ax = _pyplot().subplots(figsize=figsize, layout="constrained")
    return new_ax


SENTENCES_HINT = ("the sentences frame of analyser.batch.score_folder() or "
                  "ReviewAnalysis.to_frame()")
REVIEWS_HINT = ("the reviews frame of analyser.batch.score_folder() or "
                "pd.DataFrame([result.summary()])")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    """Fail early, naming the missing columns and where a suitable frame comes from."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}: pass {hint}")


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


def _no_data(ax: Axes, message: str) -> None:
    """Say so on the plot instead of leaving an empty frame that looks like a bug."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            color=OTHER_COLOUR, fontsize="medium")


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
    _require(sentences, ["index"], "sentence_positions", SENTENCES_HINT)
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
        _require(reviews, ["spoiler_flag"], "spoiler_share_hist",
                 f"{REVIEWS_HINT} (spoiler_share), or {SENTENCES_HINT}")
        flags = _flags(reviews)
        keys = _review_keys(reviews)
        share = flags.groupby([reviews[k] for k in keys], dropna=False).mean() if keys \
            else pd.Series([flags.mean()] if len(flags) else [], dtype=float)
    ax = _axes(ax)
    edges = np.linspace(0.0, 1.0, bins + 1)
    if len(share):
        ax.hist(share.clip(0.0, 1.0), bins=edges, color=SPOILER_COLOURS["explicit"],
                alpha=0.8, edgecolor="white", label="reviews")
        mean = float(share.mean())
        ax.axvline(mean, color="#1f2328", linestyle="--", linewidth=1.2,
                   label=f"mean {mean:.0%}")
        ax.legend(loc="upper right", frameon=False)
    else:
        _no_data(ax, "no scored reviews")
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
    _require(sentences, ["spoiler_flag"], "spoiler_positions", SENTENCES_HINT)
    pos = sentence_positions(sentences)
    flags = _flags(sentences)
    ax = _axes(ax)
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
        _no_data(ax, "no spoiler sentences flagged")
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
    _require(sentences, ["text", "spoiler_probability"], "top_spoilers", SENTENCES_HINT)
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
    _require(sentences, ["section", "sentiment"], "sentiment_by_section", SENTENCES_HINT)
    frame = sentences[["section", "sentiment"]].dropna()
    labels = _ordered(frame["section"].unique(), SECTION_ORDER)
    ax = _axes(ax)
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
        _no_data(ax, "no sentences")
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
    _require(reviews, ["sentiment_score", "sentiment_label"], "overall_sentiment", REVIEWS_HINT)
    frame = _scored(reviews)[["sentiment_score", "sentiment_label"]].dropna()
    ax = _axes(ax)
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
        _no_data(ax, "no scored reviews")
    ax.axvline(0.0, color=OTHER_COLOUR, linewidth=0.8, linestyle=":")
    ax.set_xlim(-1.0, 1.0)
    ax.set_ylim(bottom=0)
    _integer_axis(ax.yaxis)
    ax.set_title(f"Overall sentiment per review (n={len(frame)})")
    ax.set_xlabel("Review sentiment score (\u22121 negative \u2026 +1 positive)")
    ax.set_ylabel("Reviews")
    return ax


# --------------------------------------------------------------------------------------------
# One review
# --------------------------------------------------------------------------------------------

def review_iframe(result: ReviewAnalysis, *, height: int = 600, title: str | None = None) -> str:
    """The review's HTML report page (``report.render_html``) inside a sandboxed iframe.

    The page is a complete document with its own strict Content-Security-Policy and inline
    script; pasted into a notebook it would fight the notebook's page (styles leaking, a second
    ``<html>``, the CSP meta ignored). As ``srcdoc`` it stays a document of its own: its CSP
    applies, ``sandbox="allow-scripts"`` lets the reveal script run but gives the frame an
    opaque origin, so it cannot touch the notebook. The attribute value is the page escaped
    with ``html.escape(quote=True)``, which the browser decodes back to the exact page.
    """
    from .report import render_html

    page = render_html(result, title=title)
    label = title or result.source or "Review"
    return (
        '<div class="review-analyser-review">'
        f'<iframe title="{html.escape(f"Analysed review: {label}", quote=True)}" '
        f'sandbox="allow-scripts" referrerpolicy="no-referrer" '
        f'width="100%" height="{int(height)}" '
        f'style="width:100%;border:1px solid #d9d6cf;border-radius:6px" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe></div>'
    )


def show_review(result: ReviewAnalysis, *, height: int = 600,
                title: str | None = None) -> HTML | str:
    """One analysed review for a notebook: sections labelled, spoilers highlighted and hidden
    until clicked (the same page as ``analyser annotate --format html``).

    Returns ``IPython.display.HTML`` (Jupyter renders it) when IPython is installed, otherwise
    the iframe markup as a string (see :func:`review_iframe`). The iframe is wrapped in a
    ``<div>``: IPython warns about bare ``<iframe>`` markup and suggests its ``IFrame``, which
    can only load a URL, not an inline page.
    """
    markup = review_iframe(result, height=height, title=title)
    try:
        from IPython.display import HTML
    except ImportError:
        return markup
    return HTML(markup)


# --------------------------------------------------------------------------------------------
# Model evaluation (the predictions frame of evaluate_task(..., predictions=True))
# --------------------------------------------------------------------------------------------

PREDICTIONS_HINT = ("the predictions frame of analyser.training.evaluate.evaluate_task(task, "
                    "files, predictions=True) (label 0/1, probability in [0, 1])")
METRIC_COLUMNS = ("n", "positive_rate", "roc_auc", "accuracy", "f1", "precision", "recall",
                  "brier")
ALL_LABEL = "all"
ALL_COLOUR = "#1f2328"


def _labels_probs(frame: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``label`` as 0/1 ints and ``probability`` as floats, checked."""
    _require(frame, ["label", "probability"], what, PREDICTIONS_HINT)
    y = frame["label"].to_numpy(dtype=int)
    p = frame["probability"].to_numpy(dtype=float)
    if len(p) and (np.isnan(p).any() or p.min() < 0.0 or p.max() > 1.0):
        raise ValueError(f"{what}: probability must be in [0, 1] (no NaN)")
    if len(y) and not set(np.unique(y)) <= {0, 1}:
        raise ValueError(f"{what}: label must be 0 or 1")
    return y, p


def _groups(frame: pd.DataFrame, by: str | None, overall: bool) -> list[tuple[str, pd.DataFrame]]:
    """(name, rows) per value of `by` in sorted order, then all rows as ``"all"`` when asked
    for and there is more than one group (one group *is* all rows)."""
    if by is None:
        return [(ALL_LABEL, frame)]
    _require(frame, [by], "grouping", f"a frame with a {by!r} column")
    groups = [(str(k), g) for k, g in frame.groupby(by, sort=True, dropna=False)]
    if overall and len(groups) != 1:
        groups.append((ALL_LABEL, frame))
    return groups


def _group_style(name: str, k: int) -> dict[str, Any]:
    if name == ALL_LABEL:
        return {"color": ALL_COLOUR, "linewidth": 2.2, "zorder": 4}
    return {"color": f"C{k % 10}", "linewidth": 1.5, "zorder": 3}


def _unit_square(ax: Axes) -> None:
    ax.plot([0.0, 1.0], [0.0, 1.0], color=OTHER_COLOUR, linestyle=":", linewidth=1.0)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_aspect("equal")


def metrics_table(tables: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """``evaluate_task(...)["tables"]`` as a DataFrame: one row per model/source row, the
    metric columns in a fixed order (n, positive_rate, roc_auc, accuracy, f1, precision,
    recall, brier; missing or undefined values as NaN, extra keys after them)."""
    frame = pd.DataFrame.from_dict(tables, orient="index")
    extra = [c for c in frame.columns if c not in METRIC_COLUMNS]
    frame = frame.reindex(columns=[*METRIC_COLUMNS, *extra])
    for col in frame.columns:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    if "n" in frame:
        frame["n"] = frame["n"].astype("Int64")
    frame.index.name = "row"
    return frame


def roc_curves(predictions: pd.DataFrame, by: str | None = "source", ax: Axes | None = None,
               *, overall: bool = True, title: str | None = None) -> Axes:
    """ROC curve (scikit-learn ``roc_curve``) per value of `by`, plus all rows together.

    The legend gives each curve's ROC-AUC and size. A group with only one class has no ROC
    curve; it is listed in the legend as such instead of silently dropped. `by` None draws one
    curve for all rows; with a single group there is no separate "all" curve.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    _labels_probs(predictions, "roc_curves")
    ax = _axes(ax, figsize=(5.5, 5.0))
    drawn = 0
    for k, (name, rows) in enumerate(_groups(predictions, by, overall)):
        y, p = _labels_probs(rows, "roc_curves")
        if len(np.unique(y)) < 2:
            what = "no rows" if not len(y) else f"only label {int(y[0])}"
            ax.plot([], [], " ", label=f"{name} (n={len(y)}): {what}, no curve")
            continue
        fpr, tpr, _ = roc_curve(y, p)
        auc = roc_auc_score(y, p)
        ax.plot(fpr, tpr, label=f"{name} (n={len(y)}): AUC {auc:.3f}",
                **_group_style(name, k))
        drawn += 1
    if not drawn:
        _no_data(ax, "no group has both classes")
    _unit_square(ax)
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    ax.set_title(title or "ROC curves")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    return ax


def _bin_ids(p: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform bin edges on [0, 1] and each probability's bin, assigned exactly as scikit-learn's
    ``calibration_curve(strategy="uniform")`` does (bins closed on the right, 0 in the first)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return edges, np.searchsorted(edges[1:-1], p)


def reliability_table(y: Any, p: Any, bins: int = 10) -> pd.DataFrame:
    """Calibration in `bins` equal-width probability bins: one row per bin, empty bins included.

    Columns: ``lower``/``upper`` (bin edges), ``n``, ``mean_predicted`` and ``observed_rate``
    (the share of positives; both from scikit-learn's ``calibration_curve``, NaN for an empty
    bin), ``gap`` = observed - predicted (positive: the model is under-confident in that bin).
    ``attrs`` holds the ``brier`` score (``brier_score_loss``) and ``ece``, the expected
    calibration error (the n-weighted mean of ``|gap|``).
    """
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    if bins < 1:
        raise ValueError("reliability_table: bins must be at least 1")
    if len(y) != len(p):
        raise ValueError("reliability_table: y and p differ in length")
    if len(p) and (np.isnan(p).any() or p.min() < 0.0 or p.max() > 1.0):
        raise ValueError("reliability_table: probabilities must be in [0, 1] (no NaN)")
    edges, ids = _bin_ids(p, bins)
    counts = np.bincount(ids, minlength=bins)
    observed = np.full(bins, np.nan)
    predicted = np.full(bins, np.nan)
    if len(p):
        rate, mean = calibration_curve(y, p, n_bins=bins, strategy="uniform")
        observed[counts > 0] = rate
        predicted[counts > 0] = mean
    table = pd.DataFrame({
        "lower": edges[:-1], "upper": edges[1:], "n": counts,
        "mean_predicted": predicted, "observed_rate": observed,
        "gap": observed - predicted,
    })
    table.index = pd.Index([f"{lo:.2f}\u2013{hi:.2f}" for lo, hi in zip(edges[:-1], edges[1:],
                                                                         strict=True)],
                           name="bin")
    filled = counts > 0
    table.attrs["brier"] = float(brier_score_loss(y, p)) if len(p) else float("nan")
    table.attrs["ece"] = (float(np.sum(counts[filled] * np.abs(table["gap"].to_numpy()[filled]))
                                / counts.sum()) if len(p) else float("nan"))
    return table


def calibration_summary(predictions: pd.DataFrame, by: str | None = "source", *,
                        bins: int = 10, overall: bool = True) -> pd.DataFrame:
    """Per group of `by` (and all rows): n, positive rate, mean predicted probability, Brier
    score and expected calibration error over `bins` equal-width bins (see
    :func:`reliability_table`)."""
    _labels_probs(predictions, "calibration_summary")
    rows = {}
    for name, group in _groups(predictions, by, overall):
        y, p = _labels_probs(group, "calibration_summary")
        table = reliability_table(y, p, bins=bins)
        rows[name] = {"n": len(y), "positive_rate": float(y.mean()) if len(y) else np.nan,
                      "mean_probability": float(p.mean()) if len(p) else np.nan,
                      "brier": table.attrs["brier"], "ece": table.attrs["ece"]}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by or "rows"
    return out


def reliability_curve(predictions: pd.DataFrame, by: str | None = None, ax: Axes | None = None,
                      *, bins: int = 10, overall: bool = True, title: str | None = None) -> Axes:
    """Reliability diagram: the observed share of positives against the mean predicted
    probability in `bins` equal-width bins (scikit-learn ``calibration_curve``), one curve per
    group of `by` (plus all rows), Brier score in the legend. Points on the dotted diagonal are
    perfectly calibrated; below it the model is over-confident about positives."""
    _labels_probs(predictions, "reliability_curve")
    ax = _axes(ax, figsize=(5.5, 5.0))
    groups = _groups(predictions, by, overall)
    for k, (name, rows) in enumerate(groups):
        y, p = _labels_probs(rows, "reliability_curve")
        if not len(y):
            continue
        table = reliability_table(y, p, bins=bins)
        filled = table[table["n"] > 0]
        ax.plot(filled["mean_predicted"], filled["observed_rate"], marker="o", markersize=4,
                label=f"{name} (n={len(y)}): Brier {table.attrs['brier']:.3f}",
                **_group_style(name, k))
    if not len(predictions):
        _no_data(ax, "no predictions")
    _unit_square(ax)
    if len(predictions):
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    ax.set_title(title or f"Reliability ({bins} bins)")
    ax.set_xlabel("Mean predicted probability in the bin")
    ax.set_ylabel("Observed share of positives")
    return ax


def confusion_by_source(predictions: pd.DataFrame, threshold: float = 0.5, *,
                        by: str | None = "source", overall: bool = True) -> pd.DataFrame:
    """Confusion counts per group of `by` (and all rows), predicting positive when
    ``probability >= threshold``: columns tn, fp, fn, tp (scikit-learn ``confusion_matrix``),
    n, accuracy, precision and recall (NaN when undefined)."""
    from sklearn.metrics import confusion_matrix

    _labels_probs(predictions, "confusion_by_source")
    rows = {}
    for name, group in _groups(predictions, by, overall):
        y, p = _labels_probs(group, "confusion_by_source")
        pred = (p >= threshold).astype(int)
        tn, fp, fn, tp = (int(v) for v in confusion_matrix(y, pred, labels=[0, 1]).ravel())
        n = tn + fp + fn + tp
        rows[name] = {"tn": tn, "fp": fp, "fn": fn, "tp": tp, "n": n,
                      "accuracy": (tn + tp) / n if n else np.nan,
                      "precision": tp / (tp + fp) if tp + fp else np.nan,
                      "recall": tp / (tp + fn) if tp + fn else np.nan}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by or "rows"
    out.attrs["threshold"] = float(threshold)
    return out


def confusion_matrices(predictions: pd.DataFrame, threshold: float = 0.5, *,
                       by: str | None = "source", overall: bool = False,
                       labels: tuple[str, str] = ("negative", "positive"),
                       ncols: int = 3) -> Figure:
    """One 2\u00d72 confusion matrix per group of `by` (counts and the share of the row's true
    class), side by side; returns the ``Figure``. Rows are the true class, columns the
    prediction (``probability >= threshold``)."""
    counts = confusion_by_source(predictions, threshold, by=by, overall=overall)
    n = max(len(counts), 1)
    cols = min(n, ncols)
    nrows = -(-n // cols)
    fig, axes = _pyplot().subplots(nrows, cols, figsize=(3.3 * cols, 3.1 * nrows),
                                   layout="constrained", squeeze=False)
    for ax, (name, row) in zip(axes.flat, counts.iterrows(), strict=False):
        matrix = np.array([[row["tn"], row["fp"]], [row["fn"], row["tp"]]], dtype=float)
        share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
        for i in range(2):
            for j in range(2):
                ax.text(j, i, f"{int(matrix[i, j])}\n{share[i, j]:.0%}", ha="center",
                        va="center", color="white" if share[i, j] > 0.6 else ALL_COLOUR)
        ax.set_xticks([0, 1], labels)
        ax.set_yticks([0, 1], labels)
        ax.set_title(f"{name} (n={int(row['n'])})", fontsize="medium")
        ax.set_xlabel("Predicted")
        ax.set_ylabel("True")
    for ax in list(axes.flat)[len(counts):]:
        ax.axis("off")
    if not len(counts):
        _no_data(axes.flat[0], "no predictions")
    fig.suptitle(f"Confusion matrices (positive when probability \u2265 {threshold:g})")
    return fig


def confident_errors(predictions: pd.DataFrame, n: int = 20, *, threshold: float = 0.5,
                     width: int = 200) -> pd.DataFrame:
    """The `n` wrong predictions (``probability >= threshold`` disagrees with ``label``) the
    model was surest about: false positives with the highest probability and false negatives
    with the lowest, ranked by the probability given to the wrong class (``|label -
    probability|``). Columns: error (false positive/negative), label, probability, source,
    level (when present), text (whitespace collapsed, cut to `width` characters); ranked from
    1, ties in input order."""
    y, p = _labels_probs(predictions, "confident_errors")
    _require(predictions, ["text"], "confident_errors", PREDICTIONS_HINT)
    wrong = (p >= threshold).astype(int) != y
    frame = predictions.loc[wrong].assign(_conf=np.abs(y[wrong] - p[wrong]))
    frame = frame.sort_values("_conf", ascending=False, kind="stable").head(max(int(n), 0))

    def cut(text: Any) -> str:
        flat = " ".join(str(text).split())
        return flat if len(flat) <= width else flat[: max(width - 1, 0)].rstrip() + "\u2026"

    out = pd.DataFrame({
        "error": np.where(frame["label"].to_numpy(dtype=int) == 1, "false negative",
                          "false positive"),
        "label": frame["label"].to_numpy(dtype=int),
        "probability": frame["probability"].to_numpy(dtype=float).round(3),
        "source": (frame["source"].to_numpy(dtype=object) if "source" in frame.columns
                   else np.full(len(frame), "", dtype=object)),
    })
    if "level" in frame.columns:
        out["level"] = frame["level"].to_numpy(dtype=object)
    out["text"] = frame["text"].map(cut).to_numpy(dtype=object)
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return out
