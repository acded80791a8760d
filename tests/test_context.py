"""The context stage: decisions a reader of a whole review would notice."""

from __future__ import annotations

import numpy as np
import pytest

from analyser import Analyser
from analyser.context import VERDICT_COLUMNS, context_columns, context_matrix, verdict_matrix
from analyser.features import CUE_NAMES

WARNED_REVEAL = (
    "Man on Fire is a 2004 thriller directed by Tony Scott. Spoilers ahead. "
    "A burned-out bodyguard takes a job protecting a young girl in Mexico City. "
    "In the final scene he trades himself for the girl and dies in the back of the "
    "kidnappers' car. I loved every minute of it."
)
TEARJERKER = (
    "I cried through the last half hour of this film. The story is about a father who "
    "loses his son in a war and slowly falls apart. It broke my heart, and I loved every "
    "second of it. The acting is superb and the music is beautiful. Ten out of ten."
)
LUKEWARM = (
    "This film has some good moments but also a lot of problems. The acting is decent, and "
    "the lead actress is charming. However, the plot drags in the middle. The music is nice "
    "but forgettable. Overall it is an average film: watchable, but I would not go out of "
    "my way to see it."
)


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


def _by_text(result, words: str):
    return next(s for s in result.sentences if words in s.text)


def test_reveal_after_a_warning_is_flagged_and_the_set_up_is_not(analyser):
    r = analyser.analyse(WARNED_REVEAL)
    reveal = _by_text(r, "dies in the back")
    assert reveal.spoiler.flag and reveal.spoiler.kind == "explicit"
    assert reveal.spoiler.reasons
    assert not _by_text(r, "directed by").spoiler.flag
    assert not _by_text(r, "I loved every minute").spoiler.flag
    assert reveal.spoiler.probability > _by_text(r, "takes a job").spoiler.probability


def test_premise_under_a_plot_heading_is_not_a_spoiler(analyser):
    r = analyser.analyse("The Plot:\nEarly on, she finds a stranger's diary on the train and "
                         "starts writing back to him.\n\nMy opinion:\nThe two leads are lovely.")
    premise = _by_text(r, "diary")
    assert premise.section == "plot"  # the heading wins
    assert not premise.spoiler.flag
    assert _by_text(r, "leads are lovely").section == "opinion"


def test_a_no_spoiler_promise_is_not_flagged(analyser):
    r = analyser.analyse("I won't spoil the ending for you. The first hour is great fun.")
    assert not any(s.spoiler.flag for s in r.sentences)


def test_a_tearjerker_the_writer_loved_is_positive_and_its_plot_neutral(analyser):
    r = analyser.analyse(TEARJERKER)
    assert r.sentiment.label == "positive"
    assert _by_text(r, "loses his son").sentiment_label == "neu"
    assert _by_text(r, "broke my heart").sentiment_label == "pos"


@pytest.mark.xfail(strict=True, reason="known gap: the verdict model finds 2 of 18 mixed dev "
                   "reviews and calls this lukewarm one positive")
def test_a_lukewarm_review_is_mixed(analyser):
    r = analyser.analyse(LUKEWARM)
    assert r.sentiment.label == "mixed"
    labels = {s.sentiment_label for s in r.sentences}
    assert {"pos", "neg"} <= labels


def test_a_glued_full_stop_splits_but_abbreviations_and_decimals_do_not(analyser):
    r = analyser.analyse("It was a portrait of a nation.All in all, I would recommend it. "
                         "Mr. Smith paid 2.5 dollars for the J. R. R. Tolkien box set.")
    texts = [s.text for s in r.sentences]
    assert texts == ["It was a portrait of a nation.", "All in all, I would recommend it.",
                     "Mr. Smith paid 2.5 dollars for the J. R. R. Tolkien box set."]


def test_sentiment_label_is_in_json_frame_and_span(analyser):
    r = analyser.analyse(TEARJERKER)
    assert all(s["sentiment_label"] in ("pos", "neg", "neu") for s in r.to_dict()["sentences"])
    assert list(r.to_frame()["sentiment_label"]) == [s.sentiment_label for s in r.sentences]
    doc = analyser.nlp(analyser._make_doc(analyser._read(TEARJERKER), None))
    assert [s._.sentiment_label for s in doc._.sentences] == [
        s.sentiment_label for s in r.sentences]


def test_threshold_option_moves_the_final_flag(analyser):
    strict = Analyser(spoiler_threshold=0.99)
    assert strict.spoiler_threshold == 0.99
    r = strict.analyse(WARNED_REVEAL)
    assert all(s.spoiler.flag == (s.spoiler.probability >= 0.99) for s in r.sentences)


