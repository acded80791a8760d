"""The inference form of a trained model scores exactly like the scikit-learn pipeline it was
built from, for every vectoriser weighting the training code can produce."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from analyser.features import identity, ngrams
from analyser.linear import LinearText
from analyser.training.estimators import NBScaler

DOCS = [
    "a wonderful moving film", "a dull and boring film", "wonderful wonderful acting",
    "boring plot and dull dull acting", "not good at all", "good fun", "the end was sad",
    "moving and sad but wonderful", "dull", "a film", "boring boring boring", "fun fun",
]
Y = np.array([1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1])


def _feats(texts):
    return [ngrams(t.split()) for t in texts]


def _pipeline(**vec_kw) -> Pipeline:
    nb = vec_kw.pop("nb", False)
    steps = [("vec", TfidfVectorizer(analyzer=identity, dtype=np.float32, **vec_kw))]
    if nb:
        steps.append(("nb", NBScaler()))
    steps.append(("clf", LogisticRegression(C=10.0)))
    return Pipeline(steps).fit(_feats(DOCS), Y)


@pytest.mark.parametrize("vec_kw", [
    {"binary": True, "use_idf": False, "norm": None, "nb": True},  # NB-LR, as shipped
    {"sublinear_tf": True, "use_idf": True},  # TF-IDF LR
    {"use_idf": True, "norm": "l1"},
    {"use_idf": False, "norm": None},  # raw counts
])
def test_inference_form_scores_like_the_pipeline(vec_kw):
    pipe = _pipeline(**vec_kw)
    model = LinearText.from_estimator(pipe)
    texts = DOCS + ["wonderful but dull dull", "unknown words only", ""]
    want = pipe.predict_proba(_feats(texts))[:, 1]
    np.testing.assert_allclose(model.predict_proba(_feats(texts)), want, atol=1e-6)
    # and through a state round trip (what a model file holds)
    back = LinearText.from_state(model.to_state())
    np.testing.assert_allclose(back.predict_proba(_feats(texts)), want, atol=1e-6)


def test_counts_are_the_vectorisers_raw_counts():
    pipe = _pipeline(use_idf=False, norm=None)
    model = LinearText.from_estimator(pipe)
    feats = _feats(["dull dull boring film film film", "nothing known here", "fun"])
    want = pipe.named_steps["vec"].transform(feats)
    got = model.counts(feats)
    assert (abs(got - want)).max() == 0
    assert got.has_canonical_format


def test_nb_weights_are_each_features_push_on_the_logit():
    """Folded weights: a row with one feature scores intercept + that feature's weight."""
    pipe = _pipeline(binary=True, use_idf=False, norm=None, nb=True)
    model = LinearText.from_estimator(pipe)
    j = model.features.index("wonderful")
    logit = model.decision(model.transform(model.counts([["wonderful"]])))
    assert logit[0] == pytest.approx(model.intercept + model.weights[j], abs=1e-6)
    assert model.weights[j] > 0 > model.weights[model.features.index("dull")]


def test_bare_classifier_over_named_columns():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]])
    clf = LogisticRegression().fit(X, [1, 0, 1, 0])
    model = LinearText.from_estimator(clf, ["a", "b"])
    np.testing.assert_allclose(model.proba(X), clf.predict_proba(X)[:, 1], atol=1e-6)
    with pytest.raises(ValueError):
        LinearText.from_estimator(clf, ["only one name"])


def test_damaged_states_are_refused():
    state = LinearText.from_estimator(_pipeline(use_idf=True)).to_state()
    for damage in ({"weights": state["weights"][:-1]}, {"n_features": 3},
                   {"idf": state["idf"][:2]}, {"norm": "l7"}):
        with pytest.raises(ValueError):
            LinearText.from_state(dict(state, **damage))


def test_a_stack_of_binary_models_folds_into_one():
    """Stacking logits of models over different features (words, characters) equals one
    linear model over the union of their features."""
    word = LinearText.from_estimator(_pipeline(binary=True, use_idf=False, norm=None, nb=True))
    chars = [[f"#{w[:3]}" for w in t.split()] for t in DOCS]
    char_pipe = Pipeline([
        ("vec", TfidfVectorizer(analyzer=identity, binary=True, use_idf=False, norm=None)),
        ("clf", LogisticRegression())]).fit(chars, Y)
    char = LinearText.from_estimator(char_pipe)
    stacked = LinearText.stacked([word, char], [0.7, 1.3], -0.2)
    texts = ["wonderful film", "dull boring", "moving but sad", "nothing"]
    fw, fc = _feats(texts), [[f"#{w[:3]}" for w in t.split()] for t in texts]
    want = -0.2 + 0.7 * word.decision(word.transform(word.counts(fw))) + 1.3 * char.decision(
        char.transform(char.counts(fc)))
    both = [a + b for a, b in zip(fw, fc, strict=True)]
    got = stacked.decision(stacked.transform(stacked.counts(both)))
    np.testing.assert_allclose(got, want, atol=1e-5)
    with pytest.raises(ValueError):  # TF-IDF weighting does not fold
        LinearText.stacked([LinearText.from_estimator(_pipeline(use_idf=True))], [1.0], 0.0)
