"""analyser.plots: every helper on real batch output and on small hand-built frames, and the
exploration notebook executed top to bottom."""

from __future__ import annotations

import html
import importlib.util
import re
import time
from pathlib import Path

import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="plots need matplotlib (dev extra)")
matplotlib.use("Agg")  # headless and deterministic, whatever the machine has

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from analyser import notebook_html, plots  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
NOTEBOOK = REPO / "notebooks" / "explore_reviews.ipynb"


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, pd.DataFrame]:
    from analyser.batch import score_folder

    return score_folder(EXAMPLES)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sentences(rows: list[tuple[str, int, bool]], **extra) -> pd.DataFrame:
    """A minimal sentence frame: (review id, index, flagged) per row."""
    frame = pd.DataFrame({
        "id": [r[0] for r in rows],
        "index": [r[1] for r in rows],
        "text": [f"sentence {r[1]} of {r[0]}" for r in rows],
        "section": ["plot" if r[2] else "opinion" for r in rows],
        "spoiler_probability": [0.9 if r[2] else 0.1 for r in rows],
        "spoiler_flag": [r[2] for r in rows],
        "spoiler_kind": ["explicit" if r[2] else None for r in rows],
        "spoiler_reasons": [["dies"] if r[2] else [] for r in rows],
        "sentiment": [-0.5 if r[2] else 0.5 for r in rows],
    })
    return frame.assign(**extra)


def _bars(ax: Axes) -> list[float]:
    """Heights of the histogram bars (not the outline or the legend)."""
    return [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]


def _assert_plot(ax: Axes) -> None:
    """A finished plot: titled, both axes labelled, and something drawn."""
    assert isinstance(ax, Axes)
    assert ax.get_title().strip()
    assert ax.get_xlabel().strip()
    assert ax.get_ylabel().strip()
    assert ax.patches or ax.lines or ax.collections
    ax.figure.canvas.draw()  # layout and tick formatting must not fail either


# --- the plots on real batch output ---------------------------------------------------------

def test_spoiler_share_hist(scored):
    reviews, _ = scored
    ax = plots.spoiler_share_hist(reviews)
    _assert_plot(ax)
    assert ax.get_xlim() == (0.0, 1.0)
    assert sum(_bars(ax)) == len(reviews)  # every review in a bin
    assert "n=5" in ax.get_title()


def test_spoiler_share_hist_from_sentences_and_skips_failed_reviews(scored):
    reviews, sentences = scored
    by_sentences = plots.spoiler_share_hist(sentences)
    _assert_plot(by_sentences)
    assert sum(_bars(by_sentences)) == reviews["id"].nunique()
    failed = pd.concat([reviews, pd.DataFrame([{"id": "bad.txt", "error": "empty input"}])])
    ax = plots.spoiler_share_hist(failed)
    assert sum(_bars(ax)) == len(reviews)


def test_spoiler_positions(scored):
    _, sentences = scored
    assert "position" not in sentences.columns  # batch output: computed by the plot
    ax = plots.spoiler_positions(sentences)
    _assert_plot(ax)
    assert ax.get_xlim() == (0.0, 1.0)
    assert sum(_bars(ax)) == pytest.approx(1.0)  # spoiler bars are shares of all spoiler sentences
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("all sentences") for lab in labels)


def test_spoiler_positions_matches_to_frame(analyser):
    result = analyser.analyse_file(EXAMPLES / "blog_post_with_chrome.txt")
    frame = result.to_frame()
    computed = plots.sentence_positions(frame.drop(columns="position"))
    assert computed.tolist() == pytest.approx(frame["position"].tolist())
    _assert_plot(plots.spoiler_positions(frame))
    _assert_plot(plots.sentiment_by_section(frame))
    assert len(plots.top_spoilers(frame, n=3)) == 3


