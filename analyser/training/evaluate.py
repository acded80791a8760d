"""``analyser evaluate TASK [FILES]``: score labelled data through the public API.

Predictions come from :class:`analyser.Analyser` exactly as a user gets them (reading,
sentence handling, context, rule layers included), and simple baselines are fitted/applied
in the same run: the majority class, a TF-IDF + logistic-regression bag of words trained on
the same train split, and VADER for sentiment. The last printed line is one JSON object.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from .data import data_dir, read_jsonl

DEFAULT_FILES = {
    "spoilers": ["spoilers/dev.jsonl", "spoilers_more/sentence_dev.jsonl",
                 "spoilers_more/review_dev.jsonl"],
    "sentiment": ["sentiment/dev.jsonl"],
    "sections": ["sections/dev.jsonl"],
    "reviews": ["reviews_annotated/dev.jsonl"],
    "context": ["reviews_annotated/dev.jsonl"],
}
TRAIN_FILES = {
    "spoilers": ["spoilers/train.jsonl", "spoilers_more/sentence_train.jsonl"],
    "sentiment": ["sentiment/train.jsonl"],
    "sections": ["sections/train.jsonl"],
}


def metrics(y, score, threshold: float = 0.5) -> dict[str, Any]:
    """ROC-AUC, accuracy, F1, precision, recall at `threshold`, Brier score."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    pred = (s >= threshold).astype(int)
    out: dict[str, Any] = {"n": int(len(y)), "positive_rate": round(float(y.mean()), 4)}
    out["roc_auc"] = round(float(roc_auc_score(y, s)), 4) if len(set(y)) > 1 else None
    out["accuracy"] = round(float(accuracy_score(y, pred)), 4)
    out["f1"] = round(float(f1_score(y, pred, zero_division=0)), 4)
    out["precision"] = round(float(precision_score(y, pred, zero_division=0)), 4)
    out["recall"] = round(float(recall_score(y, pred, zero_division=0)), 4)
    if s.min() >= 0 and s.max() <= 1:
        out["brier"] = round(float(brier_score_loss(y, s)), 4)
    return out


def _bow_baseline(train_texts, train_y, C: float = 4.0):
    """Plain word 1-2-gram TF-IDF + logistic regression (the baseline to beat)."""
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(C=C, max_iter=3000).fit(vec.fit_transform(train_texts), train_y)
    return lambda texts: clf.predict_proba(vec.transform(texts))[:, 1]


def _resolve(files: list[Path] | None, task: str) -> list[Path]:
    if files:
        return [Path(f) for f in files]
    return [data_dir() / f for f in DEFAULT_FILES[task]]


def _print_table(log: Callable[[str], None], title: str, rows: dict[str, dict[str, Any]]) -> None:
    log(f"\n{title}")
    keys = ["n", "roc_auc", "accuracy", "f1", "precision", "recall", "brier"]
    log(f"  {'':38s}" + "".join(f"{k:>10s}" for k in keys))
    for name, m in rows.items():
        cells = "".join(
            f"{'-' if m.get(k) is None else m[k]:>10}" for k in keys
        )
        log(f"  {name:38s}{cells}")


