"""Trained linear text models in inference form: plain arrays, no scikit-learn at run time.

Training fits scikit-learn pipelines (``vectoriser -> [NBScaler] -> LogisticRegression``,
:mod:`analyser.training.train`); model files store what scoring needs of them: the feature
names, one weight per feature (naive-Bayes ratios folded in, so ``weights[j]`` is feature j's
push on the logit when present), the intercept and the vectoriser's weighting (binary, TF-IDF,
norm). Loading such a file reads only strings, numbers and numpy arrays: no scikit-learn
import (about a second per process) and no estimator objects.

A model whose features come from :mod:`analyser.features` also carries its vocabulary
*compiled* for :class:`analyser.vectorise.FeatureIndex` (words, word pairs and triples as
integer tables), built once at training time rather than parsed from 300k feature strings
every time a process starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

_SEP = "\n"


def pack_strings(items: Sequence[str], what: str = "feature") -> str:
    """Strings as one line-separated string (stored and read back in microseconds)."""
    if any(_SEP in s for s in items):
        raise ValueError(f"a {what} contains a line break")
    return _SEP.join(items)


def unpack_strings(joined: str, n: int, what: str) -> list[str]:
    out = joined.split(_SEP) if n else []
    if len(out) != n:
        raise ValueError(f"{what}: expected {n} entries, found {len(out)}")
    return out


@dataclass
class LinearText:
    """``logit = transform(counts) @ weights + intercept`` over named feature columns.

    `weights` is one column per output: a vector for a binary model, a (features, outputs)
    matrix (with one intercept per output) for a multi-class or multi-head model."""

    features: list[str]
    weights: np.ndarray
    intercept: float | np.ndarray
    binary: bool = False
    sublinear_tf: bool = False
    idf: np.ndarray | None = None
    norm: str | None = None
    index: dict[str, Any] | None = None  # compiled vocabulary (analyser.vectorise)
    _columns: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _w64: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._w64 = np.asarray(self.weights, dtype=np.float64)

    # -- building ------------------------------------------------------------------------
    @classmethod
    def from_estimator(cls, estimator, features: Sequence[str] | None = None) -> LinearText:
        """The inference form of a fitted pipeline ``vectoriser -> [NB scalers] -> linear``
        or of a bare linear classifier over named dense columns (`features`)."""
        steps = [s for _, s in estimator.steps] if hasattr(estimator, "steps") else [estimator]
        clf = steps[-1]
        coef = np.asarray(clf.coef_, dtype=np.float64)
        w = coef.ravel() if coef.shape[0] == 1 else coef.T
        kw: dict[str, Any] = {}
        if len(steps) > 1:
            vec = steps[0]
            for middle in steps[1:-1]:
                w = w * np.asarray(middle.r_, dtype=np.float64)  # NBScaler: X * r
            features = [str(f) for f in vec.get_feature_names_out()]
            kw = {"binary": bool(vec.binary), "norm": vec.norm,
                  "sublinear_tf": bool(getattr(vec, "sublinear_tf", False))}
            if getattr(vec, "use_idf", False):
                kw["idf"] = np.asarray(vec.idf_, dtype=np.float32)
        if features is None or len(features) != len(w):
            raise ValueError("feature names do not match the model's weights")
        b = np.ravel(clf.intercept_).astype(np.float64)
        return cls(list(features), w.astype(np.float32), float(b[0]) if w.ndim == 1 else b,
                   **kw)

    @classmethod
    def stacked(cls, models: Sequence[LinearText], coefs: Sequence[float],
                intercept: float) -> LinearText:
        """One model equal to a linear stack ``intercept + sum(coef_k * logit_k)`` of binary
        models: every stage is linear, so each feature's weight is the coefficient-weighted
        sum of its weights. (A feature two models share fires in both, so this is exact for
        binary inputs.)"""
        if not models or any(not m.binary or m.idf is not None or m.norm for m in models):
            raise ValueError("only binary, unweighted models can be stacked into one")
        names: dict[str, int] = {}
        for m in models:
            for f in m.features:
                names.setdefault(f, len(names))
        w = np.zeros(len(names))
        b = float(intercept)
        for m, c in zip(models, coefs, strict=True):
            cols = np.fromiter((names[f] for f in m.features), np.int64, m.n_features)
            np.add.at(w, cols, float(c) * m.weights.astype(np.float64))
            b += float(c) * m.intercept
        return cls(list(names), w.astype(np.float32), b, binary=True)

    def to_state(self) -> dict[str, Any]:
        """Plain data for the model file (strings, numbers, numpy arrays)."""
        return {
            "features": pack_strings(self.features), "n_features": len(self.features),
            "weights": self.weights, "intercept": self.intercept, "binary": self.binary,
            "sublinear_tf": self.sublinear_tf, "idf": self.idf, "norm": self.norm,
            "index": self.index,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LinearText:
        features = unpack_strings(state["features"], state["n_features"], "features")
        weights = np.asarray(state["weights"], dtype=np.float32)
        idf = state.get("idf")
        if len(weights) != len(features) or (idf is not None and len(idf) != len(features)):
            raise ValueError("weights do not match the features")
        if state.get("norm") not in (None, "l1", "l2"):
            raise ValueError(f"unknown norm {state.get('norm')!r}")
        intercept = state["intercept"]
        if weights.ndim == 2:
            intercept = np.asarray(intercept, dtype=np.float64).ravel()
            if len(intercept) != weights.shape[1]:
                raise ValueError("intercepts do not match the weights")
        else:
            intercept = float(intercept)
        return cls(features, weights, intercept, bool(state["binary"]),
                   bool(state["sublinear_tf"]), idf, state.get("norm"), state.get("index"))

    # -- scoring -------------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return len(self.features)

    def transform(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Raw feature counts -> what the fitted vectoriser outputs (binary / sublinear TF /
        IDF / row norm, as scikit-learn's ``TfidfVectorizer``). Changes `X` in place."""
        if self.binary:
            X.data.fill(1)
        elif self.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        if self.norm and X.shape[0]:
            row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
            x = X.data.astype(np.float64)
            lens = np.bincount(row, weights=x * x if self.norm == "l2" else np.abs(x),
                               minlength=X.shape[0])
            if self.norm == "l2":
                lens = np.sqrt(lens)
            lens[lens == 0] = 1
            X.data /= lens[row].astype(X.data.dtype)
        return X

    def decision(self, X) -> np.ndarray:
        """Logit of the positive class per row of a transformed (or dense) matrix; one
        column per output for a multi-output model."""
        if self._w64.ndim == 2:
            if not X.shape[0]:
                return np.zeros((0, self._w64.shape[1]))
            return np.asarray(X @ self._w64) + self.intercept
        if not X.shape[0]:
            return np.zeros(0)
        return np.asarray(X @ self._w64).ravel() + self.intercept

    def proba(self, X) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(X)))

    # -- from feature strings (training, evaluation, tests) ------------------------------
    def counts(self, feature_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Counts of each known feature per row, as scikit-learn's vectoriser counts them
        for lists of string features (:mod:`analyser.features`)."""
        if self._columns is None:
            self._columns = {f: j for j, f in enumerate(self.features)}
        cols = self._columns
        indptr, indices = [0], []
        for feats in feature_lists:
            indices.extend(j for f in feats if (j := cols.get(f)) is not None)
            indptr.append(len(indices))
        X = sp.csr_matrix((np.ones(len(indices), np.float32), np.asarray(indices, np.int32),
                           np.asarray(indptr, np.int64)), shape=(len(feature_lists),
                                                                 self.n_features))
        X.sum_duplicates()
        return X

    def predict_proba(self, feature_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """P(positive) for each list of string features."""
        return self.proba(self.transform(self.counts(feature_lists)))
