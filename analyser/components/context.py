"""`review_context`: the final section, spoiler and sentiment decisions, read in context.

Runs after the sentence models. A first stage (word n-grams, trained on real annotated
reviews) scores every sentence for section, spoiler kind and sentiment; a second stage
combines those scores with the earlier models' outputs, the sentence's neighbours, its place
in the review and in its run of plot sentences, and whether the writer warned of spoilers
before it (:mod:`analyser.context`). It assigns:

* ``section``: summary / plot / opinion / info, unless a heading already named the section
  or the sentence is a credits line ("Director: ...", kept as ``info``);
* ``spoiler``, ``spoiler_flag``, ``spoiler_kind`` (hint / explicit), ``spoiler_reasons``;
* ``sentiment_label`` (pos / neg / neu) beside the polarity score ``sentiment``;
* ``doc._.sentiment_label``: the review verdict (positive / negative / mixed / neutral).

A no-spoiler promise ("I won't spoil the ending") still lowers the probability, as a
documented rule: the annotated data has too few of them to learn it.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..context import (
    FLAG_NAMES,
    HEADS,
    SECTION_LABELS,
    SENTIMENT_LABELS,
    VERDICT_LABELS,
    check_columns,
    context_columns,
    context_matrix,
    sentence_flags,
    sentence_rows,
    softmax,
    verdict_matrix,
)
from ..features import CUE_NAMES
from ..headings import heading_label
from ..models import default_path
from ..vectorise import TokenBatch, count_matrix
from .base import ModelComponent
from .sections import build_sections
from .spoilers import informative, readable

_CONTEXT_REASONS = {
    "warned_before": "after a spoiler warning",
    "pos:rel": "late in the review",
    "plot_run:rel": "late in the plot retelling",
    "spoiler_x_run": "late in the plot retelling",
    "spoiler_x_rel": "late in the review",
    "prev:spoiler": "follows a spoiler",
    "next:spoiler": "precedes a spoiler",
    "window:spoiler": "among other spoilers",
    "plot_before_share": "after most of the plot retelling",
    **{f"cue:{c}": readable(f"__cue_{c}__") for c in ("death", "reveal", "identity", "ending",
                                                       "hint")},
}


_CREDITS = FLAG_NAMES.index("credits_line")


@Language.factory(
    "review_context",
    default_config={"model_path": None, "trust_model": False, "threshold": None,
                    "promise_factor": 0.25, "n_reasons": 4},
    assigns=["doc._.sentence_table", "doc._.sections", "doc._.sentiment_label"],
    requires=["doc._.sentence_table"],
)
def make_review_context(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                        threshold: float | None, promise_factor: float, n_reasons: int
                        ) -> ReviewContext:
    return ReviewContext(name, model_path=model_path, trust_model=trust_model,
                         threshold=threshold, promise_factor=promise_factor,
                         n_reasons=n_reasons, nlp=nlp)



class ReviewContext(ModelComponent):
    task = "context"
    token_models = ("stage1",)

    def __init__(self, name: str = "review_context", *, model_path: str | None = None,
                 trust_model: bool = False, threshold: float | None = None,
                 promise_factor: float = 0.25, n_reasons: int = 4,
                 nlp: Language | None = None) -> None:
        super().__init__(name, model_path=model_path, trust_model=trust_model, nlp=nlp)
        check_columns(self.models, model_path or str(default_path(self.task)))
        self.stage1 = self.models["stage1"]
        self.index = self.indexes["stage1"]
        self.threshold = float(threshold if threshold is not None else self.bundle["threshold"])
        self.promise_factor = promise_factor
        self.n_reasons = n_reasons
        self.column_means = np.asarray(self.bundle["column_means"], dtype=np.float64)
        self.columns = context_columns()
        # a word's push towards "spoiler" in the first stage: P(hint or explicit) vs none
        start = len(HEADS["section"])
        w = self.stage1.weights[:, start : start + 3].astype(np.float64)
        self._word_push = (w[:, 1:].max(axis=1) - w[:, 0])
        self._readable = np.fromiter(map(informative, self.stage1.features), bool,
                                     len(self.stage1.features))
        self._reason_cols = [self.columns.index(c) for c in _CONTEXT_REASONS]

    def first_stage(self, batch: TokenBatch) -> tuple[np.ndarray, object]:
        ix = self.index
        X = count_matrix(batch.n_sents, ix.n_columns,
                         [ix.unigrams(batch, batch.sent), ix.bigrams(batch, batch.sent)])
        X = self.stage1.transform(X)
        return self.stage1.decision(X), X

    def decide(self, docs: list[Doc], batch: TokenBatch) -> dict | None:
        """The second stage's outputs for every body sentence of `docs` (None: no sentences):
        section and sentiment probabilities, the spoiler probability, flag and kind, the
        reasons of flagged rows, and the review verdict probabilities (one row per doc with
        sentences). :meth:`annotate` writes them; training reads them."""
        rows = sentence_rows(docs, batch)
        if rows is None:
            return None
        tables, counts, texts = rows
        logits, X1 = self.first_stage(batch)
        cue_sets = [set(c) for c in batch.cues(docs)]
        cues = np.array([[f"__cue_{c}__" in s for c in CUE_NAMES] for s in cue_sets], float)
        flags = sentence_flags(texts)
        heads = [heading_label(h) if h else None for t in tables for h in t["heading"]]
        prior = np.column_stack([
            [v for t in tables for v in t["plot_prob"]],
            [v for t in tables for v in t["spoiler"]],
            [v for t in tables for v in t["sentiment"]]])
        review = np.repeat(np.arange(len(docs)), counts)
        paragraph = np.array([p for t in tables for p in t["paragraph"]], np.int64)
        C = context_matrix(review, logits, prior, cues, flags, paragraph, heads)

        sec = softmax(self.models["section"].decision(C))
        sent = softmax(self.models["sentiment"].decision(C))
        p_spoil = self.models["spoiler"].proba(C)
        promised = cues[:, CUE_NAMES.index("no_spoil")] > 0
        p_spoil = np.where(promised, p_spoil * self.promise_factor, p_spoil)
        flag = p_spoil >= self.threshold
        scored = [d for d, n in enumerate(counts) if n]
        prior_review = np.array([docs[d]._.sentiment or 0.0 for d in scored], float)
        return {
            "tables": tables, "counts": counts, "heads": heads, "flags": flags,
            "section": sec, "sentiment": sent, "spoiler": p_spoil, "flag": flag,
            "hint": self.models["kind"].proba(C) >= 0.5,
            "reasons": self._reasons(np.flatnonzero(flag), X1, C, cue_sets),
            # one verdict row per review that has sentences, in document order
            "scored": scored,
            "verdict_inputs": verdict_matrix(review, sent, sec, prior_review, texts),
        }

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:
        out = self.decide(docs, batch)
        if out is None:
            return
        tables, counts, heads, flags = out["tables"], out["counts"], out["heads"], out["flags"]
        sec, sent, p_spoil, flag, hint = (out[k] for k in ("section", "sentiment", "spoiler",
                                                           "flag", "hint"))
        reasons = out["reasons"]
        rows_v = softmax(self.models["verdict"].decision(out["verdict_inputs"]))
        verdict = dict(zip(out["scored"], rows_v.argmax(axis=1).tolist(), strict=True))
        i = 0
        for d, (doc, table, n) in enumerate(zip(docs, tables, counts, strict=True)):
            rows = slice(i, i + n)
            # a heading that names the section wins, then a credits line ("Director: X")
            labels = [h if h in SECTION_LABELS else "info" if credits else SECTION_LABELS[int(k)]
                      for h, credits, k in zip(heads[rows], flags[rows, _CREDITS] > 0,
                                               sec[rows].argmax(1), strict=True)]
            table["section"] = labels
            table["spoiler"] = p_spoil[rows].tolist()
            table["spoiler_flag"] = flag[rows].tolist()
            table["spoiler_kind"] = [("hint" if h else "explicit") if f else None
                                     for h, f in zip(hint[rows], flag[rows], strict=True)]
            table["spoiler_reasons"] = [reasons.get(k, []) for k in range(i, i + n)]
            table["sentiment_label"] = [SENTIMENT_LABELS[int(k)]
                                        for k in sent[rows].argmax(1)]
            doc._.sections = build_sections(table, labels)
            section_sentiment(doc._.sections, table)
            if n:
                doc._.sentiment_label = VERDICT_LABELS[verdict[d]]
            i += n

    def _reasons(self, rows: np.ndarray, X1, C: np.ndarray, cue_sets) -> dict[int, list[str]]:
        """For each flagged row: what in its context pushed it up most (late in the plot, a
        warning before it, spoiler cues), then the words that did."""
        out: dict[int, list[str]] = {}
        if not len(rows):
            return out
        w = self.models["spoiler"].weights.astype(np.float64)
        mean = self.column_means
        for k in rows.tolist():
            found: list[str] = []
            if "__cue_hint__" in cue_sets[k]:
                found.append(readable("__cue_hint__"))
            push = [(w[j] * (C[k, j] - mean[j]), j) for j in self._reason_cols]
            for v, j in sorted(push, reverse=True):
                name = _CONTEXT_REASONS[self.columns[j]]
                if v > 0.05 and name not in found and len(found) < 2:
                    found.append(name)
            lo, hi = X1.indptr[k], X1.indptr[k + 1]
            cols = X1.indices[lo:hi]
            contrib = self._word_push[cols]
            for j in cols[np.argsort(-contrib)].tolist():
                if len(found) >= self.n_reasons or self._word_push[j] <= 0:
                    break
                if self._readable[j]:
                    name = readable(str(self.stage1.features[j]))
                    if name not in found:
                        found.append(name)
            out[k] = found
        return out


def section_sentiment(sections: list[dict], table: dict) -> None:
    """Each section's sentiment: the mean polarity score of its sentences (sections are
    runs of consecutive sentences, so a slice of the cumulative sum)."""
    starts = table["start"]
    cum = np.concatenate([[0.0], np.cumsum(table["sentiment"])])
    j = 0
    for sec in sections:
        i = j
        while j < len(starts) and starts[j] < sec["end"]:
            j += 1
        sec["sentiment"] = float((cum[j] - cum[i]) / (j - i)) if j > i else 0.0
