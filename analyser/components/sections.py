"""`review_sections`: label every body sentence summary / plot / opinion / info.

Evidence in order of trust:
1. a heading that names a section type ("The Plot:", "Verdict") labels everything under it;
2. credits lines ("Director: ...", "Starring ...") are `info`;
3. an overview sentence near the top ("X is a 2019 thriller directed by Y") is `summary`;
4. otherwise the trained plot-vs-opinion classifier decides, with each sentence's score
   pulled towards its paragraph's mean (plot retelling comes in paragraphs, not single
   sentences; the pull weight is fitted at training time on synthetic reviews).
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..extensions import doc_text
from ..headings import heading_label, is_info_line
from ..vectorise import TokenBatch, count_matrix
from .base import ModelComponent

_INTRO = re.compile(
    r"\b((is|was|isn't|wasn't) (a|an|the) ([\w'-]+ ){0,5}(film|movie|novel|book|documentary|"
    r"thriller|comedy|drama|series|sequel|prequel|adaptation|memoir|novella|picture|feature|"
    r"animation|show|debut|remake|reboot|horror|romance|western|musical|biopic|collection)|"
    r"directed by|written by|based on|adapted from|starring|released (in|on|last)|"
    r"came out (in|on|last)|the (first|second|third|fourth|fifth|final|latest|new|last|next) "
    r"(book|film|novel|installment|instalment|entry|part|movie|season|episode|volume)|"
    r"tells the story of|is set (in|on|during)|takes place (in|on|during)|centres on|"
    r"centers on|revolves around|is about)\b",
    re.I,
)


@Language.factory(
    "review_sections",
    default_config={"model_path": None, "trust_model": False, "use_headings": True},
    assigns=["doc._.sentence_table", "doc._.sections"],
    requires=["doc._.sentence_table"],
)
def make_review_sections(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                         use_headings: bool) -> ReviewSections:
    return ReviewSections(name, model_path=model_path, trust_model=trust_model,
                          use_headings=use_headings, nlp=nlp)


class ReviewSections(ModelComponent):
    task = "sections"
    token_models = ("plot",)

    def __init__(self, name: str = "review_sections", *, model_path: str | None = None,
                 trust_model: bool = False, use_headings: bool = True,
                 nlp: Language | None = None) -> None:
        super().__init__(name, model_path=model_path, trust_model=trust_model, nlp=nlp)
        self.model = self.models["plot"]
        self.index = self.indexes["plot"]
        self.context_weight = float(self.bundle.get("context_weight", 0.0))
        self.use_headings = use_headings

    def features(self, batch: TokenBatch):
        """The model's input matrix for every body sentence of the batch
        (= :func:`analyser.features.section_features`, vectorised)."""
        ix = self.index
        X = count_matrix(batch.n_sents, ix.n_columns,
                         [ix.unigrams(batch, batch.sent), ix.bigrams(batch, batch.sent),
                          ix.char_grams(batch)])
        return self.model.transform(X)

    def plot_probabilities(self, docs: list[Doc], batch: TokenBatch | None = None
                           ) -> np.ndarray:
        """Context-free P(plot) of every body sentence of `docs` (`batch`: their tokens)."""
        if batch is None:
            batch = self.token_batch(docs)
        if not batch.n_sents:
            return np.zeros(0)
        return self.model.proba(self.features(batch))

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:
        probs = self.plot_probabilities(docs, batch)
        tables = [doc._.sentence_table for doc in docs]
        counts = [len(t["start"]) for t in tables]
        paragraphs = np.fromiter(chain.from_iterable(t["paragraph"] for t in tables), np.int64,
                                 len(probs))
        # paragraph ids unique across the batch: (doc number, paragraph)
        groups = np.repeat(np.arange(len(docs)), counts) * (int(paragraphs.max(initial=0)) + 1)
        smoothed = self._smooth(groups + paragraphs, probs)
        i = 0
        for doc, table, n in zip(docs, tables, counts, strict=True):
            self._label(doc, table, smoothed[i : i + n])
            i += n

    def _smooth(self, paragraphs: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Pull each sentence's logit towards its paragraph's mean logit."""
        if not len(p) or self.context_weight <= 0:
            return p
        z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
        _, group = np.unique(paragraphs, return_inverse=True)
        group = group.ravel()
        sums = np.bincount(group, weights=z)
        counts = np.bincount(group)
        mean = (sums / counts)[group]
        w = np.where(counts[group] > 1, self.context_weight, 0.0)
        return 1 / (1 + np.exp(-((1 - w) * z + w * mean)))

    def _label(self, doc: Doc, table: dict, p: np.ndarray) -> None:
        text = doc_text(doc)
        paras = table["paragraph"]
        first_par = paras[0] if paras else 0
        n_pars = len(set(paras))
        labels: list[str] = []
        for k, (start, end, par, head, prob) in enumerate(
            zip(table["start"], table["end"], paras, table["heading"], p.tolist(), strict=True)
        ):
            label = heading_label(head) if (head and self.use_headings) else None
            if label is None:
                sentence = text[start:end]
                if is_info_line(sentence):
                    label = "info"
                elif (k < 2 or (par == first_par and n_pars > 1)) and _INTRO.search(sentence):
                    label = "summary"
                else:
                    label = "plot" if prob >= 0.5 else "opinion"
            labels.append(label)
        table["section"] = labels
        table["plot_prob"] = p.tolist()
        doc._.sections = build_sections(table, labels)


def build_sections(table: dict, labels: list[str]) -> list[dict]:
    """Runs of consecutive sentences with the same label under the same heading."""
    sections: list[dict] = []
    for start, end, head, label in zip(table["start"], table["end"], table["heading"], labels,
                                       strict=True):
        if sections and sections[-1]["label"] == label and sections[-1]["heading"] == head:
            sections[-1]["end"] = end
        else:
            sections.append({"label": label, "heading": head, "start": start, "end": end,
                             "sentiment": None})
    return sections
