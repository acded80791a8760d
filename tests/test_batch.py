"""Batch scoring as users run it: tables, errors, parallel = serial, resume, Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from faults import POISON, PRELOAD, dying_on_poison
from typer.testing import CliRunner

from analyser.batch import EXIT_PARTIAL, page_name, run_batch, score_folder
from analyser.cli import app

runner = CliRunner()


@pytest.fixture()
def corpus(tmp_path, examples):
    """A folder like users have: example reviews, a subfolder, a table and bad files."""
    src = tmp_path / "reviews"
    (src / "more").mkdir(parents=True)
    for f in examples.iterdir():
        shutil.copy(f, src / f.name)
    (src / "more" / "short one.txt").write_text("A dull film. In the end the dog dies.",
                                                encoding="utf-8")
    (src / "more" / "poster.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (src / "more" / "empty.md").write_text("", encoding="utf-8")
    (src / "table.csv").write_text(
        'review_id,body\nr1,"Great fun. I loved it."\nr2,"Awful.\nIt drags."\nr3,too,many\n',
        encoding="utf-8")
    (src / "notes.bin").write_bytes(b"ignored: not a review file type")
    return src


def test_batch_writes_tables_and_reports_failures(corpus, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(corpus), "--out", str(out),
                              "--text-column", "body", "--id-column", "review_id"])
    assert res.exit_code == EXIT_PARTIAL, res.output
    reviews = pd.read_parquet(out / "reviews.parquet")
    sentences = pd.read_parquet(out / "sentences.parquet")
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert len(reviews) == 5 + 3 + 3  # examples + more/ + csv rows
    assert {e["id"] for e in errors} == {"more/poster.txt", "more/empty.md", "r3"}
    assert reviews.set_index("id").loc["r1", "sentiment_label"] == "positive"
    ok = reviews[reviews.error.isna()]
    assert (ok.n_sentences > 0).all()
    assert set(sentences.id) == set(ok.id)
    assert {"spoiler_probability", "spoiler_flag", "spoiler_kind", "spoiler_reasons",
            "section", "sentiment", "start", "end", "text"} <= set(sentences.columns)
    assert reviews.spoiler_count.sum() == sentences.spoiler_flag.sum()
    assert "3 failed" in res.output and "reviews/s" in res.output


def test_all_good_inputs_exit_zero_and_other_formats(examples, tmp_path):
    for fmt in ("csv", "jsonl"):
        out = tmp_path / fmt
        res = runner.invoke(app, ["batch", str(examples), "--out", str(out), "-f", fmt])
        assert res.exit_code == 0, res.output
        assert (out / f"reviews.{fmt}").exists() and (out / f"sentences.{fmt}").exists()
        assert (out / "errors.jsonl").read_text() == ""
    csv_rows = pd.read_csv(tmp_path / "csv" / "sentences.csv")
    jsonl_rows = pd.read_json(tmp_path / "jsonl" / "sentences.jsonl", lines=True)
    assert len(csv_rows) == len(jsonl_rows) > 20
    assert list(csv_rows.text) == list(jsonl_rows.text)


def _tables(out):
    return (pd.read_parquet(out / "reviews.parquet"), pd.read_parquet(out / "sentences.parquet"))


def test_two_jobs_give_identical_tables(corpus, tmp_path):
    a = run_batch(corpus, tmp_path / "a", jobs=1, chunk_size=3, text_column="body")
    b = run_batch(corpus, tmp_path / "b", jobs=2, chunk_size=3, text_column="body")
    assert a.reviews == b.reviews
    for x, y in zip(_tables(tmp_path / "a"), _tables(tmp_path / "b"), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_forked_and_spawned_workers_give_identical_tables(corpus, tmp_path, monkeypatch):
    """Linux forks workers from a driver that loaded the models; elsewhere (or if fork is
    unavailable) a loky pool spawns them. Both must score exactly like one process."""
    from analyser.batch import engines

    if engines._fork_context() is None:
        pytest.skip("no fork start method on this platform")
    run_batch(corpus, tmp_path / "fork", jobs=2, chunk_size=3, text_column="body")
    monkeypatch.setattr(engines, "_fork_context", lambda: None)
    run_batch(corpus, tmp_path / "loky", jobs=2, chunk_size=3, text_column="body")
    for x, y in zip(_tables(tmp_path / "fork"), _tables(tmp_path / "loky"), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_a_second_batch_with_another_threshold_uses_it(examples, tmp_path):
    """Batches in one process (a notebook) must not reuse the first batch's settings."""
    low = run_batch(examples, tmp_path / "low", threshold=0.05)
    high = run_batch(examples, tmp_path / "high", threshold=0.99)
    assert low.spoilers > high.spoilers
    again = run_batch(examples, tmp_path / "again", threshold=0.05)
    assert again.spoilers == low.spoilers


