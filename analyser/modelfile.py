"""The model file format: numpy arrays and a JSON header in one zip (``.npz``), no pickle.

A model bundle is a nested dict of plain values (strings, numbers, booleans, None, lists) and
numpy arrays. :func:`write_bundle` stores every array as a ``.npy`` member and the rest as
``header.json``, where each array stands as ``{"$array": member}`` (and each long string, a
packed vocabulary, as ``{"$text": member}``, UTF-8 bytes in a uint8 array, so the header stays
readable). :func:`read_bundle` opens the file with ``numpy.load(allow_pickle=False)`` and
``json``: neither can run code, so loading a model file never executes anything, whoever
wrote it. The SHA-256 manifest check in :mod:`analyser.models` is about integrity only.

Files are written deterministically (fixed member order and timestamps), so retraining on the
same data rebuilds the same bytes and the same SHA-256.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError

HEADER = "header.json"
_LONG_TEXT = 2000  # strings longer than this go into their own member, not the header
_EPOCH = (1980, 1, 1, 0, 0, 0)
_PICKLE_OPCODES = (b"\x80", b"(", b"}", b"]")  # how joblib/pickle files start


def _split(value: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """`value` with its arrays (and long strings) moved into `arrays`, JSON-ready."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{path}: object arrays cannot be stored without pickle")
        arrays[path] = value
        return {"$array": path}
    if isinstance(value, str) and len(value) > _LONG_TEXT:
        arrays[path] = np.frombuffer(value.encode("utf-8"), dtype=np.uint8)
        return {"$text": path}
    if isinstance(value, dict):
        if any(not isinstance(k, str) or k.startswith("$") for k in value):
            raise TypeError(f"{path}: keys must be strings not starting with '$'")
        return {k: _split(v, f"{path}/{k}" if path else k, arrays) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_split(v, f"{path}/{i}", arrays) for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"{path}: cannot store a {type(value).__name__} in a model file")


def _join(value: Any, members: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$array"}:
            return members[value["$array"]]
        if set(value) == {"$text"}:
            return bytes(members[value["$text"]]).decode("utf-8")
        return {k: _join(v, members) for k, v in value.items()}
    if isinstance(value, list):
        return [_join(v, members) for v in value]
    return value


def write_bundle(path: str | os.PathLike, bundle: dict[str, Any]) -> None:
    """Write `bundle` to `path` (via a temporary name, so a crash never leaves half a file)."""
    arrays: dict[str, np.ndarray] = {}
    header = _split(bundle, "", arrays)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_LZMA
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        put(HEADER, json.dumps(header, indent=1, sort_keys=True).encode("utf-8"))
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]),
                                      allow_pickle=False)
            put(f"{name}.npy", buf.getvalue())
    os.replace(tmp, target)


def read_bundle(path: str | os.PathLike) -> dict[str, Any]:
    """The bundle stored at `path`; :class:`ModelError` for anything that is not one."""
    p = Path(path)
    with open(p, "rb") as fh:
        head = fh.read(4)
    if not head.startswith(b"PK"):
        if head[:1] in _PICKLE_OPCODES or p.suffix in (".joblib", ".pkl", ".pickle"):
            raise ModelError(
                f"model file {p} is a pickle (the old .joblib format), which this version "
                "never loads; run `analyser train` to rebuild it as .npz"
            )
        raise ModelError(f"model file {p} is not a model file (.npz zip archive)")
    try:
        with np.load(p, allow_pickle=False) as npz:
            if HEADER not in npz.files:
                raise ModelError(f"model file {p} has no {HEADER}")
            header = json.loads(npz[HEADER])
            members = {name: npz[name] for name in npz.files if name != HEADER}
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ModelError(f"model file {p} is damaged: {exc}") from exc
    try:
        return _join(header, members)
    except (KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ModelError(f"model file {p} is damaged: {exc}") from exc
