"""Showing a :class:`ReviewAnalysis` to people: terminal report and spoiler-masked text."""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from .results import ReviewAnalysis

_SECTION_STYLE = {"summary": "cyan", "plot": "magenta", "opinion": "green", "info": "blue"}


def sentiment_word(score: float) -> str:
    return f"{score:+.2f}"


def to_json(result: ReviewAnalysis, *, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def masked_text(result: ReviewAnalysis, *, keep_chrome: bool = False) -> str:
    """The review with every flagged spoiler sentence replaced by a marker.

    Page chrome (menus, share buttons, comment boxes) is dropped too unless `keep_chrome`.
    """
    cuts: list[tuple[int, int, str]] = []
    for s in result.sentences:
        if s.spoiler.flag:
            marker = "[spoiler hidden]" if s.spoiler.kind != "hint" else "[spoiler hint hidden]"
            cuts.append((s.start, s.end, marker))
    if not keep_chrome:
        cuts.extend((r.start, r.end, "") for r in result.removed)
    cuts.sort()
    out = []
    pos = 0
    text = result.text
    for start, end, marker in cuts:
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(marker)
        pos = end
    out.append(text[pos:])
    masked = "".join(out)
    # dropping chrome leaves runs of blank lines behind
    lines = [ln.rstrip() for ln in masked.split("\n")]
    squeezed: list[str] = []
    for ln in lines:
        if ln or (squeezed and squeezed[-1]):
            squeezed.append(ln)
    return "\n".join(squeezed).strip() + "\n"


def print_report(result: ReviewAnalysis, console: Console | None = None, *,
                 show_reasons: bool = True) -> None:
    """Readable report: sections as headers, spoilers marked with kind and probability,
    sentiment per section and overall. Colour only on a terminal (rich decides)."""
    console = console or Console(highlight=False)
    title = Text("Review", style="bold")
    if result.source:
        title.append(f"  {result.source}", style="dim")
    console.print(title)
    sent = result.sentiment
    console.print(
        Text.assemble(
            ("Overall sentiment: ", "bold"),
            (f"{sent.label} ({sentiment_word(sent.score)})", _label_style(sent.label)),
            ("   Spoilers: ", "bold"),
            (f"{result.spoilers.count} of {len(result.sentences)} sentences",
             "red" if result.spoilers.count else "green"),
        )
    )
    by_section = {id(sec): [] for sec in result.sections}
    for s in result.sentences:
        for sec in result.sections:
            if sec.start <= s.start < sec.end or (s.start == sec.start):
                by_section[id(sec)].append(s)
                break
    for sec in result.sections:
        console.print()
        head = Text(f"== {sec.label.upper()}", style=f"bold {_SECTION_STYLE.get(sec.label, '')}")
        if sec.heading:
            head.append(f' "{sec.heading}"', style="bold")
        head.append(f"  sentiment {sentiment_word(sec.sentiment)}", style="dim")
        console.print(head)
        for s in by_section[id(sec)]:
            line = Text("  ")
            if s.spoiler.flag:
                line.append(f"[SPOILER {s.spoiler.kind} {s.spoiler.probability:.2f}] ",
                            style="bold red")
                line.append(s.text, style="red")
            else:
                line.append(s.text)
            line.append(f"  ({sentiment_word(s.sentiment)})", style="dim")
            console.print(line)
            if s.spoiler.flag and show_reasons and s.spoiler.reasons:
                console.print(Text("      why: " + ", ".join(s.spoiler.reasons), style="dim"))
    if result.removed:
        console.print()
        reasons: dict[str, int] = {}
        for r in result.removed:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        summary = ", ".join(f"{k} x{v}" for k, v in reasons.items())
        console.print(Text(f"Removed page chrome: {summary}", style="dim"))


def _label_style(label: str) -> str:
    return {"positive": "green", "negative": "red", "mixed": "yellow"}.get(label, "")
