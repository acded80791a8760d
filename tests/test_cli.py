"""The command line as a user runs it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from analyser.cli import app

runner = CliRunner()
REVIEW = """The Plot:
A lighthouse keeper finds a stranger on the rocks. In the end the stranger turns out to be his
drowned son, and the keeper dies in the storm.

My opinion:
Haunting and beautifully shot. I loved it.
"""


@pytest.fixture()
def review(tmp_path):
    p = tmp_path / "review.txt"
    p.write_text(REVIEW, encoding="utf-8")
    return p


def test_annotate_text_report(review):
    res = runner.invoke(app, ["annotate", str(review)])
    assert res.exit_code == 0, res.output
    assert "PLOT" in res.output and "OPINION" in res.output
    assert "SPOILER" in res.output
    assert "Overall sentiment" in res.output
    assert "\x1b[" not in res.output  # plain when not a terminal


def test_annotate_json(review):
    res = runner.invoke(app, ["annotate", str(review), "--format", "json"])
    assert res.exit_code == 0
    d = json.loads(res.stdout)
    assert d["source"] == str(review)
    assert d["spoilers"]["count"] >= 1


def test_annotate_masked_hides_spoilers(review):
    res = runner.invoke(app, ["annotate", str(review), "--format", "masked"])
    assert res.exit_code == 0
    assert "[spoiler hidden]" in res.stdout
    assert "drowned son" not in res.stdout
    assert "Haunting and beautifully shot." in res.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "empty"), (b"   \n\t ", "no text"),
     (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG")],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    if content is not None:
        p.write_bytes(content)
    res = runner.invoke(app, ["annotate", str(p)])
    assert res.exit_code == 1
    assert message.lower() in res.output.lower()
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_console_script_runs_without_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "analyser.cli", "annotate", str(tmp_path)],
                         capture_output=True, text=True)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("error:")


def test_annotate_html_is_one_self_contained_page(review):
    res = runner.invoke(app, ["annotate", str(review), "--format", "html"])
    assert res.exit_code == 0
    assert res.stdout.lstrip().lower().startswith("<!doctype html>")
    assert "http://" not in res.stdout and "https://" not in res.stdout
    assert 'class="spoiler"' in res.stdout


def test_trust_model_flag_is_the_only_way_to_load_a_foreign_model(review, tmp_path):
    from analyser.modelfile import read_bundle, write_bundle
    from analyser.models import default_path

    foreign = tmp_path / "spoilers.npz"
    bundle = read_bundle(default_path("spoilers"))
    write_bundle(foreign, dict(bundle, version="mine"))  # bytes not in the manifest
    from analyser import Analyser, ModelIntegrityError

    with pytest.raises(ModelIntegrityError):
        Analyser(model_paths={"spoilers": str(foreign)})
    res = runner.invoke(app, ["annotate", str(review), "--trust-model", str(foreign)])
    assert res.exit_code == 0, res.output
    assert "UNVERIFIED" in res.output
    bad_name = tmp_path / "model.npz"
    bad_name.write_bytes(b"x")
    res = runner.invoke(app, ["annotate", str(review), "--trust-model", str(bad_name)])
    assert res.exit_code == 2 and "sections, spoilers, sentiment" in res.output


def test_tampered_shipped_model_gives_exit_4(review, tmp_path, monkeypatch):
    import shutil

    from analyser import models

    fake = tmp_path / "models"
    shutil.copytree(models.models_dir(), fake)
    with open(fake / "sentiment.npz", "ab") as fh:
        fh.write(b"tampered")
    monkeypatch.setenv("ANALYSER_MODELS_DIR", str(fake))
    res = runner.invoke(app, ["annotate", str(review)])
    assert res.exit_code == 4
    assert "refusing to load model file" in res.output and "SHA-256" in res.output


@pytest.mark.parametrize("command,extra", [("annotate", "accurate"), ("train", "train-accurate")])
def test_help_names_the_install_command_with_its_extra(command, extra):
    res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "300"})
    assert res.exit_code == 0
    assert f'pip install "review-analyser[{extra}]"' in " ".join(res.output.split())
