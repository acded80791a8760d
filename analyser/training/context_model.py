"""Training the context model (``models/context.npz``) on real annotated reviews.

Two stages, both linear so scoring stays a sparse and a small dense matrix product:

1. **Sentence**: word unigrams and bigrams -> three softmax heads (section 4 classes, spoiler
   none/hint/explicit, sentiment neg/neu/pos), trained on ``reviews_annotated/train`` and on
   the sentences of unannotated IMDb reviews soft-labelled by the accurate profile's encoder
   (:mod:`analyser.training.distil`).
2. **Context**: for every sentence, its own first-stage scores, the earlier models' outputs
   (which carry TV Tropes, Goodreads, Reddit, RT/SST and the synopsis corpora), its cues and
   surface flags, its neighbours' scores, its place in the review, paragraph and plot run,
   and what the writer said before it (:func:`analyser.context.context_matrix`) -> section,
   spoiler (any vs none), spoiler kind (hint vs explicit) and sentiment. A review-level model
   (:func:`analyser.context.verdict_matrix`) gives the verdict, with ``mixed`` a real class.

The second stage learns from *out-of-fold* first-stage scores (5 folds grouped by film), so it
learns how much to trust them on reviews they were not trained on. Per-class offsets (added to
the intercepts) maximise macro-F1 for sections and sentiment in those folds, since the rare
classes (summary, info) would otherwise never win an argmax. The spoiler flag threshold is the
one with the best F1 at precision >= 0.5 that flags at most a fifth of the spoiler-free
reviews, on the out-of-fold train predictions and the dev split together: real reviews, not
the balanced snippet corpora.

The earlier models' outputs for the training reviews come from a sentiment model trained
without them (:func:`heldout_analyser`), as any new review's would.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from ..context import (
    HEADS,
    SECTION_LABELS,
    SENTIMENT_LABELS,
    VERDICT_COLUMNS,
    VERDICT_LABELS,
    context_columns,
    context_matrix,
    softmax,
    verdict_matrix,
)
from ..features import identity, section_features
from ..linear import LinearText
from ..models import FORMAT_VERSION
from ..vectorise import compile_vocabulary
from .data import data_dir, file_sha256
from .reviews import ReviewRows, load_reviews, single_sentence_reviews

SEED = 13
PARAMS: dict[str, Any] = {
    "stage1": {"C": 1.0, "min_df": 2},
    "stage2": {"C": 0.1},
    "verdict": {"C": 0.3},
    # the accurate profile's encoder labels the sentences of this many unannotated IMDb
    # reviews for the first stage, each soft label weighted like a gold one
    "distil": {"reviews": 2000, "weight": 1.0},
    "precision_goal": 0.5,
    "free_goal": 0.2,
}
TRAIN_FILE = "reviews_annotated/train.jsonl"
DEV_FILE = "reviews_annotated/dev.jsonl"
SENTIMENT_FILE = "sentiment/train.jsonl"  # the held-out sentiment model's, the teacher's


def _lr(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=5000, random_state=SEED)


@dataclass
class Teacher:
    """Sentences labelled by a teacher model: features and per-head class probabilities."""

    feats: list[list[str]]
    probs: dict[str, np.ndarray]
    weight: float


class Stage1:
    """Word n-grams -> the three first-stage heads, one vocabulary for all of them."""

    def __init__(self, C: float, min_df: int) -> None:
        self.vec = TfidfVectorizer(analyzer=identity, min_df=min_df, binary=True,
                                   use_idf=False, norm="l2", dtype=np.float32)
        self.C = C
        self.heads: dict[str, LogisticRegression] = {}

    def fit(self, feats: list[list[str]], labels: dict[str, np.ndarray],
            teacher: Teacher | None = None) -> Stage1:
        """Gold `labels` per head (-1: none); `teacher` adds sentences with soft labels,
        each one a row per class weighted by the teacher's probability for it."""
        extra = [] if teacher is None else teacher.feats
        X = self.vec.fit_transform(list(feats) + list(extra))
        Xg, Xt = X[: len(feats)], X[len(feats) :]
        for head in HEADS:
            y = labels[head]
            keep = y >= 0
            Xh, yh, wh = Xg[keep], y[keep], np.ones(int(keep.sum()))
            if teacher is not None:
                rows, cls = np.nonzero(teacher.probs[head] >= 0.05)
                Xh = sp.vstack([Xh, Xt[rows]]).tocsr()
                yh = np.r_[yh, cls]
                wh = np.r_[wh, teacher.weight * teacher.probs[head][rows, cls]]
            self.heads[head] = _lr(self.C).fit(Xh, yh, sample_weight=wh)
        return self

    def logits(self, feats: list[list[str]]) -> np.ndarray:
        X = self.vec.transform(feats)
        return np.column_stack([self.heads[h].decision_function(X) for h in HEADS])

    def linear(self) -> LinearText:
        """One multi-output model: the heads' weight columns side by side."""
        names = [str(f) for f in self.vec.get_feature_names_out()]
        W = np.column_stack([self.heads[h].coef_.T for h in HEADS]).astype(np.float32)
        b = np.concatenate([self.heads[h].intercept_ for h in HEADS])
        model = LinearText(names, W, b, binary=True, norm="l2")
        model.index = compile_vocabulary(names)
        return model