def test_sentiment_by_section(scored):
    _, sentences = scored
    ax = plots.sentiment_by_section(sentences)
    _assert_plot(ax)
    assert ax.get_ylim() == (-1.05, 1.05)
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    present = set(sentences["section"])
    assert ticks == [s for s in ("summary", "plot", "opinion", "info") if s in present]
    assert "mean" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_overall_sentiment(scored):
    reviews, _ = scored
    ax = plots.overall_sentiment(reviews)
    _assert_plot(ax)
    assert ax.get_xlim() == (-1.0, 1.0)
    assert sum(_bars(ax)) == len(reviews)
    labels = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    for label in set(reviews["sentiment_label"]):
        assert label in labels


def test_plots_draw_on_a_given_axes(scored):
    reviews, sentences = scored
    fig, axes = plt.subplots(2, 2)
    drawn = [
        plots.spoiler_share_hist(reviews, ax=axes[0, 0]),
        plots.spoiler_positions(sentences, ax=axes[0, 1]),
        plots.sentiment_by_section(sentences, ax=axes[1, 0]),
        plots.overall_sentiment(reviews, ax=axes[1, 1]),
    ]
    assert drawn == list(axes.flat)
    assert plt.get_fignums() == [fig.number]  # no stray figures


def test_wrong_frame_is_a_clear_error(scored):
    _, sentences = scored
    with pytest.raises(ValueError, match="sentiment_score"):
        plots.overall_sentiment(sentences)
    with pytest.raises(ValueError, match="spoiler_flag"):
        plots.spoiler_positions(pd.DataFrame({"index": [0]}))


# --- hand-built frames ---------------------------------------------------------------------

def test_positions_without_position_column_and_single_sentence_review():
    frame = _sentences([("a", 0, False), ("a", 1, True), ("a", 2, False), ("a", 3, False),
                        ("a", 4, True), ("solo", 0, True)])
    pos = plots.sentence_positions(frame)
    assert pos.tolist() == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0, 0.0])
    ax = plots.spoiler_positions(frame, bins=2)
    _assert_plot(ax)
    # solo (0.0) and a:1 (0.25) in the first half, a:4 (1.0) in the second
    assert _bars(ax) == pytest.approx([2 / 3, 1 / 3])


def test_positions_of_a_filtered_frame_are_not_inflated():
    flagged_only = _sentences([("a", 9, True)])  # sentence 9 of a review of at least 10
    assert plots.sentence_positions(flagged_only).tolist() == [1.0]


def test_positions_with_no_spoilers_and_empty_frames():
    calm = _sentences([("a", 0, False), ("a", 1, False)])
    ax = plots.spoiler_positions(calm)
    _assert_plot(ax)
    assert "0 spoiler sentences" in ax.get_title()
    empty = _sentences([])
    ax = plots.spoiler_positions(empty)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.texts] == ["no spoiler sentences flagged"]
    ax = plots.sentiment_by_section(empty)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.texts] == ["no sentences"]


def test_single_review_frames():
    reviews = pd.DataFrame([{"spoiler_share": 0.25, "sentiment_score": -0.4,
                             "sentiment_label": "negative", "error": None}])
    _assert_plot(plots.spoiler_share_hist(reviews))
    ax = plots.overall_sentiment(reviews)
    _assert_plot(ax)
    assert sum(_bars(ax)) == 1


def test_top_spoilers_sorts_and_respects_n():
    frame = _sentences([("a", i, i % 2 == 0) for i in range(8)])
    frame["spoiler_probability"] = [0.2, 0.95, 0.5, 0.7, 0.1, 0.95, 0.3, 0.6]
    frame.loc[0, "text"] = "word " * 60
    top = plots.top_spoilers(frame, n=3)
    assert list(top.columns) == ["id", "index", "section", "text", "probability", "kind",
                                 "reasons"]
    assert len(top) == 3 and list(top.index) == [1, 2, 3]
    assert top["probability"].tolist() == [0.95, 0.95, 0.7]
    assert top["index"].tolist() == [1, 5, 3]  # ties keep the input order
    assert len(plots.top_spoilers(frame, n=100)) == len(frame)
    assert plots.top_spoilers(frame, n=0).empty
    everything = plots.top_spoilers(frame, n=8, width=30)
    assert everything["text"].str.len().max() <= 30
    assert everything.loc[everything["index"] == 0, "text"].item().endswith("\u2026")
    flagged = plots.top_spoilers(frame, n=8, flagged_only=True)
    assert set(flagged["index"]) == {0, 2, 4, 6}


