"""The accurate profile: a fine-tuned encoder behind the same API, JSON and batch runs."""

from __future__ import annotations

import builtins
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyser import Analyser, ModelError, ModelIntegrityError
from analyser.cli import app
from analyser.components.encoder import accurate_dir

REVIEW = (
    "Harbour Lights is a coastal thriller with a strong cast. Spoilers ahead. A harbour "
    "master finds an unmarked boat drifting into the bay. In the end the sergeant himself "
    "sank the boat, and Nell's father dies in the storm. I loved the photography, but the "
    "script is clumsy."
)


@pytest.fixture(scope="module")
def accurate() -> Analyser:
    return Analyser(profile="accurate")


def _schema(value, path: str = "") -> set[str]:
    if isinstance(value, dict):
        out = set()
        for k, v in value.items():
            out |= {f"{path}/{k}"} | _schema(v, f"{path}/{k}")
        return out
    if isinstance(value, list) and value:
        return _schema(value[0], f"{path}[]")
    return set()


def test_profile_is_selected_and_reported(accurate, analyser):
    assert accurate.model_versions["profile"] == "accurate"
    assert accurate.model_versions["encoder"].startswith("accurate-")
    assert analyser.model_versions["profile"] == "fast"
    assert analyser.model_versions["encoder"] is None
    assert "review_encoder" in accurate.nlp.pipe_names
    assert "review_encoder" not in analyser.nlp.pipe_names


def test_same_json_schema_in_both_profiles(accurate, analyser):
    a, f = accurate.analyse(REVIEW).to_dict(), analyser.analyse(REVIEW).to_dict()
    assert _schema(a) == _schema(f)
    assert [s["text"] for s in a["sentences"]] == [s["text"] for s in f["sentences"]]
    for s in a["sentences"]:
        assert s["sentiment_label"] in ("pos", "neg", "neu")
        assert s["section"] in ("summary", "plot", "opinion", "info")
        assert (s["spoiler"]["kind"] is None) == (not s["spoiler"]["flag"])


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown profile"):
        Analyser(profile="turbo")


def test_missing_extra_names_the_install_command(monkeypatch):
    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name.split(".")[0] == "onnxruntime":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    with pytest.raises(ModelError, match=r'pip install "review-analyser\[accurate\]"'):
        Analyser(profile="accurate")
    res = CliRunner().invoke(app, ["annotate", "-", "--profile", "accurate"], input="Hi.")
    assert res.exit_code == 4
    assert "review-analyser[accurate]" in res.output
    assert "Traceback" not in res.output


def test_altered_encoder_file_is_refused(tmp_path):
    copy = tmp_path / "accurate"
    shutil.copytree(accurate_dir(), copy)
    header = json.loads((copy / "header.json").read_text())
    (copy / "header.json").write_text(json.dumps(dict(header, threshold=0.01)))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        Analyser(profile="accurate", model_paths={"encoder": str(copy)})
    trusted = Analyser(profile="accurate", model_paths={"encoder": str(copy)},
                       trust_models=[str(copy)])
    assert trusted.spoiler_threshold == 0.01


def test_cli_annotate_and_threshold_on_the_accurate_profile(tmp_path):
    review = tmp_path / "r.txt"
    review.write_text(REVIEW)
    res = CliRunner().invoke(app, ["annotate", str(review), "--profile", "accurate",
                                   "--format", "json", "--threshold", "0.0"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model_versions"]["profile"] == "accurate"
    assert all(s["spoiler"]["flag"] for s in out["sentences"])


@pytest.mark.parametrize("engine,jobs", [("local", 2), ("dask", 2)])
def test_batch_on_the_accurate_profile_matches_one_job(tmp_path, engine, jobs):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        (src / f"{i}.txt").write_text(REVIEW.replace("Harbour", f"Harbour {i}"))
    from analyser.batch import run_batch

    one = run_batch(src, tmp_path / "one", profile="accurate", chunk_size=2)
    many = run_batch(src, tmp_path / "many", profile="accurate", chunk_size=2, jobs=jobs,
                     engine=engine)
    assert one.scored == many.scored == 6
    a = pd.read_parquet(tmp_path / "one" / "sentences.parquet")
    b = pd.read_parquet(tmp_path / "many" / "sentences.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert set(a["sentiment_label"]) <= {"pos", "neg", "neu"}
