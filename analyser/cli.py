"""Command line: ``analyser annotate | train | evaluate``.

Exit codes: 0 success; 1 the input could not be analysed (missing, empty, binary,
undecodable, too large); 2 wrong usage; 4 a model file is missing, corrupt or refused.
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from .errors import AnalyserError, InputError, ModelError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Spoiler-aware review analyser: sections, spoilers and sentiment of reviews.",
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 1
EXIT_MODEL = 4


class Format(StrEnum):
    text = "text"
    json = "json"
    masked = "masked"
    html = "html"


class Profile(StrEnum):
    fast = "fast"
    accurate = "accurate"


PROFILE_HELP = ("fast (linear models, the default) or accurate (a fine-tuned small "
                'transformer on the CPU; needs pip install "review-analyser\\[accurate]").')


class Task(StrEnum):
    spoilers = "spoilers"
    sentiment = "sentiment"
    sections = "sections"
    reviews = "reviews"
    context = "context"
    accurate = "accurate"


def _fail(exc: Exception) -> None:
    err = Console(stderr=True, highlight=False)
    # one line, whatever the message holds (file names can contain newlines or escapes)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))
    err.print(f"error: {text}", markup=False, soft_wrap=True)
    code = EXIT_MODEL if isinstance(exc, ModelError) else EXIT_INPUT
    raise typer.Exit(code)


def _trusted_model_paths(paths: list[Path] | None) -> dict[str, str]:
    """``--trust-model`` files by task (from their names), announced loudly on stderr."""
    from .models import TASKS

    out: dict[str, str] = {}
    for p in paths or ():
        task = p.stem
        if task not in TASKS:
            raise typer.BadParameter(f"{p}: name the file <task>.npz with task one of "
                                     f"{', '.join(TASKS)}", param_hint="--trust-model")
        out[task] = str(p)
        Console(stderr=True, highlight=False).print(
            f"warning: loading UNVERIFIED model file {p} for {task!r} because of "
            "--trust-model: its integrity is not checked against the shipped manifest",
            markup=False)
    return out


@app.command()
def annotate(
    path: Path = typer.Argument(..., help="Review file (.txt, .md, .html), or - for stdin."),
    format: Format = typer.Option(Format.text, "--format", "-f",
                                  help="text (report), json, masked (spoilers hidden) or html "
                                       "(self-contained page, spoilers blurred until clicked)."),
    input_format: str = typer.Option(None, "--input-format",
                                     help="Force text, markdown or html (default: detect)."),
    threshold: float = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                    help="Spoiler flag threshold (default: the model's)."),
    trust_model: list[Path] = typer.Option(
        None, "--trust-model", help="Use this model file (named sections/spoilers/sentiment"
        ".npz for its task) even though its SHA-256 is not in the shipped manifest, e.g. one "
        "you trained yourself. Repeatable."),
    no_reasons: bool = typer.Option(False, "--no-reasons", help="Hide spoiler reasons."),
    profile: Profile = typer.Option(Profile.fast, "--profile", help=PROFILE_HELP),
) -> None:
    """Annotate one review: sections, spoilers (kind, probability, reasons) and sentiment."""
    from .api import Analyser
    from .render import masked_text, print_report, to_json

    try:
        paths = _trusted_model_paths(trust_model)
        analyser = Analyser(model_paths=paths, trust_models=list(paths.values()),
                            spoiler_threshold=threshold, profile=profile.value)
        if str(path) == "-":
            from .reading import MAX_BYTES

            data = sys.stdin.buffer.read(MAX_BYTES + 1)  # over the cap: refused, not read on
            result = analyser.analyse(data, source="<stdin>", fmt=input_format)
        else:
            result = analyser.analyse_file(path, fmt=input_format)
    except AnalyserError as exc:
        _fail(exc)
    if format is Format.json:
        sys.stdout.write(to_json(result) + "\n")
    elif format is Format.masked:
        sys.stdout.write(masked_text(result))
    elif format is Format.html:
        from .report import render_html

        sys.stdout.write(render_html(result))
    else:
        print_report(result, show_reasons=not no_reasons)


@app.command()
def batch(
    source: Path = typer.Argument(..., help="Folder of reviews (.txt/.md/.html, searched "
                                  "recursively) or a table (.csv/.jsonl/.parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for the tables."),
    format: str = typer.Option("parquet", "--format", "-f", help="parquet, csv or jsonl."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    engine: str = typer.Option("local", "--engine", help="local or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address "
                                  "(tcp://HOST:8786); default: a local Dask cluster."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run; "
                                "finished chunks are not redone."),
    text_column: str = typer.Option(None, "--text-column", help="Text column of tables."),
    id_column: str = typer.Option(None, "--id-column", help="Id column of tables."),
    chunk_size: int = typer.Option(200, "--chunk-size", min=1, help="Reviews per chunk "
                                   "(the unit of parallel work and of resuming)."),
    threshold: float = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                    help="Spoiler flag threshold (default: the model's)."),
    trust_model: list[Path] = typer.Option(None, "--trust-model",
                                           help="See annotate --help."),
    report: bool = typer.Option(False, "--report", help="Also write a spoiler-safe HTML page "
                                "per review (report/) and an index.html linking them."),
    profile: Profile = typer.Option(Profile.fast, "--profile", help=PROFILE_HELP),
) -> None:
    """Score every review below SOURCE into reviews/sentences tables (+ errors.jsonl).

    Exit code 0 when every input was scored, 3 when some inputs failed (listed in
    errors.jsonl; everything else was still scored), 1 when the batch could not run.
    """
    from .batch import EXIT_PARTIAL, count_items, run_batch

    if engine not in ("local", "dask"):
        _fail(InputError(f"unknown engine {engine!r}; use local or dask"))
    err = Console(stderr=True, highlight=False)
    try:
        show = err.is_terminal
        total = count_items(source, out=out, text_column=text_column,
                            id_column=id_column) if show else None
        if show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            bar = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                           TimeRemainingColumn(), console=err, transient=False)
            task = bar.add_task("scoring", total=total, rate="")
            bar.start()

            def progress(n: int, _total: int) -> None:
                bar.advance(task, n)
                t = bar.tasks[0]
                if t.elapsed:
                    bar.update(task, rate=f"{t.completed / t.elapsed:.1f} reviews/s")
        else:
            progress = None
        try:
            summary = run_batch(source, out, fmt=format, jobs=jobs, engine=engine,
                                scheduler=scheduler, resume=resume, chunk_size=chunk_size,
                                text_column=text_column, id_column=id_column,
                                threshold=threshold,
                                trusted_models=_trusted_model_paths(trust_model),
                                progress=progress, total=total, report=report,
                                profile=profile.value)
        finally:
            if show:
                bar.stop()
    except AnalyserError as exc:
        _fail(exc)
    typer.echo(
        f"{summary.reviews} reviews ({summary.scored} scored, {summary.failed} failed), "
        f"{summary.sentences} sentences, {summary.spoilers} spoiler sentences; "
        f"{summary.seconds:.1f}s, {summary.reviews_per_second:.1f} reviews/s"
        + (f"; resumed, {summary.skipped_chunks} chunks already done"
           if summary.skipped_chunks else "")
        + f"\ntables in {out}/" + (f"; failures in {out}/errors.jsonl" if summary.failed else "")
    )
    if summary.failed:
        raise typer.Exit(EXIT_PARTIAL)


def _train_accurate(out: Path | None) -> None:
    from .models import models_dir
    from .training.accurate import train_accurate

    try:
        header = train_accurate(out or models_dir(), log=typer.echo)
    except AnalyserError as exc:
        _fail(exc)
    typer.echo(f"wrote {(out or models_dir()) / 'accurate'} ({header['version']}, spoiler "
               f"threshold {header['threshold']})")


@app.command()
def train(
    task: Task = typer.Argument(..., help="spoilers, sentiment, sections, context, or "
                                "accurate (the accurate profile's encoder; needs "
                                'pip install "review-analyser\\[train-accurate]").'),
    data: Path = typer.Option(None, "--data", help="Data folder (default ../shared/data)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default models/). Only models "
                             "written to models/ are recorded in the shipped manifest."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Skip the dev evaluation."),
) -> None:
    """Train a model from ../shared/data and write models/<task>.npz and its model card."""
    import os

    if data is not None:
        os.environ["ANALYSER_DATA_DIR"] = str(data)
    from .training.cards import write_card
    from .training.evaluate import evaluate_task
    from .training.train import train as run_train

    if task is Task.accurate:
        _train_accurate(out)
        return
    try:
        entry = run_train(task.value, out)
        report = None
        if not no_eval and out is None:
            report = evaluate_task(task.value, None, log=typer.echo)
        if out is None:
            write_card(task.value, entry, report)
    except (AnalyserError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"wrote {entry['file']} ({entry['bytes']:,} bytes, sha256 {entry['sha256'][:12]})")


@app.command()
def evaluate(
    task: Task = typer.Argument(..., help="spoilers, sentiment, sections, or reviews "
                                "(whole annotated reviews: sections, spoilers, sentiment "
                                "and verdict together)."),
    files: list[Path] = typer.Argument(None, help="Labelled JSONL file(s) in the formats of "
                                       "../shared/data (default: the dev split)."),
    threshold: float = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                    help="Spoiler threshold to score (default: shipped)."),
    profile: Profile = typer.Option(Profile.fast, "--profile", help=PROFILE_HELP),
) -> None:
    """Score a labelled file through the public API; print metrics beside baselines.
    The last line is one JSON object with every metric."""
    from .training.evaluate import evaluate_task

    try:
        evaluate_task(task.value, files or None, log=typer.echo, threshold=threshold,
                      profile=profile.value)
    except AnalyserError as exc:
        _fail(exc)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
