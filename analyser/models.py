"""Loading shipped model files safely.

Model files are joblib pickles, and unpickling runs code. So a model file is only ever
unpickled when its SHA-256 matches the manifest that ships inside the package
(``analyser/model_manifest.json``, written by ``analyser train``). Anything else, a
tampered copy or a file from elsewhere, is refused *before* it is opened by joblib, unless
the caller explicitly trusts it (``trust=True`` / ``--trust-model``), which is logged loudly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import joblib

from .errors import ModelError, ModelIntegrityError

log = logging.getLogger(__name__)

TASKS = ("sections", "spoilers", "sentiment")
MANIFEST_PATH = Path(__file__).with_name("model_manifest.json")
_REPO_MODELS = Path(__file__).resolve().parent.parent / "models"

_cache: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def models_dir() -> Path:
    """Where shipped models live: ``$ANALYSER_MODELS_DIR`` or the repository's ``models/``."""
    env = os.environ.get("ANALYSER_MODELS_DIR")
    return Path(env) if env else _REPO_MODELS


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
    return models_dir() / f"{task}.joblib"


# 3: plain-data bundles (analyser.linear.LinearText states, compiled vocabularies);
# 4: compiled vocabularies with character n-gram lengths and text (char_ns, char_text)
FORMAT_VERSION = 4


def bundle_for_file(bundle: dict[str, Any]) -> dict[str, Any]:
    """What a model file stores: `bundle` with its models (``bundle["models"]``) as plain
    states, so unpickling it builds only strings, numbers and numpy arrays."""
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

    `path` defaults to ``models/<task>.joblib``. A file whose hash is not the one recorded for
    `task` raises :class:`ModelIntegrityError` without being unpickled, unless ``trust=True``.
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
                f"refusing to load model file {p}: {why}. Model files are pickles and can run "
                "code when loaded; pass trust_models=True (CLI: --trust-model) only if you "
                "trust where this file came from."
            )
        log.warning(
            "LOADING UNVERIFIED MODEL FILE %s (sha256 %s) because it was explicitly trusted; "
            "pickles can run arbitrary code.",
            p,
            digest,
        )
    try:
        bundle = joblib.load(p)
    except Exception as exc:  # a corrupt or incompatible file: say so, don't dump a traceback
        raise ModelError(f"could not load model file {p}: {exc}") from exc
    bundle = _from_file(bundle, task, p)
    with _lock:
        _cache[key] = bundle
    return bundle
