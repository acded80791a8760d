"""Training and evaluation commands, on small labelled files made here (no ../shared needed)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from analyser.cli import app
from analyser.models import read_manifest

runner = CliRunner()

PLOT = [
    "the film begins when a young soldier returns to his village after the war .",
    "she travels to paris to find her missing sister and meets a mysterious stranger .",
    "years later , the brothers meet again at their father's funeral .",
    "the detective discovers that the victim had been living under a false name .",
    "after the crash , the survivors must cross the mountains on foot .",
    "he takes a job at the hotel and falls in love with the owner's daughter .",
]
OPINION = [
    "a beautifully acted film that never quite finds its rhythm .",
    "the script is lazy and the jokes fall flat .",
    "one of the most moving films i have seen this year .",
    "too long , too loud and far too pleased with itself .",
    "a charming , clever comedy with a great cast .",
    "the director's best work in a decade .",
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture()
def no_shared(tmp_path, monkeypatch):
    """Point the data folder somewhere empty so baselines that train on it are skipped."""
    monkeypatch.setenv("ANALYSER_DATA_DIR", str(tmp_path / "nothing-here"))


def test_evaluate_sections_prints_metrics_and_a_json_last_line(tmp_path, no_shared):
    f = tmp_path / "sections.jsonl"
    _write(f, [{"text": t, "section": "plot"} for t in PLOT]
           + [{"text": t, "section": "opinion"} for t in OPINION])
    res = runner.invoke(app, ["evaluate", "sections", str(f)])
    assert res.exit_code == 0, res.output
    last = json.loads(res.output.strip().splitlines()[-1])
    m = last["tables"]["analyser plot probability"]
    assert m["n"] == 12 and m["accuracy"] >= 0.75 and m["roc_auc"] >= 0.8
    assert "baseline majority class" not in last["tables"]  # no train data -> no majority
    assert "ROC-AUC".lower().replace("-", "_") in res.output.lower()


def test_evaluate_spoilers_groups_review_sentences(tmp_path, no_shared):
    f = tmp_path / "spoilers.jsonl"
    rows = [
        {"review_id": "r1", "i": 0, "sentence": "I loved the music.", "spoiler": 0,
         "source": "goodreads"},
        {"review_id": "r1", "i": 1, "sentence": "In the end Tom dies and Eva turns out to be "
         "the killer.", "spoiler": 1, "source": "goodreads"},
        {"review_id": "r2", "i": 0, "sentence": "Great cast, weak script.", "spoiler": 0,
         "source": "goodreads"},
        {"review_id": "r2", "i": 1, "sentence": "It is revealed that the captain was dead all "
         "along.", "spoiler": 1, "source": "goodreads"},
    ]
    _write(f, rows)
    res = runner.invoke(app, ["evaluate", "spoilers", str(f)])
    assert res.exit_code == 0, res.output
    last = json.loads(res.output.strip().splitlines()[-1])
    m = last["tables"]["analyser (all sentences)"]
    assert m["n"] == 4 and m["roc_auc"] == 1.0
    assert {"precision", "recall", "f1", "accuracy", "brier"} <= set(m)
    assert last["threshold"] > 0


def test_evaluate_spoilers_reports_flags_on_reviews_said_to_be_spoiler_free(tmp_path,
                                                                           no_shared):
    """Review-level files (the writer's own spoiler flag) also say how many sentences of
    reviews their writers call spoiler-free get flagged anyway: the false-alarm rate."""
    f = tmp_path / "reviews.jsonl"
    _write(f, [
        {"review_id": "a", "text": "I loved the music. The cast is superb.", "spoiler": 0,
         "source": "imdb"},
        {"review_id": "b", "text": "A fine film. In the end Tom dies and Eva turns out to be "
         "the killer.", "spoiler": 1, "source": "imdb"},
    ])
    res = runner.invoke(app, ["evaluate", "spoilers", str(f)])
    assert res.exit_code == 0, res.output
    flags = json.loads(res.output.strip().splitlines()[-1])["review_flags"]
    clean, spoiled = flags["no_spoiler_reviews"], flags["spoiler_reviews"]
    assert clean["reviews"] == spoiled["reviews"] == 1
    assert clean["mean_share_of_sentences_flagged"] == 0.0
    assert spoiled["mean_share_of_sentences_flagged"] == 0.5
    assert spoiled["share_of_reviews_with_a_flag"] == 1.0
    assert "of sentences flagged" in res.output


def test_evaluate_sentiment_sentence_and_review_levels(tmp_path, no_shared):
    f = tmp_path / "sentiment.jsonl"
    _write(f, [
        {"text": "a wonderful , moving film .", "label": "pos", "level": "sentence",
         "source": "s"},
        {"text": "a dull , lifeless mess .", "label": "neg", "level": "sentence", "source": "s"},
        {"text": "I loved it. The acting is superb and the story is gripping. A must-see.",
         "label": "pos", "level": "review", "source": "r"},
        {"text": "Boring. The plot makes no sense and the acting is terrible. Avoid.",
         "label": "neg", "level": "review", "source": "r"},
        {"text": "meh", "label": None, "level": "sentence", "source": "s"},
    ])
    res = runner.invoke(app, ["evaluate", "sentiment", str(f)])
    assert res.exit_code == 0, res.output
    tables = json.loads(res.output.strip().splitlines()[-1])["tables"]
    assert tables["analyser [s]"]["accuracy"] == 1.0
    assert tables["analyser [r]"]["accuracy"] == 1.0


def test_evaluate_reports_a_broken_file_in_one_line(tmp_path):
    f = tmp_path / "broken.jsonl"
    f.write_text('{"text": "ok", "section": "plot"}\n{not json\n', encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "sections", str(f)])
    assert res.exit_code == 1
    assert "broken.jsonl:2" in res.output
    assert "Traceback" not in res.output


def test_train_sections_writes_a_model_without_touching_the_manifest(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "sections").mkdir(parents=True)
    rows = [{"text": t, "section": "plot"} for t in PLOT * 3] + [
        {"text": t, "section": "opinion"} for t in OPINION * 3]
    _write(data / "sections" / "train.jsonl", rows)
    monkeypatch.setenv("ANALYSER_DATA_DIR", str(data))
    before = read_manifest()
    out = tmp_path / "out"
    res = runner.invoke(app, ["train", "sections", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "sections.npz").stat().st_size > 1000
    assert read_manifest() == before


def test_near_duplicate_groups_join_copies_across_corpora():
    """The same snippet tokenised two ways (MR vs SST style) lands in one CV group."""
    from analyser.training.grouping import near_duplicate_groups

    texts = [
        "it's a charming and often affecting journey , one that rewards patience .",
        "It's a charming and often affecting journey, one that rewards patience.",
        "the film is a dull , lifeless mess from start to finish .",
        "A completely different sentence about a completely different film here.",
    ]
    g = near_duplicate_groups(texts)
    assert g[0] == g[1]
    assert len({g[0], g[2], g[3]}) == 3


def test_reviews_quoting_a_training_sentence_are_found_but_stock_phrases_are_not():
    """The sentiment transfer model leaves out reviews that quote a training sentence (a
    rare shared 6-gram), not reviews that merely share a phrase every review uses."""
    from analyser.training.grouping import shares_rare_kgram

    sentences = ["it's a charming and often affecting journey , one that rewards patience ."]
    stock = "this is one of the best films i have ever seen"
    reviews = [
        "Critics wrote: It's a charming and often affecting journey. I agree entirely.",
        f"{stock}. The plot is thin.",
        "Nothing in common with the sentence at all, a dull heist caper.",
    ] + [f"{stock}, truly. Review {i}." for i in range(6)]
    flagged = shares_rare_kgram(reviews, sentences + [stock])
    assert flagged.tolist() == [True] + [False] * 8


def test_interpolation_pulls_weights_towards_their_mean_magnitude():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from analyser.training.estimators import interpolate_towards_mean

    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.2], [0.1, 1.0]])
    pipe = Pipeline([("clf", LogisticRegression())]).fit(X, [1, 0, 1, 0])
    w = pipe[-1].coef_.copy()
    interpolate_towards_mean(pipe, 0.25)
    np.testing.assert_allclose(pipe[-1].coef_, 0.75 * np.abs(w).mean() + 0.25 * w)
