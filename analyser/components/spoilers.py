"""`review_spoilers`: probability, flag, kind and reasons for every body sentence.

The probability comes from a trained linear model over word n-grams, narrative-event cue
tokens (death, reveal, identity, ending), shape cues (character names) and the section
model's plot belief. Two documented rules sit on top, because the training data has too few
examples of them for the model to learn them reliably:

* a *hint* pattern ("something awful happens which turns everything around", "you won't see
  the twist coming") raises the probability: ``p = 1 - (1 - p) * (1 - hint_boost)``;
* a *no-spoiler promise* ("I won't spoil the ending") lowers it: ``p = p * promise_factor``.

`kind` is ``explicit`` when a flagged sentence states a concrete event (a cue of death,
reveal, identity or ending fires, or the model flags it on its words alone) and ``hint`` when
only a hint pattern fires. `reasons` lists the features that pushed the score up most.
"""

from __future__ import annotations

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from ..features import cue_tokens
from ..vectorise import (
    TokenBatch,
    count_matrix,
    shape_and_plot_tokens,
)
from .base import ModelComponent

_EXPLICIT_CUES = {"__cue_death__", "__cue_reveal__", "__cue_identity__", "__cue_ending__"}
_READABLE = {
    "__cue_death__": "death/killing cue",
    "__cue_reveal__": "reveal/twist cue",
    "__cue_identity__": "identity/betrayal cue",
    "__cue_ending__": "ending cue",
    "__cue_hint__": "foreshadowing hint",
    "__cue_warning__": "spoiler warning nearby",
    "__caps_2__": "names characters",
    "__caps_3__": "names several characters",
    "__plot_4__": "reads as plot retelling",
    "__plot_3__": "reads like plot",
}


def informative(feature: str) -> bool:
    """Worth showing a user as a reason: not a lone stop word or punctuation."""
    if feature.startswith("__"):
        return feature in _READABLE
    if feature.startswith("#"):  # character n-grams mean nothing to a reader
        return False
    return any(w not in STOP_WORDS and any(c.isalnum() for c in w) for w in feature.split())


def readable(feature: str) -> str:
    if feature in _READABLE:
        return _READABLE[feature]
    if feature.startswith("__"):
        return feature.strip("_").replace("_", " ")
    return f'"{feature}"'


@Language.factory(
    "review_spoilers",
    default_config={
        "model_path": None,
        "trust_model": False,
        "threshold": None,
        "hint_boost": 0.6,
        "promise_factor": 0.25,
        "n_reasons": 4,
    },
    assigns=["doc._.sentence_table"],
    requires=["doc._.sentence_table"],
)
def make_review_spoilers(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                         threshold: float | None, hint_boost: float, promise_factor: float,
                         n_reasons: int) -> ReviewSpoilers:
    return ReviewSpoilers(name, model_path=model_path, trust_model=trust_model,
                          threshold=threshold, hint_boost=hint_boost,
                          promise_factor=promise_factor, n_reasons=n_reasons, nlp=nlp)