def test_context_features_see_neighbours_and_position_within_each_review():
    """Two reviews laid end to end: neighbours never cross the boundary, positions restart."""
    n = 5
    review = np.array([0, 0, 0, 1, 1])
    stage1 = np.zeros((n, 10))
    stage1[2, 6] = 5.0  # sentence 2: first stage says explicit spoiler
    cues = np.zeros((n, len(CUE_NAMES)))
    cues[0, CUE_NAMES.index("warning")] = 1
    X = context_matrix(review, stage1, np.full((n, 3), 0.5), cues, np.zeros((n, 7)),
                       np.zeros(n, np.int64), [None] * n)
    col = {c: i for i, c in enumerate(context_columns())}
    assert X.shape == (n, len(col))
    assert X[1, col["next:spoiler"]] > X[0, col["next:spoiler"]]  # sentence 1 precedes it
    assert X[3, col["prev:exists"]] == 0 and X[4, col["prev:exists"]] == 1
    assert X[2, col["next:exists"]] == 0  # the last sentence of review 0
    assert list(X[:, col["pos:rel"]]) == [0, 0.5, 1, 0, 1]
    assert list(X[:, col["warned_before"]]) == [0, 1, 1, 0, 0]


def test_verdict_features_one_row_per_review():
    review = np.array([0, 0, 1])
    sent = np.array([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    sec = np.tile([0, 0, 1.0, 0], (3, 1))
    V = verdict_matrix(review, sent, sec, np.array([0.0, 0.9]),
                       ["Dull.", "I give it 3/10.", "Loved it."])
    assert V.shape[0] == 2
    assert not np.isnan(V).any()
    cols = {c: i for i, c in enumerate(VERDICT_COLUMNS)}
    assert list(V[:, cols["has_rating"]]) == [1.0, 0.0]
    assert V[0, cols["rating"]] == pytest.approx(0.3 - 0.5)


@pytest.mark.parametrize("text,rating", [
    ("I give it 7/10.", 0.7), ("4 out of 5.", 0.8), ("3.5 stars", 0.7), ("12/10!", 1.0),
    ("Seen on 3/4/2019.", None), ("3/4 of the film drags.", None), ("It runs 2 hours.", None),
    ("At first 9/10, on reflection 6/10.", 0.6),
])
def test_writer_rating_reads_the_last_score_given(text, rating):
    from analyser.context import writer_rating

    assert writer_rating(text) == (None if rating is None else pytest.approx(rating))


def test_threshold_rule_refuses_thresholds_that_flag_too_many_spoiler_free_reviews():
    from analyser.training.context_model import best_threshold

    # review 0 has five spoilers, four of them scored 0.6; reviews 1-4 have none, but each
    # has one sentence scored 0.6: F1 wants 0.6, which flags every spoiler-free review
    y = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.6, 0.6, 0.6, 0.6, 0.6, 0.1, 0.6, 0.1, 0.6, 0.1, 0.6, 0.1])
    review = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    assert best_threshold(y, p, 0.5) <= 0.6
    assert best_threshold(y, p, 0.5, review, 0.2) > 0.6


def test_threshold_trade_table_moves_precision_against_recall():
    from analyser.training.evaluate_reviews import threshold_trade

    gold = {"section": np.array(["plot"] * 6), "spoiler": np.array(
        ["explicit", "hint", "none", "none", "explicit", "none"]),
        "sentiment": np.array(["neu"] * 6), "review": np.array([0, 0, 0, 1, 1, 2])}
    pred = {"section": np.array(["plot"] * 6), "sentiment": np.array(["neu"] * 6),
            "probability": np.array([0.9, 0.45, 0.3, 0.3, 0.6, 0.45]), "verdict": None}
    rows = threshold_trade(gold, pred, 0.35)
    assert [r["threshold"] for r in rows] == [0.25, 0.35, 0.4, 0.5]
    assert [r["default"] for r in rows] == [False, True, False, False]
    recalls = [r["spoiler_recall"] for r in rows]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] == 1.0
    assert rows[0]["spoiler_free_reviews"] == "1/1" and rows[-1]["spoiler_free_reviews"] == "0/1"
    assert rows[-1]["hint_found"] == "0/1"


def test_mixed_offset_is_the_smallest_that_finds_the_mixed_reviews():
    from analyser.context import VERDICT_LABELS
    from analyser.training.context_model import best_mixed_offset

    pos, neg, mixed = (VERDICT_LABELS.index(v) for v in ("positive", "negative", "mixed"))
    L = np.full((4, len(VERDICT_LABELS)), -5.0)
    L[0, pos], L[1, neg] = 0.0, 0.0
    L[2, [pos, mixed]] = 0.0, -1.0  # a lukewarm review, mixed one logit behind
    L[3, [neg, mixed]] = 0.0, -1.0
    y = np.array([pos, neg, mixed, mixed])
    best = best_mixed_offset(L, y, np.linspace(-3, 3, 61))
    assert best["offset"] == pytest.approx(1.1)
    assert best["mixed_recall"] == 1.0 and best["accuracy"] == 1.0


def test_a_context_model_built_for_other_columns_is_refused_with_a_clear_error(tmp_path):
    from analyser import ModelError
    from analyser.modelfile import read_bundle, write_bundle
    from analyser.models import default_path

    bundle = read_bundle(default_path("context"))
    v = bundle["models"]["verdict"]  # as stored: names one per line
    # the verdict model of a version with two columns fewer
    v.update(features="\n".join(v["features"].split("\n")[:-2]), weights=v["weights"][:-2],
             n_features=v["n_features"] - 2)
    old = tmp_path / "context.npz"
    write_bundle(old, bundle)
    with pytest.raises(ModelError, match="retrain it with `analyser train context`"):
        Analyser(model_paths={"context": str(old)}, trust_models=[str(old)])
