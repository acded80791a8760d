"""`review_sentiment`: sentence, section and review sentiment in [-1, 1].

* Sentence: a negation-aware linear model trained on sentence-level review snippets;
  score = 2 * P(positive) - 1.
* Section: mean of its sentences.
* Review: a small stacked model (fitted at training time on whole reviews) that combines a
  document-level model's logit with the mean sentence scores of the opinion, summary and plot
  sentences. It learns that the writer's own evaluation matters more than the mood of the
  story retold, so a sad story the writer loved comes out positive.

Label: ``positive``/``negative`` beyond ``±neutral_band``; ``mixed`` when clearly positive
and clearly negative opinion sentences both make up at least ``mixed_share`` of the opinion
sentences and the overall score is within ``±mixed_band``; ``neutral`` otherwise.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..vectorise import FeatureIndex, TokenBatch, count_matrix
from .base import ModelComponent

_GROUPS = ("opinion", "summary", "plot")
# the stacker's inputs, in column order (stack_features / stack_rows)
STACK_COLUMNS = ["doc_logit"] + [f"{g}_{x}" for g in _GROUPS for x in ("mean", "share")] + [
    "mean", "tail_mean"]


def stack_features(doc_logit: float, sent_scores, labels) -> list[float]:
    """Inputs of the review-level stacker (shared with training)."""
    scores = np.asarray(sent_scores, dtype=float)
    labels = np.asarray(labels)
    row = [doc_logit]
    for g in _GROUPS:
        m = labels == g
        row.append(float(scores[m].mean()) if m.any() else 0.0)
        row.append(float(m.mean()) if len(labels) else 0.0)
    row.append(float(scores.mean()) if len(scores) else 0.0)
    # the last third of a review is where verdicts live
    tail = scores[len(scores) * 2 // 3 :]
    row.append(float(tail.mean()) if len(tail) else 0.0)
    return row


def stack_rows(doc_logits: np.ndarray, scores: np.ndarray, labels: list[str],
               counts: list[int]) -> np.ndarray:
    """:func:`stack_features` for a whole batch at once (docs of `counts` sentences each)."""
    n_docs = len(counts)
    doc = np.repeat(np.arange(n_docs), counts)
    n = np.bincount(doc, minlength=n_docs).astype(float)
    safe = np.maximum(n, 1)
    labels_ = np.asarray(labels, dtype=object)
    cols = [np.asarray(doc_logits, dtype=float)]
    for g in _GROUPS:
        m = labels_ == g
        c = np.bincount(doc[m], minlength=n_docs).astype(float)
        s = np.bincount(doc[m], weights=scores[m], minlength=n_docs)
        cols.append(np.where(c > 0, s / np.maximum(c, 1), 0.0))
        cols.append(c / safe)
    cols.append(np.bincount(doc, weights=scores, minlength=n_docs) / safe)
    # the last third: position within the doc >= n * 2 // 3
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    pos = np.arange(len(doc)) - first[doc] if len(doc) else np.zeros(0, int)
    tail = pos >= (np.asarray(counts)[doc] * 2 // 3)
    t_n = np.bincount(doc[tail], minlength=n_docs).astype(float)
    t_s = np.bincount(doc[tail], weights=scores[tail], minlength=n_docs)
    cols.append(np.where(t_n > 0, t_s / np.maximum(t_n, 1), 0.0))
    return np.column_stack(cols) if n_docs else np.zeros((0, len(cols)))


@Language.factory(
    "review_sentiment",
    default_config={
        "model_path": None,
        "trust_model": False,
        "neutral_band": 0.1,
        "mixed_share": 0.25,
        "mixed_band": 0.3,
    },
    assigns=["doc._.sentence_table", "doc._.sections", "doc._.sentiment",
             "doc._.sentiment_label"],
    requires=["doc._.sentence_table"],
)
def make_review_sentiment(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                          neutral_band: float, mixed_share: float, mixed_band: float
                          ) -> ReviewSentiment:
    return ReviewSentiment(name, model_path=model_path, trust_model=trust_model,
                           neutral_band=neutral_band, mixed_share=mixed_share,
                           mixed_band=mixed_band, nlp=nlp)


class ReviewSentiment(ModelComponent):
    task = "sentiment"
    token_models = ("sentence", "review")

    def __init__(self, name: str = "review_sentiment", *, model_path: str | None = None,
                 trust_model: bool = False, neutral_band: float = 0.1,
                 mixed_share: float = 0.25, mixed_band: float = 0.3,
                 nlp: Language | None = None) -> None:
        super().__init__(name, model_path=model_path, trust_model=trust_model, nlp=nlp)
        self.sentence_model = self.models["sentence"]
        self.review_model = self.models["review"]
        self.stacker = self.models["stacker"]
        self.sentence_index = self.indexes["sentence"]
        self.review_index = self.indexes["review"]
        self.neutral_band = neutral_band
        self.mixed_share = mixed_share
        self.mixed_band = mixed_band

    @staticmethod
    def _features(model, index: FeatureIndex, batch: TokenBatch, seg: np.ndarray, n_rows: int):
        """:func:`analyser.features.sentiment_features` of each segment, vectorised, plus
        trigrams (:func:`analyser.features.review_features`) and character n-grams
        (:func:`analyser.features.sentence_sentiment_features`) when the model has them."""
        parts = [index.unigrams(batch, seg), index.bigrams(batch, seg)]
        if index.has_trigrams:
            parts.append(index.trigrams(batch, seg))
        if index.char_ns:
            if seg is not batch.sent:
                raise ValueError("character n-gram features are per sentence")
            parts.append(index.char_grams(batch))
        X = count_matrix(n_rows, index.n_columns, parts)
        return model.transform(X)

    def sentence_scores(self, batch: TokenBatch) -> np.ndarray:
        """Score in [-1, 1] of every body sentence of the batch."""
        if not batch.n_sents:
            return np.zeros(0)
        X = self._features(self.sentence_model, self.sentence_index, batch, batch.sent,
                           batch.n_sents)
        return 2 * self.sentence_model.proba(X) - 1

    def review_logits(self, batch: TokenBatch) -> np.ndarray:
        """The document model's logit for every doc (all its body sentences as one text)."""
        if not batch.n_docs:
            return np.zeros(0)
        X = self._features(self.review_model, self.review_index, batch, batch.doc, batch.n_docs)
        return self.review_model.decision(X)

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:
        scores = self.sentence_scores(batch)
        doc_logits = self.review_logits(batch)
        tables = [doc._.sentence_table for doc in docs]
        counts = [len(t["start"]) for t in tables]
        labels = [lab or "opinion" for t in tables for lab in t["section"]]
        rows = stack_rows(doc_logits, scores, labels, counts)
        overall = 2 * self.stacker.proba(rows) - 1 if len(rows) else []
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        cum = np.concatenate([[0.0], np.cumsum(scores)])
        values = scores.tolist()
        for d, (doc, table, score) in enumerate(zip(docs, tables, overall, strict=True)):
            a, b = bounds[d], bounds[d + 1]
            table["sentiment"] = values[a:b]
            starts = table["start"]
            for sec in doc._.sections or ():
                # sections are runs of consecutive sentences: a slice of the cumulative sum
                i, j = a + bisect_left(starts, sec["start"]), a + bisect_left(starts, sec["end"])
                sec["sentiment"] = float((cum[j] - cum[i]) / (j - i)) if j > i else 0.0
            if a == b:
                doc._.sentiment = 0.0
                doc._.sentiment_label = "neutral"
                continue
            doc._.sentiment = float(score)
            doc._.sentiment_label = self.label(float(score), values[a:b], labels[a:b])

    def label(self, score: float, sent_scores, labels) -> str:
        ops = [v for v, lab in zip(sent_scores, labels, strict=True)
               if lab in ("opinion", "summary")]
        if len(ops) >= 2 and abs(score) < self.mixed_band:
            pos = sum(v > 0.3 for v in ops) / len(ops)
            neg = sum(v < -0.3 for v in ops) / len(ops)
            if pos >= self.mixed_share and neg >= self.mixed_share:
                return "mixed"
        if score >= self.neutral_band:
            return "positive"
        if score <= -self.neutral_band:
            return "negative"
        return "neutral"
