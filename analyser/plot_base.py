"""Plumbing shared by the plot modules (:mod:`analyser.plots`, :mod:`analyser.evaluation_plots`).

Plot helpers draw on ``ax`` when given (so they compose into subplots) or on a new figure.
matplotlib is imported inside the functions, never at module level: ``import analyser`` (the
CLI, batch workers) must stay light, and only people who plot need matplotlib installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

OTHER_COLOUR = "#5c6370"
FIGSIZE = (7.0, 4.0)


def pyplot() -> Any:
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


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """`ax` itself, or the axes of a new figure (created through pyplot so notebooks show it)."""
    if ax is not None:
        return ax
    _, new_ax = pyplot().subplots(figsize=figsize, layout="constrained")
    return new_ax


def require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    """Fail early, naming the missing columns and where a suitable frame comes from."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}: pass {hint}")


def no_data(ax: Axes, message: str) -> None:
    """Say so on the plot instead of leaving an empty frame that looks like a bug."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            color=OTHER_COLOUR, fontsize="medium")
