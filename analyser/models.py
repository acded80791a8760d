"""Finding and loading the shipped model files.

A model file is plain data (:mod:`analyser.modelfile`: numpy arrays and a JSON header, read
without pickle), so loading one cannot run code. Its SHA-256 must still match the manifest
that ships inside the package (``analyser/model_manifest.json``, written by ``analyser
train``): a damaged, tampered or foreign file is refused before it is parsed, unless the
caller explicitly trusts it (``trust=True`` / ``--trust-model``), which skips only that
integrity check and logs a warning.

The models travel inside the package: an installed wheel carries them as
``analyser/model_files/`` (see ``setup.py``); a checkout or editable install reads the
repository's ``models/``; ``$ANALYSER_MODELS_DIR`` overrides both.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from .errors import ModelError, ModelIntegrityError
from .modelfile import read_bundle

log = logging.getLogger(__name__)

TASKS = ("sections", "spoilers", "sentiment", "context")
MANIFEST_PATH = Path(__file__).with_name("model_manifest.json")
_INSTALLED_MODELS = Path(__file__).resolve().parent / "model_files"  # inside a wheel
_REPO_MODELS = Path(__file__).resolve().parent.parent / "models"  # a checkout

_cache: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def models_dir() -> Path:
    """Where shipped models live: ``$ANALYSER_MODELS_DIR``, else the package's own copy
    (a regular install), else the repository's ``models/`` (a checkout, an editable install)."""
    env = os.environ.get("ANALYSER_MODELS_DIR")
    if env:
        return Path(env)
    return _INSTALLED_MODELS if _INSTALLED_MODELS.is_dir() else _REPO_MODELS


def read_manifest() -> dict[str, dict[str, Any]]:
    """The shipped manifest: task -> {file, sha256, version, ...}; empty if none yet."""
    if not MANIFEST_PATH.exists():
        return {}
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def write_manifest_entry(task: str, entry: dict[str, Any]) -> None:
    """Record a freshly trained model (used by ``analyser train`` only)."""
    manifest = read_manifest()
    manifest[task] = entry
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_path(task: str) -> Path:
    return models_dir() / f"{task}.npz"


# 4: compiled vocabularies with character n-gram lengths and text (char_ns, char_text);
# 5: the same bundles as .npz + JSON header instead of a pickle
FORMAT_VERSION = 5


def bundle_for_file(bundle: dict[str, Any]) -> dict[str, Any]:
    """What a model file stores: `bundle` with its models (``bundle["models"]``) as plain
    states (strings, numbers and numpy arrays; see :mod:`analyser.modelfile`)."""
    return dict(bundle, format=FORMAT_VERSION,
                models={name: m.to_state() for name, m in bundle["models"].items()})


def _from_file(bundle: Any, task: str, p: Path) -> dict[str, Any]:
    from .linear import LinearText

    if not isinstance(bundle, dict) or bundle.get("task") != task:
        raise ModelError(f"model file {p} is not a {task!r} model bundle")
    if bundle.get("format") != FORMAT_VERSION:
        raise ModelError(
            f"model file {p} has format {bundle.get('format', 'unknown')}, this version of the "
            f"analyser reads format {FORMAT_VERSION}; run `analyser train {task}` to rebuild it"
        )
    try:
        models = {name: LinearText.from_state(state) for name, state in bundle["models"].items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"model file {p} is damaged: {exc}") from exc
    return dict(bundle, models=models)


def load_model(task: str, path: str | os.PathLike | None = None, *, trust: bool = False) -> Any:
    """Load the model bundle for `task`, verifying its SHA-256 against the shipped manifest.

    `path` defaults to ``<models_dir>/<task>.npz``. A file whose hash is not the one recorded
    for `task` raises :class:`ModelIntegrityError` without being parsed, unless ``trust=True``.
    Loaded bundles are cached per process (by path and hash), so building many pipelines is cheap.
    """
    if task not in TASKS:
        raise ModelError(f"unknown model task {task!r}; expected one of {', '.join(TASKS)}")
    p = Path(path) if path is not None else default_path(task)
    if not p.is_file():
        raise ModelError(
            f"model file for {task!r} not found at {p}; run `analyser train {task}` "
            "or reinstall the package"
        )
    digest = sha256_of(p)
    key = (str(p.resolve()), digest)
    with _lock:
        if key in _cache:
            return _cache[key]
    expected = read_manifest().get(task, {}).get("sha256")
    if digest != expected:
        if not trust:
            why = (
                "no hash is recorded for it in the shipped manifest"
                if expected is None
                else f"its SHA-256 {digest[:12]}... does not match the shipped {expected[:12]}..."
            )
            raise ModelIntegrityError(
                f"refusing to load model file {p}: {why}, so it is damaged, altered or not "
                "one of the shipped models. Pass trust_models=True (CLI: --trust-model) to use "
                "a model file you trained yourself."
            )
        log.warning(
            "Loading model file %s (sha256 %s) without the integrity check, because it was "
            "explicitly trusted; it may not be a model this version was tested with.",
            p,
            digest,
        )
    bundle = _from_file(read_bundle(p), task, p)
    with _lock:
        _cache[key] = bundle
    return bundle
