"""Model files are plain data (.npz + JSON header, never unpickled), and only files matching
the shipped SHA-256 manifest load without an explicit trust."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from analyser import ModelError, ModelIntegrityError
from analyser.linear import LinearText
from analyser.modelfile import read_bundle, write_bundle
from analyser.models import (
    default_path,
    load_model,
    read_manifest,
    sha256_of,
)


def test_shipped_models_match_the_manifest():
    manifest = read_manifest()
    for task in ("sections", "spoilers", "sentiment", "context"):
        assert sha256_of(default_path(task)) == manifest[task]["sha256"]


def test_tampered_copy_is_refused(tmp_path):
    bad = tmp_path / "spoilers.npz"
    shutil.copy(default_path("spoilers"), bad)
    with open(bad, "ab") as fh:
        fh.write(b"\0tampered")
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_model("spoilers", bad)


class _Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


@pytest.mark.parametrize("trust", [False, True])
def test_malicious_pickle_never_runs_even_when_trusted(tmp_path, monkeypatch, trust):
    """A crafted pickle (old .joblib style) that would run code is refused; trusting it only
    skips the hash check and still never unpickles it."""
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "sections.npz"
    evil.write_bytes(pickle.dumps({"task": "sections", "x": _Boom()}))
    with pytest.raises(ModelError, match="refusing" if not trust else "pickle"):
        load_model("sections", evil, trust=trust)
    assert not (tmp_path / "PWNED").exists()


def test_npz_with_a_pickled_object_array_never_runs(tmp_path, monkeypatch):
    """Even inside a valid zip, an object array (which numpy would unpickle) is refused."""
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "sections.npz"
    write_bundle(evil, {"task": "sections", "format": 5, "models": {}})
    with zipfile.ZipFile(evil, "a") as zf, zf.open("x.npy", "w") as fh:
        np.lib.format.write_array(fh, np.array([_Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(ModelError, match="damaged"):
        load_model("sections", evil, trust=True)
    assert not (tmp_path / "PWNED").exists()


def test_tampered_npz_member_is_refused(tmp_path):
    """Changing one weight inside a valid archive changes the file's hash: refused."""
    bundle = read_bundle(default_path("sections"))
    bundle["models"]["plot"]["weights"] = bundle["models"]["plot"]["weights"] * 2
    bad = tmp_path / "sections.npz"
    write_bundle(bad, bundle)
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_model("sections", bad)


def test_old_joblib_file_is_rejected_with_a_clear_message(tmp_path):
    old = tmp_path / "sections.joblib"
    old.write_bytes(pickle.dumps({"task": "sections"}, protocol=4))
    with pytest.raises(ModelError, match="old .joblib format.*analyser train"):
        load_model("sections", old, trust=True)


def test_trusted_foreign_file_loads_with_a_warning(tmp_path, caplog):
    bundle = read_bundle(default_path("sections"))
    copy = tmp_path / "sections.npz"
    write_bundle(copy, dict(bundle, version="mine"))  # other bytes: not in the manifest
    with pytest.raises(ModelIntegrityError):
        load_model("sections", copy)
    loaded = load_model("sections", copy, trust=True)
    assert loaded["version"] == "mine"
    assert "without the integrity check" in caplog.text


def test_model_files_round_trip_bit_for_bit(tmp_path):
    """Writing a loaded bundle again gives the same bytes (retraining is reproducible), and
    the rewritten file scores exactly as the shipped one."""
    for task in ("sections", "spoilers", "sentiment", "context"):
        again = tmp_path / f"{task}.npz"
        write_bundle(again, read_bundle(default_path(task)))
        assert sha256_of(again) == sha256_of(default_path(task))


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
    """No estimator objects inside: strings, numbers and number arrays only."""
    raw = read_bundle(default_path(task))
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
    raw = read_bundle(default_path("sections"))
    write_bundle(tmp_path / "sections.npz", dict(raw, format=2))
    with pytest.raises(ModelError, match="analyser train sections"):
        load_model("sections", tmp_path / "sections.npz", trust=True)


def test_damaged_model_state_is_a_clear_error(tmp_path):
    raw = read_bundle(default_path("sections"))
    raw["models"]["plot"]["weights"] = raw["models"]["plot"]["weights"][:-5]
    write_bundle(tmp_path / "sections.npz", raw)
    with pytest.raises(ModelError, match="damaged"):
        load_model("sections", tmp_path / "sections.npz", trust=True)


def test_truncated_file_is_a_clear_error(tmp_path):
    cut = tmp_path / "sections.npz"
    cut.write_bytes(default_path("sections").read_bytes()[:5000])
    with pytest.raises(ModelError, match="damaged"):
        load_model("sections", cut, trust=True)
