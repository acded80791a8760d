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

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..models import load_model
from ..vectorise import FeatureIndex, TokenBatch, count_matrix, finish, forget_batches
from .base import BatchComponent

_GROUPS = ("opinion", "summary", "plot")


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


@Language.factory(
    "review_sentiment",
    default_config={
        "model_path": None,
        "trust_model": False,
        "neutral_band": 0.1,
        "mixed_share": 0.25,
        "mixed_band": 0.3,
    },
)
def make_review_sentiment(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                          neutral_band: float, mixed_share: float, mixed_band: float):
    return ReviewSentiment(name, model_path=model_path, trust_model=trust_model,
                           neutral_band=neutral_band, mixed_share=mixed_share,
                           mixed_band=mixed_band)


class ReviewSentiment(BatchComponent):
    def __init__(self, name: str = "review_sentiment", *, model_path: str | None = None,
                 trust_model: bool = False, neutral_band: float = 0.1,
                 mixed_share: float = 0.25, mixed_band: float = 0.3) -> None:
        self.name = name
        bundle = load_model("sentiment", model_path, trust=trust_model)
        self.sentence_model = bundle["sentence"]
        self.review_model = bundle["review"]
        self.stacker = bundle["stacker"]
        self.version = bundle.get("version")
        self.neutral_band = neutral_band
        self.mixed_share = mixed_share
        self.mixed_band = mixed_band
        self.sentence_index = FeatureIndex(self.sentence_model[0].vocabulary_, negation=True)
        self.review_index = FeatureIndex(self.review_model[0].vocabulary_, negation=True)

    @staticmethod
    def _features(model, index: FeatureIndex, batch: TokenBatch, seg: np.ndarray, n_rows: int):
        """:func:`analyser.features.sentiment_features` of each segment, vectorised."""
        X = count_matrix(n_rows, index.n_columns,
                         [index.unigrams(batch, seg), index.bigrams(batch, seg)])
        return finish(model, X)

    def sentence_scores(self, batch: TokenBatch) -> np.ndarray:
        """Score in [-1, 1] of every body sentence of the batch."""
        if not batch.n_sents:
            return np.zeros(0)
        X = self._features(self.sentence_model, self.sentence_index, batch, batch.sent,
                           batch.n_sents)
        return 2 * self.sentence_model[-1].predict_proba(X)[:, 1] - 1

    def review_logits(self, batch: TokenBatch) -> np.ndarray:
        """The document model's logit for every doc (all its body sentences as one text)."""
        if not batch.n_docs:
            return np.zeros(0)
        X = self._features(self.review_model, self.review_index, batch, batch.doc, batch.n_docs)
        return self.review_model[-1].decision_function(X)

    def process(self, docs: list[Doc]) -> None:
        batch = TokenBatch.of(docs)
        scores = self.sentence_scores(batch)
        doc_logits = self.review_logits(batch)
        forget_batches()  # the last model: the shared batch must not keep these docs alive
        rows = []
        i = 0
        for d, doc in enumerate(docs):
            table = doc._.sentence_table
            n = len(table["start"])
            sc = scores[i : i + n]
            i += n
            labels = [lab or "opinion" for lab in table["section"]]
            table["sentiment"] = [float(v) for v in sc.tolist()]
            starts = np.asarray(table["start"])
            for sec in doc._.sections or ():
                m = (starts >= sec["start"]) & (starts < sec["end"])
                sec["sentiment"] = float(sc[m].mean()) if m.any() else 0.0
            rows.append(stack_features(float(doc_logits[d]), sc, labels))
        overall = (2 * self.stacker.predict_proba(np.asarray(rows))[:, 1] - 1) if rows else []
        for doc, score in zip(docs, overall, strict=True):
            table = doc._.sentence_table
            if not table["start"]:
                doc._.sentiment = 0.0
                doc._.sentiment_label = "neutral"
                continue
            doc._.sentiment = float(score)
            doc._.sentiment_label = self.label(float(score), np.asarray(table["sentiment"]),
                                               table["section"])

    def label(self, score: float, sent_scores: np.ndarray, labels) -> str:
        ops = np.array([v for v, lab in zip(sent_scores, labels, strict=True)
                        if lab in ("opinion", "summary")])
        if len(ops) >= 2 and abs(score) < self.mixed_band:
            pos = float((ops > 0.3).mean())
            neg = float((ops < -0.3).mean())
            if pos >= self.mixed_share and neg >= self.mixed_share:
                return "mixed"
        if score >= self.neutral_band:
            return "positive"
        if score <= -self.neutral_band:
            return "negative"
        return "neutral"
