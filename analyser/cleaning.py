"""Find web-page chrome (share buttons, comment forms, archives...) pasted along with a review.

Reviews copied from a browser drag the blog's widgets with them. Those lines would pollute
section, spoiler and sentiment analysis, but the text must keep its offsets, so this module only
*reports* spans (whole lines) for the caller to exclude. Every rule matches a WHOLE line against
a known widget phrase: a review sentence that merely mentions "share" or "November 2016" never
matches, and lines longer than ~20 words are never touched (except inside a detected comments
section, whose bodies are other people's words, not the review).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["REASONS", "Removed", "classify_line", "find_chrome"]

REASONS = (
    "follow-widget",
    "comments",
    "taxonomy",
    "byline",
    "share",
    "navigation",
    "archive",
    "empty-widget",
    "widget-residue",
    "search-box",
    "blog-boilerplate",
)

_MAX_WORDS = 20


@dataclass(frozen=True)
class Removed:
    """A span of page chrome: [start, end) covers whole lines; reason is a short tag."""

    start: int
    end: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"start": self.start, "end": self.end, "reason": self.reason}


# --------------------------------------------------------------------------------------------
# Building blocks (all patterns are matched against a lower-cased, space-collapsed line)
# --------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_FULL = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)"
_DATE = (
    rf"(?:{_WEEKDAY}?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}))"
)
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?\s?m\.?)?)"
_NUMWORD = r"(?:\d[\d,]*|no|one|two|three|four|five|six|seven|eight|nine|ten)"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{pattern})", re.X)


# Comment meta lines: who wrote a comment and when. They anchor the comments-tail rule.
_SAYS_RE = re.compile(r"(?P<who>.{1,80}?)\s(?:says|said|wrote|commented)\s*(?::|\.\.\.|…)")
_HAS_DATE_OR_TIME_RE = re.compile(rf"{_DATE}|{_TIME}")
_COMMENT_META_RE = _rx(
    rf"""
    {_DATE}\s*(?:at|@|,|-|–|—)?\s*{_TIME}(?:\s*(?:reply|edit|\#|¶|permalink|[|]))*
  | {_TIME}\s*(?:on|,|-|–)?\s*{_DATE}(?:\s*(?:reply|edit|\#|¶|permalink|[|]))*
  | \d+\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+ago
  | reply(?:\s*[↓→»])? | log\s+in\s+to\s+reply | reply\s+to\s+\S.{{0,40}}
    """
)
_COMMENT_HEADER_RE = _rx(
    rf"""
    {_NUMWORD}\s+(?:replies|reply|comments?|responses?)(?:\s+so\s+far)?\s*(?:»|›|>>|→)?\s*:?
  | {_NUMWORD}\s+(?:thoughts?\s+on|responses?\s+to)\s+[“"'‘«].{{1,160}}
  | comments?(?:\s*\(\d+\))?\s*:? | responses\s*:? | discussion
  | leave\s+a\s+(?:reply|comment|response)(?:\s+to\s+[^.?!:;]{{1,60}}?(?:\s+cancel\s+reply)?)?
  | post\s+a\s+comment | join\s+the\s+discussion:?
    """
)
_COMMENTS_RE = _rx(
    r"""
    cancel\s+reply | add\s+(?:a\s+)?comment | write\s+a\s+comment
  | your\s+e-?mail\s+address\s+will\s+not\s+be\s+published\.?
      (?:\s+required\s+fields\s+are\s+marked\s+\*)?
  | required\s+fields\s+are\s+marked\s+\*
  | (?:name|e-?mail|website|url|comment|mail)\s*(?:\*|\(required\))
      (?:\s*\(will\s+not\s+be\s+published\))?
  | website | comment | comments\s+are\s+closed\.?
  | save\s+my\s+name,?\s+e-?mail,?\s+and\s+website\s+in\s+this\s+browser\s+for\s+the\s+next
      \s+time\s+i\s+comment\.?
  | notify\s+me\s+of\s+(?:new|follow-?up)\s+(?:comments|posts|replies)\s+(?:via|by)\s+e-?mail\.?
  | (?:post|submit|add)\s+(?:comment|reply) | submit
  | (?:you\s+must\s+be\s+)?logged\s+in\s+to\s+post\s+a\s+comment\.?
  | this\s+site\s+uses\s+akismet\s+to\s+reduce\s+spam\..{0,120}
  | fill\s+in\s+your\s+details\s+below\s+or\s+click\s+an\s+icon\s+to\s+log\s+in:?
    """
)
_FOLLOW_RE = _rx(
    r"""
    follow(?:\s+(?:this\s+)?blog)?(?:\s+(?:via|by)\s+e-?mail)? | following | followers?
  | follow\s+.{1,60}\s+on\s+wordpress\.com
  | (?:follow|find)\s+(?:me|us)(?:\s+on\s+[a-z]+(?:\s*(?:,|and|&)\s*[a-z]+)*)?:?
  | (?:subscribe|sign\s+up)(?:\s+(?:now|here|today))?!?
  | subscribe\s+to\s+(?:this\s+blog|the\s+blog|my\s+blog|our\s+newsletter|the\s+newsletter
      |updates|new\s+posts|posts|blog\s+via\s+e-?mail|via\s+e-?mail).{0,40}
  | subscribe\s+(?:via|by)\s+e-?mail | subscribed!? | newsletter:?
  | enter\s+your\s+e-?mail(?:\s+address)?(?:\s+.{0,200})?
  | join\s+[\d,.]+\s+other\s+(?:followers|subscribers)
  | e-?mail\s+address:? | your\s+e-?mail(?:\s+address)?:?
  | sign\s+me\s+up!? | get\s+new\s+posts\s+(?:by|via)\s+e-?mail:?
    """
)
_SHARE_WORDS = frozenset(
    "twitter facebook pinterest tumblr reddit whatsapp linkedin telegram pocket skype email "
    "e-mail print more tweet mastodon bluesky threads flipboard messenger share".split()
)
_SHARE_RE = _rx(
    r"""
    share(?:\s+this(?:\s+(?:post|article|review|page|story))?)?\s*:?
  | share\s+(?:on|via|to)\s+[a-z]+ | pin\s+it | copy\s+link | email\s+this
  | like\s+this\s*:? | like | liked\s+by\s+\d[\d,]*\s+(?:people|persons?|bloggers?)
  | (?:\d[\d,]*\s+)?(?:bloggers?|people)\s+likes?\s+this\.? | be\s+the\s+first\s+to\s+like\s+this\.?
  | like\s+loading(?:\.\.\.|…)? | loading(?:\.\.\.|…)
  | click\s+to\s+(?:share\s+on\s+[a-z]+|email\s+a\s+link\s+to\s+a\s+friend|email\s+this
      (?:\s+to\s+a\s+friend)?|print|email)(?:\s*\(opens\s+in\s+new\s+window\))?
  | \(opens\s+in\s+new\s+window\) | reblog | rate\s+this\s*:?
    """
)
_TAXONOMY_COLON_RE = _rx(
    r"""
    (?:categories|category|tags|tag|labels|label|topics|filed\s+under|posted\s+in
      |tagged(?:\s+(?:as|with))?)\s*:.{0,300}
  | categories | tags | tag\s+cloud
    """
)
_TAXONOMY_LIST_RE = _rx(r"(?:filed\s+under|posted\s+in|tagged(?:\s+(?:as|with))?)\s+(?P<rest>.+)")
_BYLINE_RE = _rx(
    rf"""
    (?:posted|published|written|updated|last\s+updated|reviewed)(?:\s+on)?\s+{_DATE}
      (?:\s*(?:by|[|•·,-])\s*.{{0,60}})?
  | {_DATE}(?:\s*(?:by|[|•·,-])\s*.{{1,60}})?
  | (?:posted|written|reviewed)\s+by\s+[^.!?]{{1,60}}
  | posted\s+on\s+[^.!?]{{1,60}}
  | \d+\s+min(?:ute)?s?\s+read | reading\s+time\s*:?\s*.{{0,20}}
    """
)
_BY_RE = re.compile(r"by\s+(?P<who>.+)", re.I)
_YEAR_RE = re.compile(r"\d{4}")
_ARCHIVE_RE = _rx(
    rf"{_MONTH_FULL}\s+\d{{4}}(?:\s*\(\d+\))? | select\s+month | archives?\s+by\s+month"
)
_NAV_RE = _rx(
    r"""
    (?:«|‹|←|<<?)?\s*(?:previous|prev|next|older|newer)(?:\s+(?:post|posts|entry|entries
      |article|articles|review|reviews|page|story))?\s*(?:»|›|→|>>?)?
  | (?:previous|next)\s+(?:post|article|entry|review|story)\s*[:–—-]\s*.{1,120}
  | (?:«|‹|←)\s*.{1,120} | .{1,120}\s*(?:»|›|→)
  | post\s+navigation | skip\s+to\s+(?:main\s+)?content | (?:toggle\s+|main\s+|primary\s+)?menu
  | search(?:\s+for)?\s*(?::|…|\.\.\.)? | search\s+this\s+(?:site|blog)
  | archives? | recent\s+(?:posts|comments|reviews) | popular\s+posts | top\s+posts(?:\s+&\s+pages)?
  | related(?:\s+(?:posts|articles|reviews|content|stories))?\s*:?
  | you\s+(?:may|might)\s+also\s+(?:like|enjoy)\s*:?
  | blog\s+at\s+wordpress\.com\.? | create\s+a\s+free\s+website\s+or\s+blog\s+at\s+wordpress\.com\.?
  | (?:proudly\s+)?powered\s+by\s+.{1,80}
  | (?:copyright\s*)?(?:©|\(c\)|copyright)\s*.{0,120} | all\s+rights\s+reserved\.?
  | privacy\s+policy | terms(?:\s+of\s+(?:use|service))? | cookie\s+policy
  | privacy\s+&\s+cookies\s*:.{0,200}
  | to\s+find\s+out\s+more,\s+including\s+how\s+to\s+control\s+cookies.{0,80}
  | close\s+and\s+accept | accept(?:\s+(?:all\s+)?cookies)?
  | theme\s*:?\s+.{1,40}\s+by\s+.{1,60} | blogroll | meta | log\s+in | entries\s+(?:feed|rss)
  | comments\s+(?:feed|rss) | wordpress\.(?:org|com) | advertisements? | report\s+this\s+ad
  | sponsored(?:\s+content)? | back\s+to\s+top | scroll\s+to\s+top | read\s+more
  | continue\s+reading.{0,80}
    """
)
_MENU_WORDS = frozenset(
    "home about me us contact reviews review blog archives archive search menu books book films "
    "film movies movie tv music games news shop faq privacy podcast interviews features lists "
    "login register subscribe portfolio events".split()
)
_MENU_ANCHORS = frozenset({"home", "about", "contact", "menu", "search", "archives", "blog"})
_EMPTY_WIDGET_RE = re.compile(r"[\s,;:•·|/\\\-–—*»«>.#~_=+]+")
_BULLET_RE = re.compile(r"^(?:[-*•·▪◦]\s+)+")
_SPLIT_SEPARATORS_RE = re.compile(r"[\s|•·/,]+")
_TRAILING_PUNCT = (".", "!", "?")
_DETERMINERS = frozenset("the a an my our his her their its this that these those".split())

# Reasons whose lines end a comments tail (sidebar/footer chrome after the last comment).
_TAIL_STOP = frozenset({"follow-widget", "navigation", "archive", "taxonomy"})


def _only_words(norm: str, vocabulary: frozenset[str], minimum: int) -> bool:
    tokens = [t for t in _SPLIT_SEPARATORS_RE.split(norm) if t]
    return len(tokens) >= minimum and all(t in vocabulary for t in tokens)


def _is_menu_line(norm: str) -> bool:
    """A line made only of menu words, e.g. "Home About Reviews Contact"."""
    tokens = [t for t in _SPLIT_SEPARATORS_RE.split(norm) if t]
    if len(tokens) == 1:
        return tokens[0] in _MENU_ANCHORS
    return (
        len(tokens) >= 2
        and all(t in _MENU_WORDS for t in tokens)
        and any(t in _MENU_ANCHORS for t in tokens)
    )


def _is_taxonomy_list(norm: str) -> bool:
    """ "Posted in Reviews, Sci-fi" but not "Posted in 1990, the letter arrives too late."."""
    m = _TAXONOMY_LIST_RE.fullmatch(norm)
    if not m:
        return False
    rest = m.group("rest")
    if rest.split()[0] in _DETERMINERS:  # "Posted in the summer" is prose, not a category
        return False
    return not rest.endswith(_TRAILING_PUNCT) and len(rest.split()) <= 10


def _is_by_line(norm: str, original: str) -> bool:
    """ "By admin" / "by Jane Doe | 2 March 2019" but not "By the end."."""
    if not _BY_RE.fullmatch(norm) or norm.endswith(_TRAILING_PUNCT):
        return False
    who = _BY_RE.fullmatch(original.strip())
    words = (who.group("who") if who else "").split()
    if not words or len(words) > 8:
        return False
    if len(words) == 1 or "|" in original or _YEAR_RE.search(original):
        return True
    return len(words) <= 4 and all(w[0].isupper() for w in words if w[0].isalpha())


_Rule = Callable[[str, str], bool]
# Residue of widgets and images, by shape rather than by name: image file names
# ("facebook-icon.png"), link targets, and button labels run together with no spaces
# ("ShareTweetPinEmail": three or more capitalised words in one token).
_FILE_TOKEN_RE = re.compile(r"[\w.-]+\.(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?)(?:\?\S*)?",
                            re.I)
_URL_TOKEN_RE = re.compile(r"(?:https?://|www\.)\S+", re.I)
_RUN_TOGETHER_RE = re.compile(r"(?:[A-Z][a-z]+){3,}")
# a line that is only emoticons or pictographs: a smiley left after the review ends
_EMOTICON_LINE_RE = re.compile(
    r"(?:\s*(?:[:;=8xX][-'^o]?[()DPpOo3/\\|\]\[*]+|<3+|\^_*\^|[\u2600-\u27bf\U0001f300-"
    r"\U0001faff\ufe0f\u200d]+))+\s*")


def _is_residue(original: str) -> bool:
    tokens = original.split()
    return bool(tokens) and all(
        _FILE_TOKEN_RE.fullmatch(t) or _URL_TOKEN_RE.fullmatch(t)
        or _RUN_TOGETHER_RE.fullmatch(t) for t in tokens) and any(
        _FILE_TOKEN_RE.fullmatch(t) or _RUN_TOGETHER_RE.fullmatch(t) for t in tokens)


# A search box's prompt ("Search for:", "Type your search and hit enter"): a short line that
# names searching and holds nothing but the words such prompts are made of.
_SEARCH_WORDS = frozenset(
    "search searching searches for this the our my site blog website here type your and hit "
    "press enter return to keywords keyword terms term query start typing results go find "
    "posts post archives archive articles reviews more what are you looking".split())
_LETTER_RUN_RE = re.compile(r"[a-z]+")


def _is_search_prompt(norm: str) -> bool:
    words = _LETTER_RUN_RE.findall(norm)
    return (0 < len(words) <= 10 and any(w.startswith("search") for w in words)
            and all(w in _SEARCH_WORDS for w in words))


# Blog boilerplate that asks the reader to act on the page ("Please help me correct it by
# adding a comment", "Let me know what you think in the comments", "Don't forget to
# subscribe"): a request to the reader together with one of the page's own mechanisms. A
# request alone ("please see this film") or a mechanism word alone ("I'd like to comment on
# the acting") is review text.
_REQUEST_RE = re.compile(
    r"\b(?:please|kindly|feel\s+free|(?:do\s+not|don[’']?t)\s+forget|be\s+sure\s+to|"
    r"make\s+sure\s+to|let\s+(?:me|us)\s+know|help\s+(?:me|us)|if\s+you\s+(?:spot|find|notice|"
    r"see|enjoyed|liked|like|want|have))\b")
_PAGE_ACTION_RE = re.compile(
    r"\b(?:comments?|commenting|reply|replies|subscribe|subscribing|share|sharing|"
    r"follow\s+(?:me|us|the\s+blog|this\s+blog|my\s+blog)|feedback|like\s+button|"
    r"leave\s+a\s+like|hit\s+(?:the\s+)?like)\b")


def _is_blog_request(norm: str) -> bool:
    return bool(_REQUEST_RE.search(norm)) and bool(_PAGE_ACTION_RE.search(norm))


_RULES: tuple[tuple[str, _Rule], ...] = (
    ("comments", lambda n, o: _is_meta_norm(n)),
    ("comments", lambda n, o: bool(_COMMENT_HEADER_RE.fullmatch(n))),
    ("comments", lambda n, o: bool(_COMMENTS_RE.fullmatch(n))),
    ("follow-widget", lambda n, o: bool(_FOLLOW_RE.fullmatch(n))),
    ("share", lambda n, o: bool(_SHARE_RE.fullmatch(n)) or _only_words(n, _SHARE_WORDS, 1)),
    ("taxonomy", lambda n, o: bool(_TAXONOMY_COLON_RE.fullmatch(n)) or _is_taxonomy_list(n)),
    ("archive", lambda n, o: bool(_ARCHIVE_RE.fullmatch(n))),
    ("byline", lambda n, o: bool(_BYLINE_RE.fullmatch(n)) and not n.endswith(".")),
    ("byline", _is_by_line),
    ("navigation", lambda n, o: bool(_NAV_RE.fullmatch(n)) or _is_menu_line(n)),
    ("widget-residue", lambda n, o: _is_residue(o)),
    ("empty-widget", lambda n, o: bool(_EMOTICON_LINE_RE.fullmatch(o))),
    ("search-box", lambda n, o: _is_search_prompt(n)),
    ("blog-boilerplate", lambda n, o: _is_blog_request(n)),
)


def _normalise(line: str) -> str:
    return _BULLET_RE.sub("", " ".join(line.split()).lower())


def classify_line(line: str) -> str | None:
    """The chrome reason of one line, or None for review text (or anything unsure)."""
    stripped = line.strip()
    if not stripped:
        return None
    if _EMPTY_WIDGET_RE.fullmatch(stripped):
        return "empty-widget"
    if len(stripped.split(None, _MAX_WORDS)) > _MAX_WORDS:  # stops splitting a long paragraph
        return None
    norm = _normalise(stripped)
    if not norm:
        return "empty-widget"
    for reason, rule in _RULES:
        if rule(norm, stripped):
            return reason
    return None


def _is_meta_norm(norm: str) -> bool:
    """Commenter meta: "Anna says:", "March 3, 2017 at 4:30 pm", "Reply", "2 days ago"."""
    if len(norm.split()) > 14:
        return False
    says = _SAYS_RE.fullmatch(norm)
    if says:
        # "Anna says:" or "Anna on March 3, 2017 at 4:30 pm said:", not "As the narrator says:".
        who = says.group("who")
        return len(who.split()) <= 3 or bool(_HAS_DATE_OR_TIME_RE.search(who))
    return bool(_COMMENT_META_RE.fullmatch(norm))


def _is_comment_meta(line: str) -> bool:
    norm = _normalise(line)
    return bool(norm) and _is_meta_norm(norm)


def _is_comment_header(line: str) -> bool:
    norm = _normalise(line)
    return (
        bool(norm) and len(norm.split()) <= _MAX_WORDS and bool(_COMMENT_HEADER_RE.fullmatch(norm))
    )


def _comment_tails(lines: list[str], reasons: list[str | None]) -> list[tuple[int, int]]:
    """(first, last) line index ranges of comment sections: header ... commenter meta ... bodies.

    The header must be followed by commenter meta lines with only short or chrome lines in
    between, so a "3 Comments" link above the review body never swallows the review.
    """
    tails: list[tuple[int, int]] = []
    n = len(lines)
    i = 0
    while i < n:
        if reasons[i] != "comments" or not _is_comment_header(lines[i]):
            i += 1
            continue
        first_meta = None
        j = i + 1
        while j < n:
            line = lines[j]
            if not line.strip():
                j += 1
                continue
            if _is_comment_meta(line):
                first_meta = j
                break
            if reasons[j] is None and len(line.split()) > 6:
                break
            j += 1
        if first_meta is None:
            i += 1
            continue
        last = first_meta
        k = first_meta + 1
        while k < n:
            if lines[k].strip():
                if reasons[k] in _TAIL_STOP and not _is_comment_meta(lines[k]):
                    break
                last = k
            k += 1
        tails.append((i, last))
        i = last + 1
    return tails


def find_chrome(text: str) -> list[Removed]:
    """Spans of page chrome in ``text``: sorted, non-overlapping, whole lines; text unchanged."""
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    reasons = [classify_line(line) for line in lines]
    for first, last in _comment_tails(lines, reasons):
        for k in range(first, last + 1):
            reasons[k] = "comments" if lines[k].strip() else None
    # Merge runs of same-reason lines; blank lines in between do not break a run.
    spans: list[Removed] = []
    run_reason: str | None = None
    run_first = run_last = -1
    for idx, reason in enumerate(reasons):
        if reason is None:
            if lines[idx].strip():
                if run_reason is not None:
                    spans.append(_span(lines, starts, run_first, run_last, run_reason))
                run_reason = None
            continue
        if reason == run_reason:
            run_last = idx
            continue
        if run_reason is not None:
            spans.append(_span(lines, starts, run_first, run_last, run_reason))
        run_reason, run_first, run_last = reason, idx, idx
    if run_reason is not None:
        spans.append(_span(lines, starts, run_first, run_last, run_reason))
    return spans


def _span(lines: list[str], starts: list[int], first: int, last: int, reason: str) -> Removed:
    end = starts[last] + len(lines[last])
    if lines[last].endswith("\r"):
        end -= 1
    return Removed(start=starts[first], end=end, reason=reason)
