"""Model files are pickles: only files matching the shipped SHA-256 manifest are loaded."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys

import joblib
import numpy as np
import pytest

from analyser import ModelError, ModelIntegrityError
from analyser.linear import LinearText
from analyser.models import (
    default_path,
    load_model,
    read_manifest,
    sha256_of,
)


def test_shipped_models_match_the_manifest():
    manifest = read_manifest()
    for task in ("sections", "spoilers", "sentiment"):
        assert sha256_of(default_path(task)) == manifest[task]["sha256"]


def test_tampered_copy_is_refused(tmp_path):
    bad = tmp_path / "spoilers.joblib"
    shutil.copy(default_path("spoilers"), bad)
    with open(bad, "ab") as fh:
        fh.write(b"\0tampered")
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_model("spoilers", bad)


class _Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_malicious_pickle_is_never_unpickled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "sections.joblib"
    evil.write_bytes(pickle.dumps({"task": "sections", "x": _Boom()}))
    with pytest.raises(ModelIntegrityError, match="refusing"):
        load_model("sections", evil)
    assert not (tmp_path / "PWNED").exists()


def test_trusted_foreign_file_loads_with_a_warning(tmp_path, caplog):
    copy = tmp_path / "sections.joblib"
    joblib.dump(joblib.load(default_path("sections")), copy)  # other bytes: not in the manifest
    with pytest.raises(ModelIntegrityError):
        load_model("sections", copy)
    bundle = load_model("sections", copy, trust=True)
    assert bundle["task"] == "sections"
    assert "UNVERIFIED" in caplog.text


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(map(_plain, value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    return value is None or isinstance(value, str | int | float | bool)


@pytest.mark.parametrize("task", ["sections", "spoilers", "sentiment"])
def test_shipped_files_hold_only_plain_data(task):
    """No estimator objects inside: unpickling builds strings, numbers and number arrays."""
    raw = joblib.load(default_path(task))
    assert _plain(raw)
    assert all(isinstance(m, LinearText) for m in load_model(task)["models"].values())


def test_loading_the_analyser_does_not_import_scikit_learn():
    """scikit-learn (about a second to import) is for training; scoring never needs it."""
    code = ("import sys; from analyser import Analyser; a = Analyser(); "
            "a.analyse('Hiro dies at the end. I loved it.'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_file_of_another_format_is_a_clear_error(tmp_path):
    raw = joblib.load(default_path("sections"))
    joblib.dump(dict(raw, format=2), tmp_path / "sections.joblib")
    with pytest.raises(ModelError, match="analyser train sections"):
        load_model("sections", tmp_path / "sections.joblib", trust=True)


def test_damaged_model_state_is_a_clear_error(tmp_path):
    raw = joblib.load(default_path("sections"))
    raw["models"]["plot"]["weights"] = raw["models"]["plot"]["weights"][:-5]
    joblib.dump(raw, tmp_path / "sections.joblib")
    with pytest.raises(ModelError, match="damaged"):
        load_model("sections", tmp_path / "sections.joblib", trust=True)
