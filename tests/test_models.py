"""Model files are pickles: only files matching the shipped SHA-256 manifest are loaded."""

from __future__ import annotations

import pickle
import shutil

import joblib
import pytest

from analyser import ModelIntegrityError
from analyser.models import default_path, load_model, read_manifest, sha256_of


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
    joblib.dump(load_model("sections"), copy)  # same model, other bytes: not in the manifest
    with pytest.raises(ModelIntegrityError):
        load_model("sections", copy)
    bundle = load_model("sections", copy, trust=True)
    assert bundle["task"] == "sections"
    assert "UNVERIFIED" in caplog.text
