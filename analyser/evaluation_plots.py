"""Plots and tables for evaluating the models on labelled examples.

The helpers (ROC and reliability curves, reliability tables, confusion counts, confident
errors) take the per-example ``predictions`` frame of
``analyser.training.evaluate.evaluate_task(task, files, predictions=True)`` (label 0/1,
probability in [0, 1], source, level, text) and use scikit-learn's metrics for the maths.
Plot helpers draw on ``ax`` when given or on a new figure, set a title and axis labels, and
return the ``Axes``; matplotlib and scikit-learn are imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .plot_base import OTHER_COLOUR, axes_or_new, no_data, pyplot, require

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "calibration_summary",
    "confident_errors",
    "confusion_by_source",
    "confusion_matrices",
    "metrics_table",
    "reliability_curve",
    "reliability_table",
    "roc_curves",
]

PREDICTIONS_HINT = ("the predictions frame of analyser.training.evaluate.evaluate_task(task, "
                    "files, predictions=True) (label 0/1, probability in [0, 1])")
METRIC_COLUMNS = ("n", "positive_rate", "roc_auc", "accuracy", "f1", "precision", "recall",
                  "brier")
ALL_LABEL = "all"
ALL_COLOUR = "#1f2328"


def _labels_probs(frame: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``label`` as 0/1 ints and ``probability`` as floats, checked."""
    require(frame, ["label", "probability"], what, PREDICTIONS_HINT)
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
    require(frame, [by], "grouping", f"a frame with a {by!r} column")
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
    ax = axes_or_new(ax, figsize=(5.5, 5.0))
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
        no_data(ax, "no group has both classes")
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
    ax = axes_or_new(ax, figsize=(5.5, 5.0))
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
        no_data(ax, "no predictions")
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
    fig, axes = pyplot().subplots(nrows, cols, figsize=(3.3 * cols, 3.1 * nrows),
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
        no_data(axes.flat[0], "no predictions")
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
    require(predictions, ["text"], "confident_errors", PREDICTIONS_HINT)
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