def test_top_spoilers_on_batch_output(scored):
    _, sentences = scored
    top = plots.top_spoilers(sentences, n=5)
    assert len(top) == 5
    assert top["probability"].is_monotonic_decreasing
    assert top["probability"].iloc[0] == pytest.approx(sentences["spoiler_probability"].max(),
                                                       abs=1e-3)
    assert top["reasons"].map(lambda r: isinstance(r, str)).all()
    flagged = top[top["kind"].isin(["explicit", "hint"])]
    assert len(flagged) and (flagged["reasons"] != "").all()  # a flag always says why
    assert set(top["id"]) <= set(sentences["id"])


# --- one review in a notebook ---------------------------------------------------------------

def test_show_review_embeds_the_escaped_page(analyser):
    from analyser.report import render_html

    nasty = ('The Plot: "><script>alert(1)</script> & the <b>butler</b> did it. '
             "In the end Hiro dies and it turns out he was dead all along.\n\n"
             "The Verdict: I loved it.")
    result = analyser.analyse(nasty)
    shown = notebook_html.show_review(result)
    markup = getattr(shown, "data", shown)
    assert isinstance(markup, str)
    if importlib.util.find_spec("IPython") is not None:
        from IPython.display import HTML

        assert isinstance(shown, HTML)
    match = re.fullmatch(r'<div[^>]*><iframe ([^>]*?) srcdoc="([^"]*)"></iframe></div>', markup)
    assert match, markup[:300]
    attrs, srcdoc = match.groups()
    assert 'sandbox="allow-scripts"' in attrs  # scripts run, but in an opaque origin
    assert "allow-same-origin" not in attrs
    assert "<" not in srcdoc and ">" not in srcdoc and "'" not in srcdoc
    assert html.unescape(srcdoc) == render_html(result)  # the exact page, decoded by browsers
    assert "<script>alert(1)" not in markup
    assert "Content-Security-Policy" in html.unescape(srcdoc)


def test_show_review_without_ipython(analyser, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ipython(name, *args, **kwargs):
        if name.startswith("IPython"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipython)
    shown = notebook_html.show_review(analyser.analyse("A quiet film. I liked it."), height=300)
    assert isinstance(shown, str)
    assert shown.startswith("<div") and "<iframe " in shown and 'height="300"' in shown


def test_plots_still_offers_the_helpers_the_readme_names():
    """The README shows ``plots.show_review`` and names the evaluation helpers as
    ``analyser.plots.*``; they live in their own modules and stay importable from plots."""
    from analyser import evaluation_plots

    for module in (evaluation_plots, notebook_html):
        for name in module.__all__:
            assert name in plots.__all__
            assert getattr(plots, name) is getattr(module, name)


# --- the notebook ---------------------------------------------------------------------------

def test_notebook_is_saved_with_outputs():
    """The notebook is read on GitHub: it must be committed executed, without errors."""
    nbformat = pytest.importorskip("nbformat", reason="reading the notebook needs nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.execution_count for c in code), "run the notebook top to bottom and save it"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any(o.get("data", {}).get("image/png") for c in code for o in c.outputs)


def test_notebook_executes(tmp_path):
    """Run the notebook on a copy (the saved file is never touched) with the repo's
    notebooks/ folder as working directory, as Jupyter would."""
    nbformat = pytest.importorskip("nbformat", reason="executing the notebook needs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="executing the notebook needs nbclient")
    if importlib.util.find_spec("ipykernel") is None:
        pytest.skip("executing the notebook needs ipykernel (the python3 kernel)")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    elapsed = time.perf_counter() - started
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    nbformat.write(nb, tmp_path / NOTEBOOK.name)  # the executed copy, for a look on failure
    assert elapsed < 120
