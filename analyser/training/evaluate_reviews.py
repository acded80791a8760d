"""``analyser evaluate reviews [FILE]``: the analyser on whole real reviews, as a user sees it.

Each review of a ``reviews_annotated``-format file is analysed whole through the public API;
every sentence of the analyser's split takes the gold labels of the annotated sentence it
overlaps most. In the same run: the previous pipeline (the sentence models without the
context stage: its sentiment has no neutral class, so a sentence is pos or neg by its score's
sign) and a bag-of-words baseline (TF-IDF + logistic regression per label, trained on the
annotated train split, sentence alone). Sections are scored on the four section classes
(sentences labelled ``other`` are left out of that score only).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from ..context import SECTION_LABELS, SENTIMENT_LABELS, VERDICT_LABELS
from .data import data_dir, read_jsonl
from .reviews import overlap_labels

DEV_FILE = "reviews_annotated/dev.jsonl"
TRAIN_FILE = "reviews_annotated/train.jsonl"


def _gold(reviews: list[dict], analyses) -> dict[str, Any]:
    sec, spo, sent, rev = [], [], [], []
    for k, (r, a) in enumerate(zip(reviews, analyses, strict=True)):
        g = overlap_labels([s.start for s in a.sentences], [s.end for s in a.sentences],
                           r["sentences"])
        for x in g:
            x = x or {"section": "other", "spoiler": "none", "sentiment": "neu"}
            sec.append(x["section"])
            spo.append(x["spoiler"])
            sent.append(x["sentiment"])
            rev.append(k)
    return {"section": np.array(sec), "spoiler": np.array(spo), "sentiment": np.array(sent),
            "review": np.array(rev), "verdict": np.array([r["overall"] for r in reviews])}


def _predictions(analyses, *, neutral: bool) -> dict[str, Any]:
    sents = [s for a in analyses for s in a.sentences]
    if neutral:
        senti = [s.sentiment_label for s in sents]
    else:
        senti = ["pos" if s.sentiment > 0 else "neg" for s in sents]
    return {"section": np.array([s.section for s in sents]),
            "probability": np.array([s.spoiler.probability for s in sents]),
            "flag": np.array([s.spoiler.flag for s in sents]),
            "kind": np.array([s.spoiler.kind or "" for s in sents]),
            "sentiment": np.array(senti),
            "verdict": np.array([a.sentiment.label for a in analyses])}


def _bow(reviews: list[dict], analyses) -> dict[str, Any]:
    """Sentence-alone TF-IDF + LR per label, trained on the annotated train split."""
    train = [s for r in read_jsonl(data_dir() / TRAIN_FILE) for s in r["sentences"]]
    texts = [s.text for a in analyses for s in a.sentences]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    X = vec.fit_transform([s["text"] for s in train])
    Xt = vec.transform(texts)
    out: dict[str, Any] = {}
    keep = [i for i, s in enumerate(train) if s["section"] in SECTION_LABELS]
    out["section"] = LogisticRegression(C=4, max_iter=3000).fit(
        X[keep], [train[i]["section"] for i in keep]).predict(Xt)
    spo = LogisticRegression(C=4, max_iter=3000).fit(X, [s["spoiler"] != "none" for s in train])
    out["probability"] = spo.predict_proba(Xt)[:, 1]
    out["sentiment"] = LogisticRegression(C=4, max_iter=3000).fit(
        X, [s["sentiment"] for s in train]).predict(Xt)
    # the threshold with the best F1 on the train split itself (a generous baseline)
    p_train = spo.predict_proba(X)[:, 1]
    y_train = np.array([s["spoiler"] != "none" for s in train])
    grid = np.arange(0.05, 0.95, 0.01)
    f1s = [f1_score(y_train, p_train >= t, zero_division=0) for t in grid]
    out["flag"] = out["probability"] >= grid[int(np.argmax(f1s))]
    out["kind"] = np.where(out["flag"], "explicit", "")
    out["verdict"] = None
    return out


def _metrics(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    m: dict[str, Any] = {}
    has_sec = np.isin(gold["section"], SECTION_LABELS)
    m["section_macro_f1"] = round(float(f1_score(
        gold["section"][has_sec], pred["section"][has_sec], labels=list(SECTION_LABELS),
        average="macro", zero_division=0)), 4)
    per = f1_score(gold["section"][has_sec], pred["section"][has_sec],
                   labels=list(SECTION_LABELS), average=None, zero_division=0)
    m["section_f1"] = {lab: round(float(v), 4) for lab, v in zip(SECTION_LABELS, per,
                                                                    strict=True)}
    y = gold["spoiler"] != "none"
    p, r, f, _ = precision_recall_fscore_support(y, pred["flag"], average="binary",
                                                 zero_division=0)
    m["spoiler_roc_auc"] = round(float(roc_auc_score(y, pred["probability"])), 4)
    m["spoiler_precision"], m["spoiler_recall"], m["spoiler_f1"] = (
        round(float(p), 4), round(float(r), 4), round(float(f), 4))
    hint = gold["spoiler"] == "hint"
    m["hint_found"] = f"{int(pred['flag'][hint].sum())}/{int(hint.sum())}"
    free = [k for k in np.unique(gold["review"]) if not y[gold["review"] == k].any()]
    flagged = sum(bool(pred["flag"][gold["review"] == k].any()) for k in free)
    m["spoiler_free_reviews_flagged"] = round(flagged / max(len(free), 1), 4)
    m["spoiler_free_reviews"] = f"{flagged}/{len(free)}"
    m["sentiment_macro_f1"] = round(float(f1_score(
        gold["sentiment"], pred["sentiment"], labels=list(SENTIMENT_LABELS), average="macro",
        zero_division=0)), 4)
    if pred["verdict"] is not None:
        v, pv = gold["verdict"], pred["verdict"]
        m["verdict_accuracy"] = round(float(accuracy_score(v, pv)), 4)
        mixed = v == "mixed"
        m["mixed_found"] = f"{int((pv[mixed] == 'mixed').sum())}/{int(mixed.sum())}"
        m["verdict_confusion"] = confusion_matrix(v, pv, labels=list(VERDICT_LABELS)).tolist()
    return m


def evaluate_reviews(files: list[Path], log: Callable[[str], None],
                     threshold: float | None = None, profile: str = "fast") -> dict[str, Any]:
    """`profile` is scored as "analyser"; the other profile, when it can be loaded (the
    accurate one needs its extra), is scored beside it in the same run."""
    from ..api import Analyser
    from ..errors import ModelError
    from ..pipeline import PROFILES, STAGES

    reviews = [r for f in files for r in read_jsonl(f)]
    texts = [r["text"] for r in reviews]
    current = Analyser(spoiler_threshold=threshold, profile=profile)
    analyses = list(current.pipe(texts))
    gold = _gold(reviews, analyses)
    systems = {"analyser": _metrics(gold, _predictions(analyses, neutral=True))}
    for other in PROFILES:
        if other == profile:
            continue
        try:
            alt = Analyser(spoiler_threshold=threshold, profile=other)
        except ModelError as exc:
            log(f"{other} profile not scored: {exc}")
            continue
        systems[f"{other} profile"] = _metrics(gold, _predictions(list(alt.pipe(texts)),
                                                                  neutral=True))
    previous = Analyser(stages=tuple(s for s in STAGES if s != "context"))
    before = list(previous.pipe(texts))
    systems["previous (no context stage)"] = _metrics(gold, _predictions(before, neutral=False))
    if (data_dir() / TRAIN_FILE).exists():
        systems["bag of words (sentence alone)"] = _metrics(gold, _bow(reviews, analyses))
    log(f"{len(reviews)} reviews, {len(gold['review'])} sentences; profile {profile}, "
        f"spoiler threshold {current.spoiler_threshold}")
    keys = ["section_macro_f1", "spoiler_roc_auc", "spoiler_precision", "spoiler_recall",
            "spoiler_f1", "hint_found", "spoiler_free_reviews", "sentiment_macro_f1",
            "verdict_accuracy", "mixed_found"]
    width = max(map(len, systems)) + 2
    log("system".ljust(width) + " ".join(k[:18].rjust(18) for k in keys))
    for name, m in systems.items():
        log(name.ljust(width) + " ".join(str(m.get(k, "-"))[:18].rjust(18) for k in keys))
    m = systems["analyser"]
    log("analyser section F1 per class: " + ", ".join(
        f"{k} {v}" for k, v in m["section_f1"].items()))
    log(f"analyser verdict confusion (rows gold, columns predicted, {', '.join(VERDICT_LABELS)}"
        f"): {m['verdict_confusion']}")
    trade = threshold_trade(gold, _predictions(analyses, neutral=True),
                            current.spoiler_threshold)
    log("what --threshold trades (analyser): " + "; ".join(
        f"{t['threshold']}: P {t['spoiler_precision']} R {t['spoiler_recall']} "
        f"F1 {t['spoiler_f1']}, hints {t['hint_found']}, spoiler-free flagged "
        f"{t['spoiler_free_reviews']}" for t in trade))
    return {"threshold": current.spoiler_threshold, "n_reviews": len(reviews),
            "n_sentences": int(len(gold["review"])), "systems": systems,
            "threshold_trade": trade}


TRADE_THRESHOLDS = (0.25, 0.4, 0.5)


def threshold_trade(gold: dict[str, Any], pred: dict[str, Any], default: float
                    ) -> list[dict[str, Any]]:
    """The spoiler flag's precision, recall, hints and false alarms at a few thresholds
    around the default (the probabilities do not depend on the threshold, so one run
    serves every row)."""
    keys = ("spoiler_precision", "spoiler_recall", "spoiler_f1", "hint_found",
            "spoiler_free_reviews")
    rows = []
    for t in sorted({*TRADE_THRESHOLDS, round(float(default), 3)}):
        m = _metrics(gold, dict(pred, flag=pred["probability"] >= t, verdict=None))
        rows.append({"threshold": t, "default": t == round(float(default), 3),
                     **{k: m[k] for k in keys}})
    return rows
