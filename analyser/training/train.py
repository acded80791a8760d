"""Training the three shipped models from ``../shared/data``.

Model selection uses cross-validation on the train split only; the dev split is scored once,
afterwards, by :mod:`analyser.training.evaluate` through the public API. Everything is seeded
so ``analyser train TASK`` rebuilds the same file from the same data.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import (
    GroupKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_predict,
)
from sklearn.pipeline import Pipeline

from ..features import (
    SECTION_CHAR_NS,
    SENTIMENT_CHAR_NS,
    SPOILER_CHAR_NS,
    SPOILER_CHAR_TEXT,
    identity,
    ngrams,
    review_features,
    section_features,
    sentence_sentiment_features,
    sentiment_features,
    spoiler_features,
    token_char_ngrams,
    tokens_of,
)
from ..linear import LinearText
from ..modelfile import write_bundle
from ..models import (
    FORMAT_VERSION,
    TASKS,
    bundle_for_file,
    models_dir,
    sha256_of,
    write_manifest_entry,
)
from ..vectorise import compile_vocabulary
from .data import data_dir, file_sha256, read_jsonl, tokenize
from .estimators import NBScaler, interpolate_towards_mean
from .grouping import near_duplicate_groups, shares_rare_kgram

SEED = 13


def text_model(C: float, *, nb: bool, min_df: int = 2, max_features: int | None = None,
               ngram_idf: bool = True) -> Pipeline:
    """Features (lists of strings) -> vectoriser -> [NB scaling] -> logistic regression."""
    if nb:
        vec = TfidfVectorizer(analyzer=identity, min_df=min_df, max_features=max_features,
                              binary=True, use_idf=False, norm=None, dtype=np.float32)
        steps = [("vec", vec), ("nb", NBScaler()), ]
    else:
        vec = TfidfVectorizer(analyzer=identity, min_df=min_df, max_features=max_features,
                              sublinear_tf=True, use_idf=ngram_idf, dtype=np.float32)
        steps = [("vec", vec)]
    steps.append(("clf", LogisticRegression(C=C, max_iter=5000, random_state=SEED)))
    return Pipeline(steps)


def inference_form(pipeline: Pipeline, *, negation: bool = False,
                   char_ns: tuple[int, ...] = (), char_text: str = "raw") -> LinearText:
    """What the model file keeps of a fitted text pipeline: weights over named features and
    the vocabulary compiled for the run-time feature index (same options as its features)."""
    model = LinearText.from_estimator(pipeline)
    model.index = compile_vocabulary(model.features, negation=negation, char_ns=char_ns,
                                     char_text=char_text)
    return model


def _oof(model_fn: Callable[[], Pipeline], X, y, groups=None, method="predict_proba", *,
         near_duplicates: bool = False):
    """Out-of-fold predictions. `groups` keep related rows (one review's sentences) in one
    fold; with `near_duplicates` they are near-duplicate clusters
    (:func:`analyser.training.grouping.near_duplicate_groups`) and folds stay stratified."""
    if near_duplicates:
        cv = StratifiedGroupKFold(5, shuffle=True, random_state=SEED)
    elif groups is not None:
        cv = GroupKFold(n_splits=5)
    else:
        cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
    out = cross_val_predict(model_fn(), X, y, cv=cv, groups=groups, method=method, n_jobs=1)
    return out[:, 1] if method == "predict_proba" else out


def _folds(y: np.ndarray, groups) -> list:
    """Stratified 5 folds that keep each near-duplicate group together."""
    cv = StratifiedGroupKFold(5, shuffle=True, random_state=SEED)
    return list(cv.split(np.zeros(len(y)), y, groups))


def _nblr(X, y, C: float, beta: float | None, min_df: int = 2) -> Pipeline:
    """A fitted NB-LR text model, interpolated towards NB by `beta` (None: not)."""
    model = text_model(C, nb=True, min_df=min_df).fit(X, y)
    return interpolate_towards_mean(model, beta) if beta is not None else model


def _oof_logits(fit: Callable[[list, np.ndarray], Pipeline], X: list, y: np.ndarray,
                folds: list) -> np.ndarray:
    z = np.zeros(len(y))
    for tr, te in folds:
        z[te] = fit([X[i] for i in tr], y[tr]).decision_function([X[i] for i in te])
    return z


def _stack(inputs: list[np.ndarray], y: np.ndarray, folds: list, C: float = 1.0):
    """A logistic-regression stacker over out-of-fold logits, and its own OOF P(positive)."""
    S = np.column_stack(inputs)
    stacker = LogisticRegression(C=C, max_iter=2000).fit(S, y)
    oof = cross_val_predict(LogisticRegression(C=C, max_iter=2000), S, y, cv=folds,
                            method="predict_proba")[:, 1]
    return stacker, oof


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z)))


def _metrics(y, p, threshold=0.5) -> dict[str, float]:
    y = np.asarray(y).astype(int)
    pred = (np.asarray(p) >= threshold).astype(int)
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "f1": round(float(f1_score(y, pred)), 4),
        "n": int(len(y)),
    }


def _data_files(*rel: str) -> list[dict[str, str]]:
    return [{"path": r, "sha256": file_sha256(data_dir() / r)} for r in rel]


def _version(task: str, files: list[dict[str, str]], params: dict) -> str:
    h = hashlib.sha256(json.dumps([files, params], sort_keys=True).encode()).hexdigest()[:10]
    return f"{task}-{FORMAT_VERSION}-{h}"


# --- sections --------------------------------------------------------------------------
SECTIONS_PARAMS = {
    # NB-LR interpolated towards NB (beta): grouped CV 0.9188 against 0.9125 before. A
    # stacked character 3-5-gram model (features.SECTION_CHAR_NS = (3, 4, 5)) reaches
    # 0.9265 but makes every sentence ~8x more matrix entries: it halved the analyser's
    # speed (0.45 -> 0.26 of bare spaCy), so it is off.
    "word": {"C": 3.0, "beta": 0.25},
    "char": {"C": 1.0, "beta": 0.25, "ns": list(SECTION_CHAR_NS)} if SECTION_CHAR_NS else None,
    "min_df": 2, "stacker": {"C": 1.0}, "impurity": 0.2,
}


def _synthetic_paragraph_accuracy(p: np.ndarray, y: np.ndarray, w: float, impurity: float,
                                  rng: np.random.Generator) -> float:
    """Accuracy of paragraph-smoothed labels on synthetic reviews built from OOF scores.

    Paragraphs of 2-6 sentences are drawn with a majority label and `impurity` chance per
    sentence of the other label (real plot paragraphs carry the odd evaluative sentence).
    """
    z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
    idx = {lab: list(rng.permutation(np.where(y == lab)[0])) for lab in (0, 1)}
    correct = total = 0
    while idx[0] and idx[1]:
        major = int(rng.integers(2))
        n = int(rng.integers(2, 7))
        members = []
        for _ in range(n):
            lab = major if rng.random() >= impurity else 1 - major
            if not idx[lab]:
                break
            members.append(idx[lab].pop())
        if not members:
            break
        zz = z[members]
        sm = (1 - w) * zz + w * zz.mean() if len(members) > 1 else zz
        correct += int(((sm >= 0).astype(int) == y[members]).sum())
        total += len(members)
    return correct / max(total, 1)


def train_sections(out_dir: Path, log=print) -> dict[str, Any]:
    files = _data_files("sections/train.jsonl")
    rows = read_jsonl(data_dir() / "sections/train.jsonl")
    toks = [tokens_of(w) for w in tokenize(r["text"] for r in rows)]
    y = np.array([r["section"] == "plot" for r in rows], dtype=int)
    P = SECTIONS_PARAMS
    Pw, Pc = P["word"], P["char"]
    # (name, features, fit) of each stacked part
    parts = [("word", [ngrams(t) for t in toks],
              lambda X, y: _nblr(X, y, Pw["C"], Pw["beta"], P["min_df"]))]
    if Pc:
        parts.append(("char", [token_char_ngrams(t, Pc["ns"]) for t in toks],
                      lambda X, y: _nblr(X, y, Pc["C"], Pc["beta"], P["min_df"])))

    log(f"sections: {len(rows)} sentences; 5-fold CV, near-duplicates kept together ...")
    folds = _folds(y, near_duplicate_groups([r["text"] for r in rows]))
    logits = [_oof_logits(fit, X, y, folds) for _, X, fit in parts]
    stacker, oof = _stack(logits, y, folds, P["stacker"]["C"])
    cv = _metrics(y, oof)
    cv_parts = {name: _metrics(y, _sigmoid(z))
                for (name, _, _), z in zip(parts, logits, strict=True)}
    weights = {}
    for w in (0.0, 0.25, 0.5, 0.75):
        weights[w] = round(_synthetic_paragraph_accuracy(
            oof, y, w, P["impurity"], np.random.default_rng(SEED)), 4)
    best_w = max(weights, key=lambda k: (weights[k], -k))
    log(f"sections: CV stacked {cv}; parts {cv_parts}; context weight accuracy {weights} "
        f"-> {best_w}")
    model = LinearText.stacked([LinearText.from_estimator(fit(X, y)) for _, X, fit in parts],
                               stacker.coef_[0], stacker.intercept_[0])
    model.index = compile_vocabulary(model.features, char_ns=Pc["ns"] if Pc else (),
                                     char_text="tokens")
    params = dict(P, context_weight=best_w)
    bundle = {
        "task": "sections", "version": _version("sections", files, params),
        "models": {"plot": model}, "context_weight": best_w, "params": params,
    }
    return _save("sections", bundle, out_dir, files,
                 {"cv": cv, "cv_parts": cv_parts, "context_weight_cv": weights})


# --- spoilers --------------------------------------------------------------------------
SPOILERS_PARAMS = {
    "C": 0.03, "nb": True, "min_df": 2, "precision_goal": 0.7,
    "char_ns": list(SPOILER_CHAR_NS), "char_text": SPOILER_CHAR_TEXT,
    "sources": ["spoilers/train.jsonl", "spoilers_more/sentence_train.jsonl:reddit_tagged"]}


def _spoiler_rows() -> tuple[list[dict], list[dict[str, str]]]:
    rows = read_jsonl(data_dir() / "spoilers/train.jsonl")
    more = read_jsonl(data_dir() / "spoilers_more/sentence_train.jsonl")
    # untagged Reddit comments are noisy negatives (see the data README): not used.
    rows += [r for r in more if r["source"] == "reddit_tagged"]
    return rows, _data_files("spoilers/train.jsonl", "spoilers_more/sentence_train.jsonl")


def plot_probs_for(words: list[list[str]]) -> np.ndarray:
    """Context-free P(plot) from the shipped sections model (a spoiler feature)."""
    from ..models import load_model

    model = load_model("sections")["models"]["plot"]
    return model.predict_proba([section_features(w) for w in words])


def train_spoilers(out_dir: Path, log=print) -> dict[str, Any]:
    from ..components.spoilers import ReviewSpoilers

    rows, files = _spoiler_rows()
    texts = [r["sentence"] for r in rows]
    words = tokenize(texts)
    plot = plot_probs_for(words)
    P = SPOILERS_PARAMS
    X = [spoiler_features(w, t, p, char_ns=P["char_ns"], char_text=P["char_text"])
         for w, t, p in zip(words, texts, plot, strict=True)]
    y = np.array([r["spoiler"] for r in rows], dtype=int)
    groups = [r["review_id"] for r in rows]

    def make():
        return text_model(P["C"], nb=P["nb"], min_df=P["min_df"])

    log(f"spoilers: {len(rows)} sentences; 5-fold grouped CV ...")
    oof = _oof(make, X, y, groups=groups)
    # the same rule layer as at run time, so the threshold is chosen on what users get
    adj = ReviewSpoilers.apply_rules(oof, texts)
    # Operating point: the lowest threshold whose cross-validated precision reaches the
    # goal, i.e. as many spoilers caught as possible while most flags are right.
    prec, _, thr = precision_recall_curve(y, adj)
    ok = np.where(prec[:-1] >= P["precision_goal"])[0]
    threshold = round(float(thr[ok[0]]), 3) if len(ok) else 0.5
    cv = _metrics(y, adj, threshold)
    cv_model_only = _metrics(y, oof, threshold)
    log(f"spoilers: CV (with rules) {cv}; model only {cv_model_only}; threshold {threshold}")
    model = inference_form(make().fit(X, y), char_ns=tuple(P["char_ns"]),
                           char_text=P["char_text"])
    params = dict(P, threshold=threshold)
    bundle = {
        "task": "spoilers", "version": _version("spoilers", files, params),
        "models": {"spoiler": model}, "threshold": threshold, "params": params,
    }
    rule = "lowest threshold with OOF precision >= precision_goal"
    return _save("spoilers", bundle, out_dir, files,
                 {"cv": cv, "cv_model_only": cv_model_only, "threshold_rule": rule})


# --- sentiment -------------------------------------------------------------------------
SENTIMENT_PARAMS = {
    # NB-LR interpolated towards NB by beta: grouped CV MR/SST/CR 0.789/0.817/0.799 against
    # 0.777/0.806/0.799 without. Optional parts, stacked by an LR on their logits: character
    # 3-5-grams (features.SENTIMENT_CHAR_NS; 0.813/0.846/0.811 with the transfer part, but
    # ~8x the matrix entries: too slow) and a "transfer" model trained on whole reviews and
    # applied to sentences ({"C": 1.0, "beta": 0.25, "min_df": 3}: 0.801/0.832/0.807, dev
    # MR/SST 0.802/0.832, but it saturates scores and loses negation: "Not the worst film
    # I've seen" scored below "The worst film I've seen", CR dev 0.828 -> 0.811). Both off.
    "sentence": {"word": {"C": 1.0, "beta": 0.25},
                 "char": ({"C": 1.0, "beta": 0.25, "ns": list(SENTIMENT_CHAR_NS)}
                          if SENTIMENT_CHAR_NS else None),
                 "transfer": None,
                 "min_df": 2, "stacker": {"C": 1.0}},
    # NB-LR over uni+bi+trigrams: grouped CV IMDb 0.913 / Cornell 0.917 against 0.906 / 0.912
    # for the TF-IDF LR uni+bigram model it replaced (see models/sentiment.md)
    "review": {"C": 1.0, "nb": True, "min_df": 3, "max_features": 300_000, "trigrams": True},
    "stacker": {"C": 1.0},
}


def review_structure(texts: list[str]) -> list[tuple[list[list[str]], list[str]]]:
    """(token lists per body sentence, section label per sentence) for each review text,
    computed by the same structure + sections pipeline the analyser runs."""
    from ..features import tokens_of
    from ..pipeline import build_pipeline

    nlp = build_pipeline(stages=("structure", "sections"))
    out = []
    for doc in nlp.pipe(texts, batch_size=64):
        sents = doc._.sentences
        out.append(([tokens_of(t.text for t in s) for s in sents], [s._.section for s in sents]))
    return out


@dataclass
class _SentenceParts:
    """The sentence sentiment model's stacked parts (the transfer model last), kept so the
    review-level stacker can be fed out-of-fold transfer scores (see train_sentiment)."""

    fixed: list[LinearText]  # trained on sentences: words [, characters]
    transfer: LinearText | None
    coefs: np.ndarray
    intercept: float
    transfer_rows: np.ndarray  # review rows the transfer model may learn from

    def fold(self, transfer: LinearText | None = None) -> LinearText:
        """The parts as one model (with another `transfer` part, if given)."""
        last = [transfer or self.transfer] if self.transfer else []
        model = LinearText.stacked([*self.fixed, *last], self.coefs, self.intercept)
        model.index = compile_vocabulary(model.features, negation=True,
                                         char_ns=SENTIMENT_CHAR_NS, char_text="tokens")
        return model


def _fit_transfer(X: list, y: np.ndarray) -> Pipeline:
    Pt = SENTIMENT_PARAMS["sentence"]["transfer"]
    return _nblr(X, y, Pt["C"], Pt["beta"], Pt["min_df"])


def _sentence_sentiment(sent_rows: list[dict], rev_rows: list[dict], Xt: list, yr: np.ndarray,
                        log) -> tuple[_SentenceParts, dict]:
    """The sentence sentiment model: word[, character] and review-transfer NB-LR models
    stacked (chosen by grouped CV, see SENTIMENT_PARAMS). `Xt`: each review's features for
    the transfer model."""
    P = SENTIMENT_PARAMS["sentence"]
    Pw, Pc = P["word"], P["char"]
    log(f"sentiment: {len(sent_rows)} sentences ...")
    toks = [tokens_of(w) for w in tokenize(r["text"] for r in sent_rows)]
    ys = np.array([r["label"] == "pos" for r in sent_rows], dtype=int)
    Xw = [sentiment_features(t) for t in toks]
    parts = [("word", Xw, lambda X, y: _nblr(X, y, Pw["C"], Pw["beta"], P["min_df"]))]
    if Pc:
        parts.append(("char", [token_char_ngrams(t, Pc["ns"]) for t in toks],
                      lambda X, y: _nblr(X, y, Pc["C"], Pc["beta"], P["min_df"])))
    # MR and SST share snippets: near-duplicates stay in one fold (see grouping.py)
    texts = [r["text"] for r in sent_rows]
    folds = _folds(ys, near_duplicate_groups(texts))
    logits = [_oof_logits(fit, X, ys, folds) for _, X, fit in parts]
    # The transfer model never sees sentence labels, so its logit needs no folds; reviews
    # quoting a training sentence (a rare shared 6-gram: RT snippets) are left out so it
    # cannot have memorised them.
    transfer, rows, cv = None, np.zeros(0, np.int64), {}
    if P["transfer"]:
        rows = np.flatnonzero(~shares_rare_kgram([r["text"] for r in rev_rows], texts))
        transfer = _fit_transfer([Xt[i] for i in rows], yr[rows])
        logits.append(transfer.decision_function(Xw))
        cv = {"transfer": _metrics(ys, _sigmoid(logits[-1])), "transfer_reviews": len(rows)}
    stacker, oof = _stack(logits, ys, folds, P["stacker"]["C"])
    src = np.array([r["source"] for r in sent_rows])
    cv = {"stacked": _metrics(ys, oof), **cv,
          **{name: _metrics(ys, _sigmoid(z))
             for (name, _, _), z in zip(parts, logits[: len(parts)], strict=True)},
          "stacked_per_source": {str(s): _metrics(ys[src == s], oof[src == s])
                                 for s in sorted(set(src))}}
    log(f"sentiment: sentence CV {cv}")
    fixed = [LinearText.from_estimator(fit(X, ys)) for _, X, fit in parts]
    return _SentenceParts(fixed, transfer and LinearText.from_estimator(transfer),
                          stacker.coef_[0], float(stacker.intercept_[0]), rows), cv


def train_sentiment(out_dir: Path, log=print, exclude_ids: frozenset[str] = frozenset()
                    ) -> dict[str, Any]:
    """The sentiment models; `exclude_ids` leaves those training texts out (the context
    model's training needs scores for its reviews from a model that never saw them)."""
    from ..components.sentiment import STACK_COLUMNS, stack_features

    files = _data_files("sentiment/train.jsonl")
    rows = [r for r in read_jsonl(data_dir() / "sentiment/train.jsonl")
            if r["label"] and r["id"] not in exclude_ids]
    sent_rows = [r for r in rows if r["level"] == "sentence"]
    rev_rows = [r for r in rows if r["level"] == "review"]
    P = SENTIMENT_PARAMS

    log(f"sentiment: structuring {len(rev_rows)} reviews ...")
    t0 = time.time()
    struct = review_structure([r["text"] for r in rev_rows])
    log(f"sentiment: structured in {time.time() - t0:.0f}s")
    yr = np.array([r["label"] == "pos" for r in rev_rows], dtype=int)
    flat = [[t for s in sents for t in s] for sents, _ in struct]
    Xt = [sentiment_features(t) for t in flat]
    parts, cv_sent = _sentence_sentiment(sent_rows, rev_rows, Xt, yr, log)
    sentence_model = parts.fold()

    featurise = review_features if P["review"].get("trigrams") else sentiment_features
    Xr = [featurise(t) for t in flat]

    def make_r():
        rp = P["review"]
        return text_model(rp["C"], nb=rp["nb"], min_df=rp["min_df"],
                          max_features=rp["max_features"])

    r_groups = near_duplicate_groups([r["text"] for r in rev_rows], k=8)
    oof_logit = _oof(make_r, Xr, yr, r_groups, method="decision_function",
                     near_duplicates=True)
    cv_doc = _metrics(yr, 1 / (1 + np.exp(-oof_logit)))
    log(f"sentiment: review-model CV {cv_doc}")
    # Sentence scores of a training review must come from a sentence model whose transfer
    # part never saw that review (else the stacker learns to trust leaked scores): each
    # fold's reviews are scored with a transfer model fitted on the other folds.
    sent_scores: list[np.ndarray] = [np.zeros(0)] * len(struct)
    allowed = np.zeros(len(rev_rows), dtype=bool)
    allowed[parts.transfer_rows] = True
    folds = _folds(yr, r_groups) if parts.transfer else [(None, np.arange(len(struct)))]
    for tr, te in folds:
        fold_model = sentence_model
        if tr is not None:
            rows = tr[allowed[tr]]
            fold_model = parts.fold(LinearText.from_estimator(
                _fit_transfer([Xt[i] for i in rows], yr[rows])))
        for i in te.tolist():
            sents = struct[i][0]
            if sents:
                feats = [sentence_sentiment_features(t) for t in sents]
                sent_scores[i] = 2 * fold_model.predict_proba(feats) - 1
    S = np.array([stack_features(z, sc, labels) for z, sc, (_, labels)
                  in zip(oof_logit, sent_scores, struct, strict=True)])
    stacker_oof = _oof(lambda: LogisticRegression(C=P["stacker"]["C"], max_iter=2000), S, yr,
                       r_groups, near_duplicates=True)
    cv_stack = _metrics(yr, stacker_oof)
    per_source = {}
    for src in sorted({r["source"] for r in rev_rows}):
        m = np.array([r["source"] == src for r in rev_rows])
        per_source[src] = {"doc_model": _metrics(yr[m], 1 / (1 + np.exp(-oof_logit[m]))),
                           "stacked": _metrics(yr[m], stacker_oof[m])}
    log(f"sentiment: stacked CV {cv_stack}; per source {per_source}")
    review_model = make_r().fit(Xr, yr)
    stacker = LogisticRegression(C=P["stacker"]["C"], max_iter=2000).fit(S, yr)
    bundle = {
        "task": "sentiment", "version": _version("sentiment", files, P), "params": P,
        "models": {"sentence": sentence_model,
                   "review": inference_form(review_model, negation=True),
                   "stacker": LinearText.from_estimator(stacker, STACK_COLUMNS)},
    }
    return _save("sentiment", bundle, out_dir, files, {
        "cv_sentence": cv_sent, "cv_review_model": cv_doc, "cv_stacked": cv_stack,
        "cv_per_source": per_source,
    })


def train_context_model(out_dir: Path, log=print) -> dict[str, Any]:
    """The context model on real annotated reviews (:mod:`analyser.training.context_model`)."""
    from .context_model import train_context

    bundle, info = train_context(out_dir, log)
    return _save("context", bundle, out_dir, info["data"], info["cv"])


TRAINERS = {"sections": train_sections, "spoilers": train_spoilers, "sentiment": train_sentiment,
            "context": train_context_model}


def _save(task: str, bundle: dict, out_dir: Path, files, cv: dict) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{task}.npz"
    write_bundle(path, bundle_for_file(bundle))
    entry = {
        "file": path.name,
        "sha256": sha256_of(path),
        "version": bundle["version"],
        "bytes": path.stat().st_size,
        "trained": time.strftime("%Y-%m-%d"),
        "data": files,
        "params": bundle.get("params", {}),
        "cv": cv,
    }
    if out_dir.resolve() == models_dir().resolve():
        write_manifest_entry(task, entry)
    return entry


def train(task: str, out_dir: Path | None = None, log=print) -> dict[str, Any]:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    return TRAINERS[task](out_dir or models_dir(), log=log)