# --- spoilers --------------------------------------------------------------------------
def evaluate_spoilers(files, log, threshold: float | None = None, profile: str = "fast"
                      ) -> dict[str, Any]:
    from ..api import Analyser

    analyser = Analyser(spoiler_threshold=threshold, profile=profile)
    thr = analyser.spoiler_threshold
    sent_rows: list[dict] = []
    review_rows: list[dict] = []
    for f in files:
        for r in read_jsonl(f):
            (sent_rows if "sentence" in r else review_rows).append(r)
    results: dict[str, Any] = {"threshold": thr}
    tables: dict[str, dict[str, Any]] = {}
    predictions: list[dict[str, Any]] = []
    if sent_rows:
        groups: dict[str, list[dict]] = defaultdict(list)
        for k, r in enumerate(sent_rows):
            # TV Tropes "reviews" are blocks of unrelated sentences: score each on its own.
            key = f"{r['review_id']}#{k}" if r["source"].startswith("tvtropes") else r["review_id"]
            groups[key].append(r)
        probs: dict[int, float] = {}
        index = {id(r): k for k, r in enumerate(sent_rows)}
        for rows in groups.values():
            rows.sort(key=lambda r: r.get("i", 0))
            texts = [r["sentence"] for r in rows]
            keep = [r for r, t in zip(rows, texts, strict=True) if t.split()]
            if not keep:
                continue
            res = analyser.analyse_sentences([r["sentence"] for r in keep])
            for r, s in zip(keep, res.sentences, strict=True):
                probs[index[id(r)]] = s.spoiler.probability
        ks = sorted(probs)
        y = np.array([sent_rows[k]["spoiler"] for k in ks])
        p = np.array([probs[k] for k in ks])
        src = np.array([sent_rows[k]["source"] for k in ks])
        predictions.extend(
            {"task": "spoilers", "level": "sentence", "source": str(src[j]),
             "text": sent_rows[k]["sentence"], "label": int(y[j]), "probability": float(p[j]),
             "predicted": int(p[j] >= thr)}
            for j, k in enumerate(ks))
        tables["analyser (all sentences)"] = metrics(y, p, thr)
        for s in sorted(set(src)):
            m = src == s
            tables[f"analyser [{s}]"] = metrics(y[m], p[m], thr)
        # baselines, same run
        train_rows = [r for f in TRAIN_FILES["spoilers"] for r in read_jsonl(data_dir() / f)
                      if r["source"] != "reddit_untagged"] if data_dir().exists() else []
        texts = [sent_rows[k]["sentence"] for k in ks]
        majority = 0.0
        if train_rows:
            ty = np.array([r["spoiler"] for r in train_rows])
            majority = float(ty.mean() >= 0.5)
            bow = _bow_baseline([r["sentence"] for r in train_rows], ty)
            pb = bow(texts)
            tables["baseline TF-IDF+LR (all)"] = metrics(y, pb, 0.5)
            for s in sorted(set(src)):
                m = src == s
                tables[f"baseline TF-IDF+LR [{s}]"] = metrics(y[m], pb[m], 0.5)
        tables["baseline majority class (all)"] = metrics(y, np.full(len(y), majority), 0.5)
        _print_table(log, f"Spoilers, sentence level (threshold {thr})", tables)
    if review_rows:
        rt: dict[str, dict[str, Any]] = {}
        y = np.array([r["spoiler"] for r in review_rows])
        p = []
        shares = []  # share of each review's sentences that get flagged
        for r in review_rows:
            res = analyser.analyse(r["text"])
            p.append(max((s.spoiler.probability for s in res.sentences), default=0.0))
            shares.append(float(np.mean([s.spoiler.flag for s in res.sentences]))
                          if res.sentences else 0.0)
        predictions.extend(
            {"task": "spoilers", "level": "review", "source": r.get("source", "?"),
             "text": r["text"], "label": int(r["spoiler"]), "probability": float(q),
             "predicted": int(q >= thr)}
            for r, q in zip(review_rows, p, strict=True))
        rt["analyser (max sentence prob)"] = metrics(y, np.array(p), thr)
        rt["baseline majority class"] = metrics(y, np.zeros(len(y)), 0.5)
        _print_table(log, "Spoilers, review level (any sentence flagged)", rt)
        # How noisy the flag is on real reviews: the writers of y == 0 reviews said they
        # hold no spoilers, so every flag there is (by their word) a false alarm.
        sh = np.array(shares)
        wild = {side: {"reviews": int((y == v).sum()),
                       "mean_share_of_sentences_flagged": round(float(sh[y == v].mean()), 4),
                       "share_of_reviews_with_a_flag": round(float((sh[y == v] > 0).mean()), 4)}
                for side, v in (("no_spoiler_reviews", 0), ("spoiler_reviews", 1))
                if (y == v).any()}
        for side, m in wild.items():
            log(f"  {side}: {m['mean_share_of_sentences_flagged']:.1%} of sentences flagged, "
                f"{m['share_of_reviews_with_a_flag']:.1%} of reviews with a flag "
                f"({m['reviews']} reviews)")
        results["review_flags"] = wild
        tables.update({f"review: {k}": v for k, v in rt.items()})
    results["tables"] = tables
    results["predictions"] = predictions
    return results


# --- sentiment -------------------------------------------------------------------------
def evaluate_sentiment(files, log, threshold: float | None = None, profile: str = "fast"
                       ) -> dict[str, Any]:
    from ..api import Analyser

    analyser = Analyser(profile=profile)
    rows = [r for f in files for r in read_jsonl(f) if r.get("label") in ("pos", "neg")]
    y = np.array([r["label"] == "pos" for r in rows], dtype=int)
    score = np.zeros(len(rows))
    for k, r in enumerate(rows):
        if r.get("level") == "sentence":
            res = analyser.analyse_sentences([r["text"]])
            score[k] = res.sentences[0].sentiment if res.sentences else 0.0
        else:
            score[k] = analyser.analyse(r["text"]).sentiment.score
    prob = (score + 1) / 2
    levels = np.array([r.get("level", "review") for r in rows])
    srcs = np.array([r.get("source", "?") for r in rows])
    predictions = [
        {"task": "sentiment", "level": str(lv), "source": str(sc), "text": r["text"],
         "label": int(t), "probability": float(q), "predicted": int(q >= 0.5)}
        for r, t, q, lv, sc in zip(rows, y, prob, levels, srcs, strict=True)
    ]
    tables: dict[str, dict[str, Any]] = {}
    for s in sorted(set(srcs)):
        m = srcs == s
        tables[f"analyser [{s}]"] = metrics(y[m], prob[m])

    vader = _vader()
    if vader is not None:
        vs = np.array([vader(r["text"]) for r in rows])
        for s in sorted(set(srcs)):
            m = srcs == s
            tables[f"baseline VADER [{s}]"] = metrics(y[m], (vs[m] + 1) / 2, 0.5 + 1e-9)
    if data_dir().exists():
        train = [r for r in read_jsonl(data_dir() / "sentiment/train.jsonl") if r["label"]]
        for level in ("sentence", "review"):
            tr = [r for r in train if r["level"] == level]
            m_level = levels == level
            if not tr or not m_level.any():
                continue
            bow = _bow_baseline([r["text"] for r in tr], [r["label"] == "pos" for r in tr])
            pb = np.zeros(len(rows))
            pb[m_level] = bow([r["text"] for r, m in zip(rows, m_level, strict=True) if m])
            for s in sorted(set(srcs[m_level])):
                m = srcs == s
                tables[f"baseline TF-IDF+LR [{s}]"] = metrics(y[m], pb[m])
    for s in sorted(set(srcs)):
        m = srcs == s
        maj = float(y[m].mean() >= 0.5)
        tables[f"baseline majority [{s}]"] = metrics(y[m], np.full(m.sum(), maj))
    _print_table(log, "Sentiment (pos/neg; score >= 0 counts as positive)", tables)
    return {"tables": tables, "predictions": predictions}


