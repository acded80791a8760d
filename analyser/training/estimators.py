"""Small scikit-learn estimators the models are trained with (training only: model files
keep their weights in :class:`analyser.linear.LinearText` form, not these objects)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted


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


def interpolate_towards_mean(pipeline, beta: float):
    """NB-SVM interpolation (Wang & Manning 2012): ``w' = (1 - beta) * mean|w| + beta * w``
    on the fitted linear step, pulling it back towards naive Bayes (which the NB-scaled
    features make a constant weight). Chosen by grouped CV: +1 point on MR/SST."""
    clf = pipeline.steps[-1][1]
    w = clf.coef_
    clf.coef_ = ((1 - beta) * np.abs(w).mean() + beta * w).astype(w.dtype)
    return pipeline
