"""Small scikit-learn estimators the shipped models are built from (must stay importable:
pickled models refer to them by this module path)."""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .features import identity


class NBScaler(TransformerMixin, BaseEstimator):
    """Scale features by their naive-Bayes log-count ratio (Wang & Manning 2012, "NB-SVM").

    ``r = log((p / |p|_1) / (q / |q|_1))`` with ``p``/``q`` the smoothed feature counts in
    positive/negative examples. A linear model on ``X * r`` starts from NB's evidence per word
    and learns corrections, which beats both NB and a plain linear model on short texts.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X, y):
        y = np.asarray(y).astype(bool)
        Xb = (X > 0).astype(np.float64)
        p = self.alpha + np.asarray(Xb[y].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(Xb[~y].sum(axis=0)).ravel()
        self.r_ = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self, "r_")
        return X.multiply(self.r_).tocsr().astype(np.float32)


def fast_transform(pipeline, feats: list[list[str]]):
    """Features -> the matrix the pipeline's final estimator sees, with a fast vocabulary step.

    scikit-learn's ``CountVectorizer`` counts with a per-feature Python loop that dominated
    inference time; here each document's features are mapped with one ``map(vocab.get)``
    and the CSR matrix is built in one go. The TF-IDF/NB steps that follow are scikit-learn's.
    """
    import scipy.sparse as sp

    steps = pipeline.steps[:-1]
    vec = steps[0][1]
    tfidf = getattr(vec, "_tfidf", None)
    if not hasattr(vec, "vocabulary_") or tfidf is None or vec.analyzer is not identity:
        X = pipeline[:-1].transform(feats)
        return X
    vocab = vec.vocabulary_
    lengths = np.fromiter((len(f) for f in feats), dtype=np.int64, count=len(feats))
    ids = np.fromiter(
        chain.from_iterable(map(vocab.get, f, repeat(-1)) for f in feats),
        dtype=np.int64, count=int(lengths.sum()),
    )
    known = ids >= 0
    row_of = np.repeat(np.arange(len(feats)), lengths)
    counts = np.bincount(row_of[known], minlength=len(feats))
    indptr = np.concatenate([[0], np.cumsum(counts)])
    X = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=vec.dtype), ids[known], indptr),
        shape=(len(feats), len(vocab)),
    )
    X.sum_duplicates()
    if vec.binary:
        X.data.fill(1)
    X = tfidf.transform(X, copy=False)
    for _, step in steps[1:]:
        X = step.transform(X)
    return X