def _dense(lr: LogisticRegression, scaler: StandardScaler, columns: list[str],
           offsets: np.ndarray | None = None) -> LinearText:
    """A fitted model over standardised columns as one over the raw columns (the scaling
    folded into the weights), with per-class `offsets` added to its intercepts."""
    coef = np.asarray(lr.coef_, dtype=np.float64)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    W = (coef / scale).T
    b = lr.intercept_ - (coef * (scaler.mean_ / scale)).sum(axis=1)
    if offsets is not None:
        b = b + offsets
    if W.shape[1] == 1:
        return LinearText(list(columns), W[:, 0].astype(np.float32), float(b[0]))
    return LinearText(list(columns), W.astype(np.float32), b)


def _tune_offsets(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class log-offsets that maximise macro-F1 of the argmax (coordinate search)."""
    L = np.log(P + 1e-9)
    off = np.zeros(P.shape[1])
    grid = np.linspace(-1.0, 3.0, 21)
    for _ in range(2):
        for c in range(P.shape[1]):
            scores = []
            for g in grid:
                o = off.copy()
                o[c] = g
                scores.append(f1_score(y, (L + o).argmax(1), average="macro"))
            off[c] = grid[int(np.argmax(scores))]
    return off


def _folds(rows: ReviewRows) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = rows.sentence_groups()
    return list(GroupKFold(5).split(np.zeros(len(groups)), groups=groups))


def best_threshold(y: np.ndarray, p: np.ndarray, precision_goal: float,
                   review: np.ndarray | None = None, free_goal: float | None = None) -> float:
    """The threshold with the best F1 among those whose precision reaches the goal and,
    given each row's `review`, that flag at most `free_goal` of the reviews with no spoiler
    at all (a flag on a spoiler-free review is the false alarm a reader notices most)."""
    free = np.zeros(0, np.int64)
    if review is not None and free_goal is not None:
        keys, inv = np.unique(review, return_inverse=True)
        free = np.flatnonzero(np.bincount(inv, weights=y, minlength=len(keys)) == 0)
        free_rows = np.isin(inv, free)
    best, thr = -1.0, 0.5
    for t in np.round(np.arange(0.05, 0.951, 0.005), 3):
        flag = p >= t
        pr, _, f, _ = precision_recall_fscore_support(y, flag, average="binary",
                                                      zero_division=0)
        if len(free):
            hit = np.unique(inv[free_rows & flag])
            if len(hit) / len(free) > free_goal:
                continue
        if pr >= precision_goal and f > best:
            best, thr = f, float(t)
    return thr


def _spoiler_report(y: np.ndarray, p: np.ndarray, thr: float) -> dict[str, float]:
    pr, rc, f, _ = precision_recall_fscore_support(y, p >= thr, average="binary",
                                                   zero_division=0)
    return {"roc_auc": round(float(roc_auc_score(y, p)), 4), "precision": round(float(pr), 4),
            "recall": round(float(rc), 4), "f1": round(float(f), 4)}


def _fit_heads(Z: np.ndarray, rows: ReviewRows, C: float, train: np.ndarray
               ) -> dict[str, LogisticRegression]:
    """The second-stage models on rows `train` of the standardised context matrix `Z`.
    Sentences standing alone teach the spoiler heads only: section and sentiment are
    judged in reviews, and learning the no-context case cost them in cross-validation."""
    out = {}
    real = train[~rows.single()[train]]
    sec = real[rows.section[real] >= 0]
    out["section"] = _lr(C).fit(Z[sec], rows.section[sec])
    out["spoiler"] = _lr(C).fit(Z[train], (rows.spoiler[train] > 0).astype(int))
    spo = train[rows.spoiler[train] > 0]
    out["kind"] = _lr(C).fit(Z[spo], (rows.spoiler[spo] == 1).astype(int))
    out["sentiment"] = _lr(C).fit(Z[real], rows.sentiment[real])
    return out


def train_context(out_dir: Path, log=print, *, teacher: Teacher | None = None,
                  train_analyser=None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit both stages and the verdict model; return (bundle, cross-validation report).

    Long because it is the recipe read top to bottom: data, first stage out of fold, second
    stage, offsets, threshold, verdict, report. The second stage also learns from every
    annotated sentence standing alone as a review
    of its own (:func:`analyser.training.reviews.single_sentence_reviews`); offsets, the
    threshold, the verdict and the reported scores use the real reviews only."""
    P = PARAMS
    if train_analyser is None:
        train_analyser = heldout_analyser(log)
    if teacher is None and P["distil"]["reviews"]:
        from .distil import teacher_labels

        teacher = Teacher(*teacher_labels(P["distil"]["reviews"], log), P["distil"]["weight"])
    reviews = load_reviews(data_dir() / TRAIN_FILE, train_analyser)
    train = ReviewRows.concat([reviews, load_reviews(single_sentence_reviews(
        data_dir() / TRAIN_FILE), train_analyser)])
    dev = load_reviews(data_dir() / DEV_FILE)
    real = ~train.single()
    log(f"context: {int(real.sum())} train sentences in {reviews.n_reviews} reviews, "
        f"{int((~real).sum())} more standing alone")
    feats = [section_features(t, ()) for t in train.tokens]
    labels = {"section": train.section, "spoiler": train.spoiler,
              "sentiment": train.sentiment}
    folds = _folds(train)
    oof1 = np.zeros((len(feats), sum(len(v) for v in HEADS.values())))
    for tr, te in folds:
        tr = tr[real[tr]]  # the first stage learns each sentence once
        s1 = Stage1(**P["stage1"]).fit([feats[i] for i in tr],
                                       {k: v[tr] for k, v in labels.items()}, teacher)
        oof1[te] = s1.logits([feats[i] for i in te])
    every = np.flatnonzero(real)
    stage1 = Stage1(**P["stage1"]).fit([feats[i] for i in every],
                                       {k: v[every] for k, v in labels.items()}, teacher)
    cols = context_columns()
    X = context_matrix(train.review, oof1, train.prior, train.cues, train.flags,
                       train.paragraph, train.heading)
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)

    # out-of-fold second-stage predictions: offsets, threshold and the CV report
    C2 = P["stage2"]["C"]
    oof_sec = np.zeros((len(Z), len(SECTION_LABELS)))
    oof_sent = np.zeros((len(Z), len(SENTIMENT_LABELS)))
    oof_spo = np.zeros(len(Z))
    for tr, te in folds:
        m = _fit_heads(Z, train, C2, tr)
        oof_sec[te] = m["section"].predict_proba(Z[te])
        oof_sent[te] = m["sentiment"].predict_proba(Z[te])
        oof_spo[te] = m["spoiler"].predict_proba(Z[te])[:, 1]
    has_sec = real & (train.section >= 0)
    sec_off = _tune_offsets(oof_sec[has_sec], train.section[has_sec])
    sent_off = _tune_offsets(oof_sent[real], train.sentiment[real])
    heads = _fit_heads(Z, train, C2, np.arange(len(Z)))
    models = {
        "stage1": stage1.linear(),
        "section": _dense(heads["section"], scaler, cols, sec_off),
        "spoiler": _dense(heads["spoiler"], scaler, cols),
        "kind": _dense(heads["kind"], scaler, cols),
        "sentiment": _dense(heads["sentiment"], scaler, cols, sent_off),
    }

    # dev predictions of the final models, for the threshold
    dev_feats = [section_features(t, ()) for t in dev.tokens]
    Xd = context_matrix(dev.review, models["stage1"].decision(
        models["stage1"].transform(models["stage1"].counts(dev_feats))), dev.prior, dev.cues,
        dev.flags, dev.paragraph, dev.heading)
    p_dev = models["spoiler"].proba(Xd)
    y_tr, y_dev = (train.spoiler[real] > 0).astype(int), (dev.spoiler > 0).astype(int)
    # review keys: train reviews, then dev reviews numbered after them
    keys = np.r_[train.review[real], dev.review + train.review.max() + 1]
    thr = best_threshold(np.r_[y_tr, y_dev], np.r_[oof_spo[real], p_dev], P["precision_goal"],
                         keys, P["free_goal"])

    # verdict: review-level, on out-of-fold sentence probabilities of the real reviews
    sec_p = softmax(np.log(oof_sec[real] + 1e-9) + sec_off)
    sent_p = softmax(np.log(oof_sent[real] + 1e-9) + sent_off)
    V = verdict_matrix(reviews.review, sent_p, sec_p, reviews.review_prior,
                       reviews.texts)
    verdict, v_report = _fit_verdict(V, reviews)
    models["verdict"] = verdict

    report = {
        "cv_spoiler": _spoiler_report(y_tr, oof_spo[real], thr),
        "cv_spoiler_alone": _spoiler_report((train.spoiler[~real] > 0).astype(int),
                                            oof_spo[~real], thr),
        "dev_spoiler": _spoiler_report(y_dev, p_dev, thr),
        "cv_section_macro_f1": round(float(f1_score(
            train.section[has_sec], (np.log(oof_sec[has_sec] + 1e-9) + sec_off).argmax(1),
            average="macro")), 4),
        "cv_sentiment_macro_f1": round(float(f1_score(
            train.sentiment[real], (np.log(oof_sent[real] + 1e-9) + sent_off).argmax(1),
            average="macro")), 4),
        **v_report,
    }
    log(f"context: {json.dumps(report)}")
    files = [{"path": f, "sha256": file_sha256(data_dir() / f)}
             for f in (TRAIN_FILE, DEV_FILE, SENTIMENT_FILE)]
    params = dict(P, threshold=thr)
    # the columns too: a new input column is a new model even with the same data and params
    h = hashlib.sha256(json.dumps([files, params, cols, VERDICT_COLUMNS], sort_keys=True)
                       .encode()).hexdigest()[:10]
    bundle = {"task": "context", "version": f"context-{FORMAT_VERSION}-{h}", "models": models,
              "threshold": thr, "params": params,
              # a typical value per column: reasons say what is unusually high in a sentence
              "column_means": scaler.mean_.astype(np.float32)}
    return bundle, {"data": files, "cv": report}



