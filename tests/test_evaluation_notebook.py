"""analyser.evaluation_plots helpers (ROC, reliability, confusion, confident errors) on small
synthetic predictions, and the saved model-evaluation notebook (checked, not executed: it needs
the corpora in ../shared/data and minutes of scoring)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

matplotlib = pytest.importorskip("matplotlib", reason="plots need matplotlib (dev extra)")
matplotlib.use("Agg")  # headless and deterministic, whatever the machine has

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analyser import evaluation_plots  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "model_evaluation.ipynb"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _predictions(rows: list[tuple[str, int, float]], level: str = "sentence") -> pd.DataFrame:
    """A predictions frame like evaluate_task(..., predictions=True): (source, label, p)."""
    return pd.DataFrame({
        "task": "test",
        "level": level,
        "source": [r[0] for r in rows],
        "text": [f"text {k} from {r[0]}" for k, r in enumerate(rows)],
        "label": [r[1] for r in rows],
        "probability": [r[2] for r in rows],
        "predicted": [int(r[2] >= 0.5) for r in rows],
    })


def _random_predictions(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + rng.uniform(0.0, 0.7, n), 0.0, 1.0)
    source = np.where(rng.uniform(size=n) < 0.6, "alpha", "beta")
    return _predictions(list(zip(source, y.tolist(), p.tolist(), strict=True)))


def _legend(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --- reliability --------------------------------------------------------------------------

def test_reliability_table_of_a_perfect_classifier():
    table = evaluation_plots.reliability_table([0, 0, 0, 1, 1], [0.0, 0.0, 0.0, 1.0, 1.0], bins=10)
    assert len(table) == 10
    assert table["n"].tolist() == [3, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    filled = table[table["n"] > 0]
    assert filled["mean_predicted"].tolist() == [0.0, 1.0]
    assert filled["observed_rate"].tolist() == [0.0, 1.0]
    assert filled["gap"].tolist() == [0.0, 0.0]
    assert table.loc[table["n"] == 0, ["mean_predicted", "observed_rate", "gap"]].isna().all().all()
    assert table.attrs["brier"] == 0.0
    assert table.attrs["ece"] == 0.0
    assert table["lower"].tolist() == pytest.approx(np.linspace(0.0, 0.9, 10))
    assert table["upper"].tolist() == pytest.approx(np.linspace(0.1, 1.0, 10))
    assert table.index[0] == "0.00\u20130.10" and table.index[-1] == "0.90\u20131.00"


def test_reliability_table_agrees_with_scikit_learn():
    frame = _random_predictions()
    y, p = frame["label"], frame["probability"]
    table = evaluation_plots.reliability_table(y, p, bins=10)
    assert table["n"].sum() == len(frame)
    rate, mean = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = table[table["n"] > 0]
    assert filled["observed_rate"].tolist() == pytest.approx(rate.tolist())
    assert filled["mean_predicted"].tolist() == pytest.approx(mean.tolist())
    assert table.attrs["brier"] == pytest.approx(brier_score_loss(y, p))
    gaps = (filled["observed_rate"] - filled["mean_predicted"]).abs()
    assert table.attrs["ece"] == pytest.approx((gaps * filled["n"]).sum() / len(frame))


def test_reliability_table_bins_are_closed_on_the_right():
    table = evaluation_plots.reliability_table([0, 1, 1, 0], [0.0, 0.1, 0.1000001, 1.0], bins=10)
    assert table["n"].tolist() == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]  # 0.1 counts in 0.0-0.1
    assert len(evaluation_plots.reliability_table([0, 1], [0.2, 0.7], bins=4)) == 4


def test_reliability_table_shows_over_confidence():
    # says 0.9 for everything, right half of the time: observed far below predicted
    table = evaluation_plots.reliability_table([1, 0] * 10, [0.9] * 20, bins=10)
    row = table[table["n"] > 0]
    assert row["n"].tolist() == [20]
    assert row["gap"].item() == pytest.approx(0.5 - 0.9)
    assert table.attrs["ece"] == pytest.approx(0.4)
    brier = evaluation_plots.reliability_table([1, 0], [0.5, 0.5]).attrs["brier"]
    assert brier == pytest.approx(0.25)


def test_reliability_table_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        evaluation_plots.reliability_table([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="length"):
        evaluation_plots.reliability_table([0, 1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="bins"):
        evaluation_plots.reliability_table([0, 1], [0.5, 0.5], bins=0)


def test_calibration_summary_per_source_and_all():
    frame = _random_predictions()
    summary = evaluation_plots.calibration_summary(frame)
    assert summary.index.tolist() == ["alpha", "beta", "all"]
    assert list(summary.columns) == ["n", "positive_rate", "mean_probability", "brier", "ece"]
    for name in ("alpha", "beta"):
        part = frame[frame["source"] == name]
        assert summary.loc[name, "n"] == len(part)
        assert summary.loc[name, "brier"] == pytest.approx(
            brier_score_loss(part["label"], part["probability"]))
    assert summary.loc["all", "n"] == len(frame)
    assert evaluation_plots.calibration_summary(frame, by=None).index.tolist() == ["all"]
    one_source = frame.assign(source="alpha")
    # one group is all rows: no duplicate "all" row
    assert evaluation_plots.calibration_summary(one_source).index.tolist() == ["alpha"]


def test_reliability_curve_draws_one_curve_per_group():
    frame = _random_predictions()
    ax = evaluation_plots.reliability_curve(frame, by="source")
    assert isinstance(ax, Axes)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    labels = _legend(ax)
    assert [lab.split(" ")[0] for lab in labels] == ["alpha", "beta", "all"]
    brier = brier_score_loss(frame["label"], frame["probability"])
    assert labels[-1] == f"all (n={len(frame)}): Brier {brier:.3f}"
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)
    ax.figure.canvas.draw()
    single = evaluation_plots.reliability_curve(frame)
    assert [lab.split(" ")[0] for lab in _legend(single)] == ["all"]


# --- ROC ----------------------------------------------------------------------------------

def test_roc_curves_per_source_with_auc_in_the_legend():
    frame = _random_predictions()
    ax = evaluation_plots.roc_curves(frame, by="source", title="Spoilers")
    assert ax.get_title() == "Spoilers"
    assert ax.get_xlabel() and ax.get_ylabel()
    labels = _legend(ax)
    assert len(labels) == 3
    for label, name in zip(labels, ["alpha", "beta", "all"], strict=True):
        part = frame if name == "all" else frame[frame["source"] == name]
        auc = roc_auc_score(part["label"], part["probability"])
        assert label == f"{name} (n={len(part)}): AUC {auc:.3f}"
    ax.figure.canvas.draw()


def test_roc_curves_of_a_perfect_classifier_and_a_one_class_source():
    frame = _predictions([("a", 0, 0.1), ("a", 0, 0.2), ("a", 1, 0.8), ("a", 1, 0.9),
                          ("solo", 0, 0.3), ("solo", 0, 0.6)])
    fig, ax = plt.subplots()
    drawn = evaluation_plots.roc_curves(frame, ax=ax)
    assert drawn is ax
    assert plt.get_fignums() == [fig.number]  # no stray figure
    labels = _legend(ax)
    assert labels[0] == "a (n=4): AUC 1.000"
    assert labels[1] == "solo (n=2): only label 0, no curve"
    assert labels[2].startswith("all (n=6): AUC ")
    curve = next(line for line in ax.lines if line.get_label().startswith("a "))
    xs, ys = curve.get_data()
    assert list(zip(xs, ys, strict=True)).count((0.0, 1.0)) == 1  # through the top-left corner
    only_a = evaluation_plots.roc_curves(frame[frame["source"] == "a"], title="one source")
    assert _legend(only_a) == ["a (n=4): AUC 1.000"]  # a single group is not repeated as "all"


def test_roc_curves_without_both_classes_says_so():
    ax = evaluation_plots.roc_curves(_predictions([("a", 1, 0.4), ("a", 1, 0.9)]))
    assert [t.get_text() for t in ax.texts] == ["no group has both classes"]


def test_evaluation_helpers_name_the_missing_columns():
    with pytest.raises(ValueError, match="probability"):
        evaluation_plots.roc_curves(pd.DataFrame({"label": [0, 1]}))
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        evaluation_plots.confusion_by_source(_predictions([("a", 2, 0.5)]))


# --- confusion ----------------------------------------------------------------------------

def test_confusion_by_source_counts():
    frame = _predictions([
        ("a", 1, 0.9), ("a", 1, 0.2), ("a", 0, 0.6), ("a", 0, 0.1), ("a", 0, 0.3),
        ("b", 1, 0.7), ("b", 1, 0.8), ("b", 0, 0.95),
    ])
    table = evaluation_plots.confusion_by_source(frame, 0.5)
    assert table.index.tolist() == ["a", "b", "all"]
    assert table.loc["a", ["tn", "fp", "fn", "tp"]].tolist() == [2, 1, 1, 1]
    assert table.loc["b", ["tn", "fp", "fn", "tp"]].tolist() == [0, 1, 0, 2]
    assert table.loc["all", ["tn", "fp", "fn", "tp"]].tolist() == [2, 2, 1, 3]
    assert table["n"].tolist() == [5, 3, 8]
    assert table.loc["a", "accuracy"] == pytest.approx(3 / 5)
    assert table.loc["b", "precision"] == pytest.approx(2 / 3)
    assert table.loc["b", "recall"] == 1.0
    assert table.attrs["threshold"] == 0.5


def test_confusion_by_source_uses_the_threshold_inclusively():
    frame = _predictions([("a", 1, 0.481), ("a", 0, 0.48), ("a", 0, 0.49)])
    at_flag = evaluation_plots.confusion_by_source(frame, 0.481)
    assert at_flag.loc["a", ["tn", "fp", "fn", "tp"]].tolist() == [1, 1, 0, 1]
    at_half = evaluation_plots.confusion_by_source(frame, 0.5)
    assert at_half.loc["a", ["tn", "fp", "fn", "tp"]].tolist() == [2, 0, 1, 0]
    assert np.isnan(at_half.loc["a", "precision"])  # no positive predictions: undefined


def test_confusion_by_source_single_class_group_and_no_grouping():
    frame = _predictions([("a", 0, 0.1), ("a", 0, 0.7), ("b", 1, 0.9)])
    table = evaluation_plots.confusion_by_source(frame, 0.5, overall=False)
    assert table.index.tolist() == ["a", "b"]
    assert table.loc["a", ["tn", "fp", "fn", "tp"]].tolist() == [1, 1, 0, 0]
    assert np.isnan(table.loc["a", "recall"])
    assert evaluation_plots.confusion_by_source(frame, 0.5, by=None).index.tolist() == ["all"]


def test_confusion_matrices_one_panel_per_source():
    frame = _predictions([("a", 1, 0.9), ("a", 0, 0.6), ("b", 0, 0.1), ("c", 1, 0.2)])
    fig = evaluation_plots.confusion_matrices(frame, 0.5, ncols=2, labels=("neg", "pos"))
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in visible] == ["a (n=2)", "b (n=1)", "c (n=1)"]
    assert len(fig.axes) == 4  # a 2x2 grid, the spare panel hidden
    cells = [t.get_text().split("\n")[0] for t in visible[0].texts]
    assert cells == ["0", "1", "0", "1"]  # tn, fp / fn, tp of source a
    assert [t.get_text() for t in visible[0].get_xticklabels()] == ["neg", "pos"]
    fig.canvas.draw()


# --- confident errors ---------------------------------------------------------------------

def test_confident_errors_are_errors_sorted_by_confidence():
    frame = _predictions([
        ("a", 0, 0.97),  # false positive, confidence 0.97
        ("a", 1, 0.99),  # right
        ("b", 1, 0.01),  # false negative, confidence 0.99
        ("b", 0, 0.60),  # false positive, 0.60
        ("a", 1, 0.30),  # false negative, 0.70
        ("a", 0, 0.05),  # right
        ("b", 0, 0.70),  # false positive, 0.70: tie with the row above, keeps input order
    ])
    errors = evaluation_plots.confident_errors(frame, n=20)
    assert list(errors.columns) == ["error", "label", "probability", "source", "level", "text"]
    assert errors.index.tolist() == [1, 2, 3, 4, 5]
    assert errors.index.name == "rank"
    assert errors["probability"].tolist() == [0.01, 0.97, 0.30, 0.70, 0.60]
    assert errors["error"].tolist() == ["false negative", "false positive", "false negative",
                                        "false positive", "false positive"]
    assert errors["label"].tolist() == [1, 0, 1, 0, 0]
    assert errors["source"].tolist() == ["b", "a", "a", "b", "b"]
    confidence = (errors["label"] - errors["probability"]).abs()
    assert confidence.is_monotonic_decreasing
    right = frame["label"] == (frame["probability"] >= 0.5).astype(int)
    assert not set(errors["text"]) & set(frame.loc[right, "text"])
    assert evaluation_plots.confident_errors(frame, n=2)["probability"].tolist() == [0.01, 0.97]


def test_confident_errors_follow_the_threshold_and_cut_text():
    frame = _predictions([("a", 0, 0.49), ("a", 1, 0.47), ("a", 1, 0.1)])
    frame.loc[2, "text"] = "word " * 100
    errors = evaluation_plots.confident_errors(frame, threshold=0.481, width=40)
    # 0.49 is a flag at 0.481 (a false positive, 0.49 on the wrong class); the false
    # negative at 0.47 gave the wrong class 0.53, so it ranks first
    assert errors["probability"].tolist() == [0.1, 0.47, 0.49]
    assert errors["text"].str.len().max() <= 40
    assert errors.loc[1, "text"].endswith("\u2026")
    at_half = evaluation_plots.confident_errors(frame, threshold=0.5)
    assert at_half["probability"].tolist() == [0.1, 0.47]


def test_confident_errors_of_a_perfect_model_is_empty():
    frame = _predictions([("a", 0, 0.1), ("a", 1, 0.9)])
    errors = evaluation_plots.confident_errors(frame)
    assert errors.empty
    assert list(errors.columns) == ["error", "label", "probability", "source", "level", "text"]


# --- metrics tables -----------------------------------------------------------------------

def test_metrics_table_orders_columns_and_keeps_rows():
    tables = {
        "analyser [a]": {"n": 10, "positive_rate": 0.5, "roc_auc": 0.9, "accuracy": 0.8,
                         "f1": 0.8, "precision": 0.75, "recall": 0.85, "brier": 0.12},
        "baseline majority [a]": {"n": 10, "positive_rate": 0.5, "roc_auc": None,
                                  "accuracy": 0.5, "recall": 1.0, "f1": 0.66,
                                  "precision": 0.5},
    }
    frame = evaluation_plots.metrics_table(tables)
    assert frame.index.tolist() == list(tables)
    assert list(frame.columns) == ["n", "positive_rate", "roc_auc", "accuracy", "f1",
                                   "precision", "recall", "brier"]
    assert frame["n"].tolist() == [10, 10]
    assert frame.loc["analyser [a]", "roc_auc"] == 0.9
    assert np.isnan(frame.loc["baseline majority [a]", "roc_auc"])
    assert np.isnan(frame.loc["baseline majority [a]", "brier"])


# --- the notebook -------------------------------------------------------------------------

def test_notebook_is_saved_executed_without_errors():
    """The notebook needs the corpora and minutes to run, so the suite only checks the saved
    file: valid JSON, executed top to bottom, no error outputs, figures and tables present."""
    raw = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert raw["nbformat"] == 4
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    assert code
    counts = [c.get("execution_count") for c in code]
    assert all(counts), "run the notebook top to bottom and save it with its outputs"
    assert counts == list(range(1, len(code) + 1))
    assert all(c["outputs"] for c in code[1:]), "every cell after the setup shows something"
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]  # no warnings saved either
    assert sum(bool(o.get("data", {}).get("image/png")) for o in outputs) >= 5
    assert sum(bool(o.get("data", {}).get("text/html")) for o in outputs) >= 10  # DataFrames
    assert not [c for c in code if "execution" in c.get("metadata", {})]  # record_timing=False
    source = "\n".join("".join(c["source"]) for c in code)
    assert "evaluate_task(" in source  # through the public evaluation API
    # corpus text stays out of the repository (as in explore_reviews.ipynb)
    assert "QUOTE_CORPUS_TEXT = False" in source

    nbformat = pytest.importorskip("nbformat", reason="validating the notebook needs nbformat")
    nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