def test_resume_after_interruption_has_no_gaps_or_duplicates(corpus, tmp_path):
    full = tmp_path / "full"
    run_batch(corpus, full, chunk_size=2, text_column="body")
    part = tmp_path / "part"
    calls = {"n": 0}

    def boom(n, total):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(corpus, part, chunk_size=2, text_column="body", progress=boom)
    assert not (part / "reviews.parquet").exists()
    with pytest.raises(Exception, match="--resume"):
        run_batch(corpus, part, chunk_size=2, text_column="body")
    summary = run_batch(corpus, part, chunk_size=2, text_column="body", resume=True)
    assert summary.skipped_chunks == 2
    for x, y in zip(_tables(full), _tables(part), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_resume_refuses_changed_options(corpus, tmp_path):
    run_batch(corpus, tmp_path / "o", chunk_size=2, text_column="body")
    with pytest.raises(Exception, match="chunk_size"):
        run_batch(corpus, tmp_path / "o", chunk_size=5, text_column="body", resume=True)


def test_kill_9_then_resume_matches_an_uninterrupted_run(tmp_path):
    src = tmp_path / "many"
    src.mkdir()
    for i in range(60):
        (src / f"r{i:03d}.txt").write_text(
            f"Review {i}. The hero travels north. In the end, the hero dies in the snow. "
            f"I {'loved' if i % 2 else 'hated'} it.", encoding="utf-8")
    ref = tmp_path / "ref"
    run_batch(src, ref, chunk_size=4)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "analyser.cli", "batch", str(src), "--out", str(out),
           "--chunk-size", "4"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    parts = out / "parts"
    while time.time() < deadline:
        done = list(parts.glob("*.reviews.parquet")) if parts.exists() else []
        if len(done) >= 3:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "reviews.parquet").exists(), "killed before finishing"
    res = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "already done" in res.stdout
    for x, y in zip(_tables(ref), _tables(out), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_output_folder_inside_input_is_not_scored(examples, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(examples, src)
    run_batch(src, src / "results", fmt="jsonl")
    s2 = run_batch(src, src / "results2", fmt="jsonl")
    reviews = pd.read_json(src / "results2" / "reviews.jsonl", lines=True)
    assert not reviews.path.str.startswith("results").any()
    assert s2.reviews == len(list(examples.iterdir()))


def test_score_folder_returns_dataframes(examples):
    from analyser import score_folder as top_level  # the import the README shows

    assert top_level is score_folder
    reviews, sentences = score_folder(examples)
    assert len(reviews) == len(list(examples.iterdir()))
    assert len(sentences) == reviews.n_sentences.sum()


def test_missing_source_is_one_line_error(tmp_path):
    res = runner.invoke(app, ["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "no such file" in res.output


def test_dask_local_cluster_matches_local_engine(corpus, tmp_path):
    pytest.importorskip("distributed")
    run_batch(corpus, tmp_path / "local", chunk_size=3, text_column="body")
    run_batch(corpus, tmp_path / "dask", chunk_size=3, text_column="body", engine="dask",
              jobs=2)
    for x, y in zip(_tables(tmp_path / "local"), _tables(tmp_path / "dask"), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_report_writes_pages_and_an_index(corpus, tmp_path):
    out = tmp_path / "rep"
    res = runner.invoke(app, ["batch", str(corpus), "--out", str(out), "--report",
                              "--text-column", "body"])
    assert res.exit_code == EXIT_PARTIAL, res.output
    index = (out / "index.html").read_text(encoding="utf-8")
    pages = sorted((out / "report").glob("*.html"))
    reviews = pd.read_parquet(out / "reviews.parquet")
    assert len(pages) == int(reviews.error.isna().sum())
    for page in pages:
        assert f'href="report/{page.name}"' in index
    assert "more/poster.txt" in index  # failed inputs are listed, without a link
    blog = (out / "report" / page_name("blog_post_with_chrome.txt")).read_text(encoding="utf-8")
    assert 'class="spoiler"' in blog and "Mara dies" in blog  # hidden, not removed


def _poisoned_folder(tmp_path, n: int, poison: int):
    """`n` small reviews; review `poison` kills any worker process that scores it (once the
    test has injected that fault, see tests/faults.py)."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        (src / f"r{i}.txt").write_text(f"Review {i}. I loved it. The hero wins.", "utf-8")
    (src / f"r{poison}.txt").write_text(f"{POISON} review. It kills any worker that scores it.",
                                        "utf-8")
    return src


@pytest.fixture()
def poison_kills_forked_workers(monkeypatch):
    """Workers forked from this process from now on die on a poisoned review."""
    from analyser.api import Analyser

    monkeypatch.setattr(Analyser, "analyse_many", dying_on_poison(Analyser.analyse_many))


def test_worker_that_dies_is_retried_then_reported(tmp_path, poison_kills_forked_workers):
    from analyser.batch import engines

    if engines._fork_context() is None:
        pytest.skip("the fault reaches workers by fork; no fork start method on this platform")
    src = _poisoned_folder(tmp_path, n=6, poison=3)
    summary = run_batch(src, tmp_path / "out", jobs=2, chunk_size=2)
    assert summary.worker_failures == 1
    reviews = pd.read_parquet(tmp_path / "out" / "reviews.parquet")
    assert list(reviews.id) == [f"r{i}.txt" for i in range(6)]
    bad = reviews.set_index("id").loc["r3.txt"]
    assert "worker process died" in bad.error
    assert reviews.error.notna().sum() == 1  # its chunk-mate r2 was scored on the retry
    assert summary.failed == 1 and summary.scored == 5


def test_disk_full_keeps_finished_work_and_resume_completes(corpus, tmp_path, monkeypatch):
    import errno

    from analyser.batch import runner as batch_runner

    real = batch_runner.write_errors
    calls = {"n": 0}

    def flaky(rows, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(rows, path)

    monkeypatch.setattr(batch_runner, "write_errors", flaky)
    out = tmp_path / "full"
    with pytest.raises(Exception, match="No space left on device.*--resume"):
        run_batch(corpus, out, chunk_size=2, text_column="body")
    assert not list(out.rglob("*.tmp"))
    assert len(list((out / "parts").glob("*.reviews.parquet"))) == 2
    monkeypatch.setattr(batch_runner, "write_errors", real)
    run_batch(corpus, out, chunk_size=2, text_column="body", resume=True)
    ref = tmp_path / "ref"
    run_batch(corpus, ref, chunk_size=2, text_column="body")
    for x, y in zip(_tables(ref), _tables(out), strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_dask_worker_that_dies_is_retried_then_reported(tmp_path):
    pytest.importorskip("distributed")
    src = _poisoned_folder(tmp_path, n=4, poison=1)
    import dask

    # fail fast: by default the scheduler retries a task on 3 fresh workers first; the
    # preload injects the fault into each (spawned) worker the local cluster starts
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.worker.preload": [PRELOAD]}):
        summary = run_batch(src, tmp_path / "out", engine="dask", jobs=2, chunk_size=2)
    reviews = pd.read_parquet(tmp_path / "out" / "reviews.parquet")
    assert list(reviews.id) == [f"r{i}.txt" for i in range(4)]
    assert "worker process died" in reviews.set_index("id").loc["r1.txt", "error"]
    assert summary.failed == 1 and summary.scored == 3


def test_chunks_scored_in_a_memory_zone_give_the_same_rows(monkeypatch, examples):
    """Past VOCAB_LIMIT a worker scores chunks in spaCy memory zones (flat memory over
    millions of reviews); the rows must not change, and the vocabulary must not grow."""
    from analyser.batch import Item, score_chunk, scoring

    texts = [p.read_text(encoding="utf-8") for p in sorted(examples.glob("*.txt"))]
    items = [Item(id=str(i), path="t.jsonl", text=t) for i, t in enumerate(texts)]
    monkeypatch.setattr(scoring, "VOCAB_LIMIT", 10**9)
    plain = score_chunk(0, items, ".", {})
    monkeypatch.setattr(scoring, "VOCAB_LIMIT", 0)
    strings = len(scoring.worker_analyser({}).nlp.vocab.strings)
    zoned = score_chunk(0, items + [Item(id="new", path="t.jsonl",
                                         text="Zyxqvort and Blorptastic wordsmiths appear.")],
                        ".", {})
    assert len(scoring.worker_analyser({}).nlp.vocab.strings) == strings
    assert zoned.reviews.slice(0, len(items)).equals(plain.reviews)
    assert zoned.sentences.slice(0, plain.sentences.num_rows).equals(plain.sentences)
