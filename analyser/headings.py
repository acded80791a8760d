"""What a heading says about the section under it, and how headings look in plain text.

Bloggers label their sections ("The Plot:", "Synopsis", "My opinion:", "Verdict"...). When a
heading names a section type we trust it over the sentence classifier: the writer knows
which part is which. Unknown headings (a title, "Hiro's journey") say nothing and leave the
sentences to the classifier.
"""

from __future__ import annotations

import re

SECTION_LABELS = ("summary", "plot", "opinion", "info")

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "plot": (
        "plot", "the plot", "synopsis", "plot synopsis", "plot summary", "story", "the story",
        "storyline", "story line", "what happens", "recap", "spoilers", "spoiler section",
        "plot details", "the storyline", "narrative", "plot recap", "full synopsis",
    ),
    "summary": (
        "summary", "overview", "introduction", "intro", "in brief", "tl;dr", "tldr",
        "at a glance", "premise", "the premise", "quick take", "short version", "in short",
        "background", "about", "about the film", "about the book", "about the movie",
    ),
    "opinion": (
        "opinion", "my opinion", "opinions", "thoughts", "my thoughts", "review", "my review",
        "the review", "verdict", "final verdict", "the verdict", "our verdict", "final thoughts",
        "conclusion", "conclusions", "in conclusion", "overall", "overall thoughts", "the good",
        "the bad", "the ugly", "the good and the bad", "pros", "cons", "pros and cons",
        "what i liked", "what i didn't like", "what i did not like", "what worked",
        "what didn't work", "likes", "dislikes", "critique", "analysis", "my take",
        "what i thought", "bottom line", "the bottom line", "recommendation", "rating",
        "my rating", "final rating", "score", "should you watch it", "should you read it",
        "is it worth it", "worth watching", "impressions", "first impressions", "reaction",
        "my reaction", "discussion", "evaluation", "assessment", "final words", "wrap up",
        "wrap-up", "closing thoughts", "last thoughts", "why you should watch",
        "why you should read", "performances", "the acting", "direction", "cinematography",
    ),
    "info": (
        "cast", "credits", "cast and crew", "cast & crew", "details", "film details",
        "book details", "movie details", "info", "information", "specs", "technical details",
        "production", "release", "release info", "where to watch", "availability", "facts",
        "fact sheet", "key facts", "the details",
    ),
}
_LOOKUP = {kw: label for label, kws in _KEYWORDS.items() for kw in kws}
_NORMALISE = re.compile(r"[^\w&;' -]+")
_LEADING = re.compile(r"^(?:\d+[.)]\s*|[ivx]+[.)]\s+|part \d+[:.]?\s*)")

# "Director: Denis Villeneuve" lines are credits (info), not headings.
_INFO_LABEL_SET = frozenset(
    (
        "director|directors|directed by|writer|writers|written by|screenplay|screenplay by|"
        "cast|starring|stars|producer|producers|produced by|music|composer|score by|"
        "cinematography|editor|runtime|running time|run time|length|release date|released|"
        "release year|genre|genres|rated|mpaa rating|certificate|country|language|budget|"
        "box office|studio|distributor|publisher|published|pages|page count|author|isbn|"
        "format|series|based on|original title|year|platform|network|episodes|seasons"
    ).split("|")
)
_INFO_LINE = re.compile(r"^\s*[*_]*([A-Za-z][A-Za-z &/.'-]{1,30}?)[*_]*\s*[:\-–—]\s*\S")
_CREDIT_SENTENCE = re.compile(
    r"^\s*(directed by|written by|starring|produced by|screenplay by|music by|running time|"
    r"runtime|release date|rated (g|pg|pg-13|r|nc-17)\b|certificate|\(\d{4}\)\s*$)",
    re.I,
)


def normalise_heading(text: str) -> str:
    t = text.strip().lower().rstrip(":").strip()
    t = _LEADING.sub("", t)
    t = _NORMALISE.sub(" ", t)
    return " ".join(t.split())


def heading_label(text: str) -> str | None:
    """The section label a heading names, or None for headings that name no section type."""
    t = normalise_heading(text)
    if not t:
        return None
    if t in _LOOKUP:
        return _LOOKUP[t]
    for prefix in ("the ", "my ", "our ", "a "):
        if t.startswith(prefix) and t[len(prefix):] in _LOOKUP:
            return _LOOKUP[t[len(prefix):]]
    # "Plot (spoilers!)", "Verdict - 4/5", "Final thoughts on Dune": first words decide.
    words = t.split()
    for n in (3, 2, 1):
        head = " ".join(words[:n])
        if len(words) >= n and head in _LOOKUP and len(words) <= 6:
            return _LOOKUP[head]
    return None


def is_info_line(text: str) -> bool:
    """Credits/metadata lines: "Director: X", "Runtime: 2h 11m", "Directed by X."."""
    m = _INFO_LINE.match(text)
    if m and m.group(1).strip().lower() in _INFO_LABEL_SET:
        return True
    return bool(_CREDIT_SENTENCE.match(text))


_TERMINAL = tuple('.!?…"”’)')


def looks_like_heading(line: str, *, first_line: bool = False) -> bool:
    """Is this whole plain-text line a heading?

    Yes when it is short and ends with a colon ("The Plot:"), or it is short, has no
    sentence punctuation and names a section type ("Verdict", "Final Thoughts"), or it comes
    before any body text and looks like a title (short, Title Case, no final full stop).
    """
    s = line.strip()
    if not s or len(s) > 80:
        return False
    words = s.split()
    if s.endswith(":") and len(words) <= 7 and not is_info_line(s + " x"):
        return True
    if first_line and len(words) <= 12 and not s.endswith((".", "!", "?", "…", ",", ";")):
        caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
        if caps >= max(1, len(words) - 2):
            return True
    if s.endswith(_TERMINAL) or len(words) > 8:
        return False
    return heading_label(s) is not None


_INLINE = re.compile(r"^\s*([A-Za-z][A-Za-z' &]{1,40}?)\s*:\s+(?=\S)")


def inline_heading(line: str) -> int | None:
    """Length of a "Verdict: ..." style label at the start of a line, if it names a section."""
    m = _INLINE.match(line)
    if not m or heading_label(m.group(1)) is None:
        return None
    rest = line[m.end():].strip()
    # "Review: The Long Quiet (2019)" is a title, not a label over a sentence.
    if not rest.endswith((".", "!", "?", "…")) and len(rest.split()) < 6:
        return None
    if m.group(1).strip().lower() in _INFO_LABEL_SET:
        return None
    return m.end()
