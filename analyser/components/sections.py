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

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .. import extensions  # noqa: F401
from ..features import section_features
from ..headings import heading_label, is_info_line
from ..models import load_model
from .base import BatchComponent

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
)
def make_review_sections(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                         use_headings: bool):
    return ReviewSections(name, model_path=model_path, trust_model=trust_model,
                          use_headings=use_headings)


class ReviewSections(BatchComponent):
    def __init__(self, name: str = "review_sections", *, model_path: str | None = None,
                 trust_model: bool = False, use_headings: bool = True) -> None:
        self.name = name
        bundle = load_model("sections", model_path, trust=trust_model)
        self.estimator = bundle["estimator"]
        self.context_weight = float(bundle.get("context_weight", 0.0))
        self.version = bundle.get("version")
        self.use_headings = use_headings

    def plot_probabilities(self, sentences: list[list[str]]) -> np.ndarray:
        """P(plot) for tokenised sentences, without context."""
        if not sentences:
            return np.zeros(0)
        return self.estimator.predict_proba([section_features(w) for w in sentences])[:, 1]

    def process(self, docs: list[Doc]) -> None:
        all_sents = [doc._.sentences for doc in docs]
        flat = [[t.text for t in s] for sents in all_sents for s in sents]
        probs = self.plot_probabilities(flat)
        i = 0
        for doc, sents in zip(docs, all_sents, strict=True):
            p = probs[i : i + len(sents)]
            i += len(sents)
            self._label(doc, sents, self._smooth(sents, p))

    def _smooth(self, sents, p: np.ndarray) -> np.ndarray:
        """Pull each sentence's logit towards its paragraph's mean logit."""
        if not len(p) or self.context_weight <= 0:
            return p
        z = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
        paras = np.array([s._.paragraph or 0 for s in sents])
        out = z.copy()
        for par in np.unique(paras):
            m = paras == par
            if m.sum() > 1:
                out[m] = (1 - self.context_weight) * z[m] + self.context_weight * z[m].mean()
        return 1 / (1 + np.exp(-out))

    def _label(self, doc: Doc, sents, p: np.ndarray) -> None:
        first_par = sents[0]._.paragraph if sents else 0
        n_pars = len({s._.paragraph for s in sents})
        sections: list[dict] = []
        for k, (span, prob) in enumerate(zip(sents, p, strict=True)):
            head = span._.heading
            label = heading_label(head) if (head and self.use_headings) else None
            text = span.text
            if label is None:
                if is_info_line(text):
                    label = "info"
                elif (k < 2 or (span._.paragraph == first_par and n_pars > 1)) and _INTRO.search(
                    text
                ):
                    label = "summary"
                else:
                    label = "plot" if prob >= 0.5 else "opinion"
            span._.section = label
            span._.plot_prob = float(prob)
            if sections and sections[-1]["label"] == label and sections[-1]["heading"] == head:
                sections[-1]["end"] = span.end_char
                sections[-1]["_n"] += 1
            else:
                sections.append(
                    {"label": label, "heading": head, "start": span.start_char,
                     "end": span.end_char, "sentiment": None, "_n": 1}
                )
        for sec in sections:
            sec.pop("_n")
        doc._.sections = sections