def heldout_analyser(log=print):
    """The stages before the context model, with a sentiment model trained without the
    annotated train reviews. Most of them are IMDb reviews from ``sentiment/train``: scored
    by the shipped sentiment model, which learned them, their review and sentence scores
    are better than any new review's, and the verdict learned to trust them too much (its
    grouped cross-validation said 0.93 while dev said 0.80)."""
    import tempfile

    from ..api import Analyser
    from .data import read_jsonl
    from .train import train_sentiment

    ids = frozenset(r["review_id"].split(":", 1)[-1] for r in read_jsonl(data_dir() / TRAIN_FILE))
    log(f"context: a sentiment model without the {len(ids)} annotated train reviews")
    with tempfile.TemporaryDirectory(prefix="analyser-heldout-") as folder:
        train_sentiment(Path(folder), log=lambda *_: None, exclude_ids=ids)
        path = str(Path(folder) / "sentiment.npz")
        # the model is read into memory here, so its file can go with the folder
        return Analyser(stages=("structure", "sections", "spoilers", "sentiment"),
                        model_paths={"sentiment": path}, trust_models=[path])


def _fit_verdict(V: np.ndarray, rows: ReviewRows) -> tuple[LinearText, dict[str, Any]]:
    """Verdict model over :data:`VERDICT_COLUMNS`; the offset of ``mixed`` is the one with
    the best macro-F1 over positive / negative / mixed in grouped folds: accuracy alone
    never calls a review mixed (a twentieth of them are), and a lukewarm review called
    positive is an error users notice."""
    C = PARAMS["verdict"]["C"]
    scaler = StandardScaler().fit(V)
    Z = scaler.transform(V)
    y = rows.verdict
    groups = np.array([rows.group[r] for r in range(rows.n_reviews)])
    oof = np.zeros((len(y), len(VERDICT_LABELS)))
    for tr, te in GroupKFold(5).split(Z, groups=groups):
        m = _lr(C).fit(Z[tr], y[tr])
        oof[np.ix_(te, m.classes_)] = m.predict_proba(Z[te])
    mixed = VERDICT_LABELS.index("mixed")
    best = best_mixed_offset(np.log(oof + 1e-9), y, np.linspace(0, 3, 31))
    m = _lr(C).fit(Z, y)
    full = np.zeros((len(VERDICT_LABELS), Z.shape[1]))
    inter = np.full(len(VERDICT_LABELS), -30.0)  # a class never seen in training never wins
    full[m.classes_] = m.coef_
    inter[m.classes_] = m.intercept_
    m.coef_, m.intercept_ = full, inter
    off = np.zeros(len(VERDICT_LABELS))
    off[mixed] = best["offset"]
    return _dense(m, scaler, list(VERDICT_COLUMNS), off), {
        "cv_verdict_accuracy": best["accuracy"], "cv_mixed_recall": best["mixed_recall"],
        "cv_verdict_macro_f1": best["macro_f1"]}


def best_mixed_offset(L: np.ndarray, y: np.ndarray, grid: np.ndarray) -> dict[str, float]:
    """The offset from `grid` added to the ``mixed`` column of verdict logits `L` (reviews x
    :data:`VERDICT_LABELS`) with the best macro-F1 over positive / negative / mixed against
    `y` (the smallest in size on ties), with the accuracy and mixed recall it gives."""
    mixed = VERDICT_LABELS.index("mixed")
    scored = [VERDICT_LABELS.index(v) for v in ("positive", "negative", "mixed")]
    best: dict[str, float] = {"macro_f1": -1.0, "offset": 0.0}
    for g in sorted(np.round(grid, 2).tolist(), key=abs):
        shifted = L.copy()
        shifted[:, mixed] += g
        pred = shifted.argmax(1)
        f = float(f1_score(y, pred, labels=scored, average="macro"))
        if f > best["macro_f1"] + 1e-9:
            best = {"macro_f1": round(f, 4), "offset": float(g),
                    "accuracy": round(float(accuracy_score(y, pred)), 4),
                    "mixed_recall": round(float((pred[y == mixed] == mixed).mean()), 4)}
    return best
