"""Model cards: ``models/<task>.md``, written by ``analyser train`` from what it measured."""

from __future__ import annotations

import json
from typing import Any

from ..models import models_dir

_PURPOSE = {
    "sections": "Labels review sentences as plot retelling vs the writer's opinion "
    "(P(plot)); headings, credits rules and an intro rule add `summary` and `info`.",
    "spoilers": "P(spoiler) for each review sentence; flag at the shipped threshold; "
    "rule layer for foreshadowing hints and no-spoiler promises.",
    "sentiment": "Sentence sentiment in [-1, 1] and a stacked review-level score that "
    "weights the writer's opinion above plot retelling.",
    "context": "The final per-sentence decisions read in context: section (summary / plot / "
    "opinion / info), spoiler probability, flag and kind (hint / explicit), sentence "
    "sentiment label (pos / neg / neu), and the review verdict (positive / negative / mixed "
    "/ neutral). A word n-gram first stage trained on real annotated IMDb reviews, and a "
    "second stage over the sentence's neighbours, position, plot run, earlier spoiler "
    "warnings and the other models' outputs.",
}
_CAVEATS = {
    "sections": "Trained on isolated sentences (IMDb plot summaries vs Rotten Tomatoes "
    "snippets), not on sections of real reviews: in-review plot passages mixed with "
    "evaluation are harder. The paragraph-context weight was chosen on synthetic reviews "
    "built from cross-validated scores.",
    "spoilers": "TV Tropes rows are wiki sentences, not reviews, and are balanced by their "
    "authors, so real reviews have far fewer spoilers than the training rate and precision "
    "in the wild is lower than on dev. Dev TV Tropes shares shows with train (optimistic)."
    " On real IMDb reviews whose writers call them spoiler-free, 12.7% of sentences (train "
    "reviews, not trained on) and 14.4% (dev) are flagged at the shipped threshold; "
    "`analyser evaluate spoilers` reports this as `review_flags`.",
    "sentiment": "Most training text is lower-cased, tokenised film-review snippets; product "
    "reviews (CR) and very informal text are out of domain.",
    "context": "Labels are machine-made (an LLM annotator following GUIDELINES.md), and the "
    "train and dev splits were selected rich in spoilers and plot. Dev holds 260 spoiler "
    "sentences and 18 mixed reviews: a point or two is noise. The verdict model's "
    "cross-validation is optimistic because the earlier review sentiment model was trained "
    "on IMDb reviews that include the annotated train reviews (its score is an input). "
    "`info` (121 train sentences) is rarely found. Spoilers scored sentence by sentence "
    "outside reviews (TV Tropes) rank worse than with the earlier spoiler model alone.",
}


_REVIEW_KEYS = ("section_macro_f1", "spoiler_roc_auc", "spoiler_precision", "spoiler_recall",
                "spoiler_f1", "hint_found", "spoiler_free_reviews", "sentiment_macro_f1",
                "verdict_accuracy", "mixed_found")


def _systems_table(report: dict[str, Any]) -> list[str]:
    """The whole-review evaluation (`analyser evaluate reviews`) as a Markdown table."""
    lines = ["## Dev split, whole reviews (`analyser evaluate reviews`)", "",
             "| system | " + " | ".join(k.replace("_", " ") for k in _REVIEW_KEYS) + " |",
             "|---" * (len(_REVIEW_KEYS) + 1) + "|"]
    for name, m in report["systems"].items():
        lines.append(f"| {name} | " + " | ".join(str(m.get(k, "-")) for k in _REVIEW_KEYS)
                     + " |")
    lines += ["", f"Spoiler flag threshold: **{report['threshold']}**.", ""]
    return lines


def write_card(task: str, entry: dict[str, Any], report: dict[str, Any] | None) -> None:
    lines = [
        f"# Model card: `{task}`",
        "",
        _PURPOSE[task],
        "",
        "| field | value |",
        "|---|---|",
        f"| file | `models/{entry['file']}` ({entry['bytes']:,} bytes) |",
        f"| SHA-256 | `{entry['sha256']}` |",
        f"| version | `{entry['version']}` |",
        f"| trained | {entry['trained']} |",
        "",
        "## Data",
        "",
    ]
    for f in entry["data"]:
        lines.append(f"- `../shared/data/{f['path']}` (sha256 `{f['sha256'][:16]}…`)")
    lines += ["", "## Parameters", "", "```json", json.dumps(entry["params"], indent=2), "```",
              "", "## Cross-validation on train (model selection)", "", "```json",
              json.dumps(entry["cv"], indent=2), "```", ""]
    if report and "systems" in report:
        lines += _systems_table(report)
    elif report:
        lines += [f"## Dev split (`analyser evaluate {task}`, through the public API)", "",
                  "| model | n | ROC-AUC | accuracy | F1 | precision | recall | Brier |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, m in report["tables"].items():
            cells = [m.get(k) for k in ("n", "roc_auc", "accuracy", "f1", "precision", "recall",
                                         "brier")]
            lines.append(f"| {name} | " + " | ".join("-" if c is None else str(c) for c in cells)
                         + " |")
        if "threshold" in report:
            lines += ["", f"Spoiler flag threshold: **{report['threshold']}**."]
        lines.append("")
    lines += ["## Caveats", "", _CAVEATS[task], ""]
    lines += ["## Rebuild", "", f"`analyser train {task}` (seeded; same data → same file).", ""]
    (models_dir() / f"{task}.md").write_text("\n".join(lines), encoding="utf-8")