class ReviewSpoilers(ModelComponent):
    task = "spoilers"
    token_models = ("spoiler",)

    def __init__(self, name: str = "review_spoilers", *, model_path: str | None = None,
                 trust_model: bool = False, threshold: float | None = None,
                 hint_boost: float = 0.6, promise_factor: float = 0.25,
                 n_reasons: int = 4, nlp: Language | None = None) -> None:
        super().__init__(name, model_path=model_path, trust_model=trust_model, nlp=nlp)
        self.model = self.models["spoiler"]
        self.index = self.indexes["spoiler"]
        self.threshold = float(threshold if threshold is not None else self.bundle["threshold"])
        self.hint_boost = hint_boost
        self.promise_factor = promise_factor
        self.n_reasons = n_reasons
        self._names = self.model.features
        # a feature's push on the score when present (folded NB ratio x weight)
        self._coef = self.model.weights
        self._reason_names: dict[int, str] = {}
        # features a user can read as a reason, decided once rather than per sentence
        self._readable = np.fromiter(map(informative, self._names), dtype=bool,
                                     count=len(self._names))

    def features(self, batch: TokenBatch, texts: list[str], plot_probs, cues: list[list[str]]):
        """The model's input matrix for every body sentence of the batch
        (= :func:`analyser.features.spoiler_features`, vectorised)."""
        ix = self.index
        parts = [
            ix.unigrams(batch, batch.sent),
            ix.bigrams(batch, batch.sent),
            ix.char_grams(batch, texts),
            ix.named_tokens(cues),
            shape_and_plot_tokens(ix, batch, plot_probs),
        ]
        return self.model.transform(count_matrix(batch.n_sents, ix.n_columns, parts))

    def score(self, docs: list[Doc], batch: TokenBatch | None = None):
        """Rule-adjusted probabilities, cue sets and the feature matrix of every body
        sentence of `docs` (`batch`: their tokens)."""
        if batch is None:
            batch = self.token_batch(docs)
        if not batch.n_sents:
            return np.zeros(0), [], None
        texts = batch.texts(docs)
        plot = [0.5 if v is None else v for doc in docs for v in doc._.sentence_table["plot_prob"]]
        cues = batch.cues(docs)
        X = self.features(batch, texts, plot, cues)
        p = self.model.proba(X)
        adj = self.apply_rules(p, texts, self.hint_boost, self.promise_factor, cues=cues)
        return adj, [set(c) for c in cues], X

    @staticmethod
    def apply_rules(p: np.ndarray, texts: list[str], hint_boost: float = 0.6,
                    promise_factor: float = 0.25, cues: list[list[str]] | None = None):
        """The documented rule layer: hint patterns raise, no-spoiler promises lower."""
        if cues is None:
            cues = [cue_tokens(t.lower()) for t in texts]
        adj = np.array(p, dtype=float, copy=True)
        for i, c in enumerate(cues):
            if "__cue_no_spoil__" in c:
                adj[i] *= promise_factor
            elif "__cue_hint__" in c:
                adj[i] = 1 - (1 - adj[i]) * (1 - hint_boost)
        return adj

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:
        probs, cues, X = self.score(docs, batch)
        flagged = np.flatnonzero(probs >= self.threshold)
        reasons = self._reasons(X, flagged, cues)
        kinds = {k: self._kind(cues[k]) for k in flagged.tolist()}
        all_probs, all_flags = probs.tolist(), (probs >= self.threshold).tolist()
        i = 0
        for doc in docs:
            table = doc._.sentence_table
            n = len(table["start"])
            table["spoiler"] = all_probs[i : i + n]
            table["spoiler_flag"] = all_flags[i : i + n]
            table["spoiler_kind"] = [kinds.get(k) for k in range(i, i + n)]
            table["spoiler_reasons"] = [reasons.get(k, []) for k in range(i, i + n)]
            i += n

    @staticmethod
    def _kind(cues: set[str]) -> str:
        if "__cue_hint__" in cues and not (cues & _EXPLICIT_CUES):
            return "hint"
        return "explicit"

    def _reasons(self, X, rows: np.ndarray, cues: list[set[str]]) -> dict[int, list[str]]:
        """Readable reasons for the given rows: the features that pushed each score up most
        (feature value x weight), for all rows in one sort."""
        if not len(rows):
            return {}
        sub = X[rows]
        row_of = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
        contrib = sub.data * self._coef[sub.indices]
        keep = self._readable[sub.indices] & (contrib > 0)
        r, c, v = row_of[keep], sub.indices[keep], contrib[keep]
        order = np.lexsort((-v, r))
        r, c = r[order], c[order]
        bounds = np.searchsorted(r, np.arange(len(rows) + 1)).tolist()
        names = self._reason_names
        out: dict[int, list[str]] = {}
        for k, row in enumerate(rows.tolist()):
            found = [_READABLE["__cue_hint__"]] if "__cue_hint__" in cues[row] else []
            for col in c[bounds[k] : bounds[k] + self.n_reasons + 1].tolist():
                if len(found) >= self.n_reasons:
                    break
                name = names.get(col)
                if name is None:
                    name = names[col] = readable(str(self._names[col]))
                if name not in found:
                    found.append(name)
            out[row] = found
        return out