def _vader() -> Callable[[str], float] | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    sia = SentimentIntensityAnalyzer()
    return lambda text: sia.polarity_scores(text)["compound"]


# --- sections --------------------------------------------------------------------------
def evaluate_sections(files, log, threshold: float | None = None, profile: str = "fast"
                      ) -> dict[str, Any]:
    from ..api import Analyser

    analyser = Analyser(profile=profile)
    rows = [r for f in files for r in read_jsonl(f) if r.get("section") in ("plot", "opinion")]
    y = np.array([r["section"] == "plot" for r in rows], dtype=int)
    prob = np.zeros(len(rows))
    label_is_plot = np.zeros(len(rows))
    labels: dict[str, int] = defaultdict(int)
    for k, r in enumerate(rows):
        res = analyser.analyse_sentences([r["text"]])
        s = res.sentences[0]
        prob[k] = s.plot_probability
        label_is_plot[k] = float(s.section == "plot")
        labels[s.section] += 1
    predictions = [
        {"task": "sections", "level": "sentence", "source": r.get("source", "?"),
         "text": r["text"], "label": int(t), "probability": float(q), "predicted": int(q >= 0.5)}
        for r, t, q in zip(rows, y, prob, strict=True)
    ]
    tables = {
        "analyser plot probability": metrics(y, prob),
        "analyser section label (plot vs rest)": metrics(y, label_is_plot),
    }
    if data_dir().exists():
        train = read_jsonl(data_dir() / "sections/train.jsonl")
        bow = _bow_baseline([r["text"] for r in train], [r["section"] == "plot" for r in train])
        tables["baseline TF-IDF+LR"] = metrics(y, bow([r["text"] for r in rows]))
        maj = float(np.mean([r["section"] == "plot" for r in train]) >= 0.5)
        tables["baseline majority class"] = metrics(y, np.full(len(y), maj))
    _print_table(log, "Sections, plot vs opinion sentences", tables)
    log(f"  predicted labels: {dict(labels)}")
    return {"tables": tables, "predicted_labels": dict(labels), "predictions": predictions}


def _evaluate_reviews(files, log, threshold: float | None = None, profile: str = "fast"
                      ) -> dict[str, Any]:
    from .evaluate_reviews import evaluate_reviews

    return evaluate_reviews(files, log, threshold, profile)


EVALUATORS = {
    "spoilers": evaluate_spoilers,
    "sentiment": evaluate_sentiment,
    "sections": evaluate_sections,
    "reviews": _evaluate_reviews,
    "context": _evaluate_reviews,  # the context model is judged on whole reviews
}


def evaluate_task(task: str, files: list[Path] | None, log: Callable[[str], None] = print,
                  threshold: float | None = None, *, predictions: bool = False,
                  profile: str = "fast") -> dict[str, Any]:
    """Metrics tables for `task` (printed, and returned). With `predictions`, the result also
    holds ``predictions``: a DataFrame with one row per scored example (task, level,
    source, text, label, probability, predicted) for plots and error analysis."""
    paths = _resolve(files, task)
    log(f"evaluating {task} on: " + ", ".join(str(p) for p in paths))
    result = EVALUATORS[task](paths, log, threshold, profile)
    rows = result.pop("predictions", [])
    result = {"task": task, "profile": profile, "files": [str(p) for p in paths], **result}
    log(json.dumps(result))
    if predictions:
        import pandas as pd

        result["predictions"] = pd.DataFrame(
            rows, columns=["task", "level", "source", "text", "label", "probability",
                           "predicted"])
    return result
