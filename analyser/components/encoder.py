"""`review_encoder`: the accurate profile's decisions, from a fine-tuned small transformer.

Runs after the fast pipeline (whose outputs it keeps for what it does not decide: the
polarity score per sentence and the review score) and replaces the section, spoiler
probability, flag and kind, and sentence sentiment label with those of all-MiniLM-L6-v2
fine-tuned on real annotated reviews (:mod:`analyser.training.accurate`), run by onnxruntime
as an int8 ONNX graph. Each sentence is read with its context (:mod:`analyser.encoder_input`).
The verdict comes from the encoder's sentence outputs through the fast profile's verdict
model. Needs the ``accurate`` extra (onnxruntime, tokenizers).

The three files (graph, tokenizer, header) are verified against the shipped manifest like
every model file; an ONNX graph is data, and loading it runs no Python code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..context import (
    HEADS,
    SECTION_LABELS,
    SENTIMENT_LABELS,
    VERDICT_LABELS,
    check_columns,
    sentence_rows,
    softmax,
    verdict_matrix,
)
from ..encoder_input import MAX_TOKENS, context_pairs, warned_before
from ..errors import ModelError, ModelIntegrityError
from ..models import default_path, models_dir, read_manifest, sha256_of
from ..vectorise import TokenBatch
from .base import ModelComponent
from .context import section_sentiment
from .sections import build_sections
from .spoilers import readable

FILES = ("encoder.onnx", "tokenizer.json", "header.json")
INSTALL_HINT = 'pip install "review-analyser[accurate]"'
_NARRATIVE_CUES = ("death", "reveal", "identity", "ending", "hint")


def accurate_dir() -> Path:
    return models_dir() / "accurate"


def load_encoder(path: str | os.PathLike | None = None, *, trust: bool = False,
                 threads: int | None = None) -> dict[str, Any]:
    """The verified encoder files as a session, a tokenizer and the header."""
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelError(f"the accurate profile needs its extra: {INSTALL_HINT}") from exc
    folder = Path(path) if path is not None else accurate_dir()
    expected = read_manifest().get("accurate", {}).get("files", {})
    for name in FILES:
        p = folder / name
        if not p.is_file():
            raise ModelError(f"accurate model file {p} not found; run `analyser train "
                             "accurate` or reinstall the package")
        if not trust and sha256_of(p) != expected.get(name):
            raise ModelIntegrityError(
                f"refusing to load model file {p}: its SHA-256 does not match the shipped "
                "manifest, so it is damaged, altered or not the shipped model. Pass "
                "trust_models=True (CLI: --trust-model) to use one you trained yourself.")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(folder / "encoder.onnx"), opts,
                                   providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    header = json.loads((folder / "header.json").read_text(encoding="utf-8"))
    return {"session": session, "tokenizer": tok, "header": header}


@Language.factory(
    "review_encoder",
    default_config={"model_path": None, "trust_model": False, "threshold": None,
                    "threads": None, "batch_size": 64},
    assigns=["doc._.sentence_table", "doc._.sections", "doc._.sentiment_label"],
    requires=["doc._.sentence_table"],
)
def make_review_encoder(nlp: Language, name: str, model_path: str | None, trust_model: bool,
                        threshold: float | None, threads: int | None, batch_size: int
                        ) -> ReviewEncoder:
    return ReviewEncoder(name, model_path=model_path, trust_model=trust_model,
                         threshold=threshold, threads=threads, batch_size=batch_size, nlp=nlp)



class ReviewEncoder(ModelComponent):
    """`model_path` / `trust_model` name the encoder's folder; the verdict model comes from
    the shipped context bundle (its `task`)."""

    task = "context"

    def __init__(self, name: str = "review_encoder", *, model_path: str | None = None,
                 trust_model: bool = False, threshold: float | None = None,
                 threads: int | None = None, batch_size: int = 64,
                 nlp: Language | None = None) -> None:
        loaded = load_encoder(model_path, trust=trust_model, threads=threads)
        super().__init__(name, nlp=nlp)
        check_columns(self.models, str(default_path(self.task)))
        self.session, self.tokenizer = loaded["session"], loaded["tokenizer"]
        header = loaded["header"]
        self.version = header["version"]
        self.threshold = float(threshold if threshold is not None else header["threshold"])
        self.encode_batch = batch_size
        self.verdict = self.models["verdict"]
        self.version_of_verdict = self.bundle.get("version")
        # the encoder's own correction of the shared verdict model, valid for the context
        # model it was chosen with
        tuned = header.get("verdict", {})
        self.mixed_offset = float(tuned.get("mixed_offset", 0.0)) \
            if tuned.get("context_version") == self.version_of_verdict else 0.0

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Encoder logits for sentence pairs, in batches of similar length (less padding)."""
        out = np.zeros((len(pairs), sum(len(v) for v in HEADS.values())), np.float32)
        if not pairs:
            return out
        encs = self.tokenizer.encode_batch(pairs)
        order = np.argsort([len(e.ids) for e in encs], kind="stable")
        for b in range(0, len(order), self.encode_batch):
            idx = order[b : b + self.encode_batch]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), np.int64)
            mask, types = np.zeros_like(ids), np.zeros_like(ids)
            for r, i in enumerate(idx):
                e = encs[i]
                n = len(e.ids)
                ids[r, :n], mask[r, :n], types[r, :n] = e.ids, e.attention_mask, e.type_ids
            out[idx] = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask,
                                                     "token_type_ids": types})[0]
        return out

    def annotate(self, docs: list[Doc], batch: TokenBatch) -> None:
        rows = sentence_rows(docs, batch)
        if rows is None:
            return
        tables, counts, texts = rows
        cue_sets = [set(c) for c in batch.cues(docs)]
        review = np.repeat(np.arange(len(docs)), counts)
        warned = warned_before(["__cue_warning__" in c for c in cue_sets], review)
        z = self.logits(context_pairs(texts, review, warned))
        n_sec, n_spo = len(HEADS["section"]), len(HEADS["spoiler"])
        sec = softmax(z[:, :n_sec])
        spo = softmax(z[:, n_sec : n_sec + n_spo])
        sent = softmax(z[:, n_sec + n_spo :])
        p_spoil = 1.0 - spo[:, 0]
        flag = p_spoil >= self.threshold
        scored = [d for d, n in enumerate(counts) if n]
        prior = np.array([docs[d]._.sentiment or 0.0 for d in scored], float)
        decision = self.verdict.decision(verdict_matrix(review, sent, sec, prior, texts))
        decision[:, VERDICT_LABELS.index("mixed")] += self.mixed_offset
        verdict = softmax(decision)
        verdict_of = dict(zip(scored, verdict.argmax(axis=1).tolist(), strict=True))
        i = 0
        for d, (doc, table, n) in enumerate(zip(docs, tables, counts, strict=True)):
            rows = slice(i, i + n)
            labels = [old if head else SECTION_LABELS[int(k)] for old, head, k in zip(
                table["section"], table["heading"], sec[rows].argmax(1), strict=True)]
            table["section"] = labels
            table["spoiler"] = p_spoil[rows].tolist()
            table["spoiler_flag"] = flag[rows].tolist()
            table["spoiler_kind"] = [
                ("hint" if s[1] > s[2] else "explicit") if f else None
                for s, f in zip(spo[rows], flag[rows], strict=True)]
            table["spoiler_reasons"] = [
                _reasons(cue_sets[k], warned[k]) if flag[k] else [] for k in range(i, i + n)]
            table["sentiment_label"] = [SENTIMENT_LABELS[int(k)] for k in sent[rows].argmax(1)]
            doc._.sections = build_sections(table, labels)
            section_sentiment(doc._.sections, table)
            if n:
                doc._.sentiment_label = VERDICT_LABELS[verdict_of[d]]
            i += n


def _reasons(cues: set[str], warned: bool) -> list[str]:
    """What a reader can check: the narrative cues in the sentence, and a warning before it
    (the encoder's own evidence is not a list of words)."""
    found = [readable(f"__cue_{name}__") for name in _NARRATIVE_CUES
             if f"__cue_{name}__" in cues]
    if warned:
        found.append("after a spoiler warning")
    return found or ["reads as a reveal in context"]
