"""Model files are pickles: only files matching the shipped SHA-256 manifest are loaded."""

from __future__ import annotations

import pickle
import shutil

import joblib
import pytest

from analyser import ModelError, ModelIntegrityError
from analyser.models import (
    default_path,
    load_model,
    pack_vocabularies,
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
    joblib.dump(load_model("sections"), copy)  # same model, other bytes: not in the manifest
    with pytest.raises(ModelIntegrityError):
        load_model("sections", copy)
    bundle = load_model("sections", copy, trust=True)
    assert bundle["task"] == "sections"
    assert "UNVERIFIED" in caplog.text


def test_shipped_vocabularies_load_as_the_fitted_dicts():
    """Files store vocabularies packed (fast to unpickle); loading gives sklearn's dicts back,
    so the estimators work as fitted: predicting through the bundle's own pipeline."""
    bundle = load_model("sections")
    vec = bundle["estimator"].named_steps["vec"]
    assert isinstance(vec.vocabulary_, dict) and len(vec.vocabulary_) > 1000
    assert sorted(vec.vocabulary_.values()) == list(range(len(vec.vocabulary_)))
    assert "packed_vocabularies" not in bundle
    p = bundle["estimator"].predict_proba([["the", "film", "was", "wonderful"]])
    assert p.shape == (1, 2)


def test_packing_round_trips_and_leaves_the_original_alone(tmp_path):
    bundle = load_model("sections")
    vocab = bundle["estimator"].named_steps["vec"].vocabulary_
    packed = pack_vocabularies(bundle)
    assert bundle["estimator"].named_steps["vec"].vocabulary_ is vocab  # not mutated
    assert not hasattr(packed["estimator"].named_steps["vec"], "vocabulary_")
    joblib.dump(packed, tmp_path / "sections.joblib")
    back = load_model("sections", tmp_path / "sections.joblib", trust=True)
    assert list(back["estimator"].named_steps["vec"].vocabulary_.items()) == list(vocab.items())


def test_damaged_packed_vocabulary_is_a_clear_error(tmp_path):
    packed = pack_vocabularies(load_model("sections"))
    joined, cols = packed["packed_vocabularies"]["estimator.vec"]
    packed["packed_vocabularies"]["estimator.vec"] = (joined, cols[:-5])
    joblib.dump(packed, tmp_path / "sections.joblib")
    with pytest.raises(ModelError, match="damaged"):
        load_model("sections", tmp_path / "sections.joblib", trust=True)
