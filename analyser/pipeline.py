"""Builds the spaCy `Language`: tokenizer -> structure (chrome, headings, sentences) ->
sections -> spoilers -> sentiment.

No statistical spaCy model is needed (``spacy.blank("en")``), so nothing is downloaded and a
fresh clone works after ``pip install -e .``. Every custom step is a registered factory with a
config, so ``nlp.config`` describes the whole pipeline and components can be swapped or
configured like any spaCy component.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import spacy
from spacy.language import Language

from . import extensions  # noqa: F401
from .components import context, encoder, sections, sentiment, spoilers, structure  # noqa: F401

STAGES = ("structure", "sections", "spoilers", "sentiment", "context")
# fast: linear models only; accurate: the fine-tuned encoder makes the final decisions
PROFILES = {"fast": STAGES, "accurate": (*STAGES, "encoder")}
_MODEL_STAGES = ("sections", "spoilers", "sentiment", "context", "encoder")


def build_pipeline(
    *,
    stages: tuple[str, ...] = STAGES,
    model_paths: dict[str, str] | None = None,
    trust_models: bool | Iterable[str] = False,
    config: dict[str, dict[str, Any]] | None = None,
) -> Language:
    """Return the analyser pipeline.

    `stages` can stop early (training uses ``("structure", "sections")``); `model_paths`
    overrides ``models/<task>.npz`` per task; `trust_models` is True (trust every file) or
    the paths to trust (only those skip the SHA-256 check); `config` passes extra factory
    settings, e.g. ``{"spoilers": {"threshold": 0.6}}``.
    """
    model_paths = model_paths or {}
    config = config or {}
    trusted = None if isinstance(trust_models, bool) else {str(p) for p in trust_models}
    nlp = spacy.blank("en")
    nlp.add_pipe("review_structure", config=config.get("structure", {}))
    for stage in _MODEL_STAGES:
        if stage not in stages:
            continue
        path = model_paths.get(stage)
        trust = trust_models if trusted is None else (path is not None and str(path) in trusted)
        cfg = {"model_path": None if path is None else str(path), "trust_model": bool(trust)}
        cfg.update(config.get(stage, {}))
        nlp.add_pipe(f"review_{stage}", config=cfg)
    nlp.max_length = 30_000_000
    return nlp
