"""Tests for analyser.cleaning.find_chrome: whole-line page chrome, never review prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.cleaning import REASONS, Removed, classify_line, find_chrome

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
BLOG = (EXAMPLES / "blog_post_with_chrome.txt").read_text(encoding="utf-8")


def removed_text(text: str, spans: list[Removed]) -> list[tuple[str, str]]:
    return [(s.reason, text[s.start : s.end]) for s in spans]


def reason_of(text: str, spans: list[Removed], line: str) -> str | None:
    """Reason of the span containing the whole line `line`, or None if it survives."""
    start = text.index(line)
    end = start + len(line)
    for s in spans:
        if s.start <= start and end <= s.end:
            return s.reason
        assert not (s.start < end and start < s.end), f"span cuts through line {line!r}"
    return None


def assert_well_formed(text: str, spans: list[Removed]) -> None:
    """Sorted, non-overlapping, whole lines, known reasons."""
    prev_end = -1
    for s in spans:
        assert s.reason in REASONS
        assert 0 <= s.start < s.end <= len(text)
        assert s.start > prev_end
        prev_end = s.end
        assert s.start == 0 or text[s.start - 1] == "\n"
        assert s.end == len(text) or text[s.end] == "\n"
        assert text[s.start : s.end].strip() == text[s.start : s.end]


# ------------------------------------------------------------------------------ blog example


class TestBlogExample:
    spans = find_chrome(BLOG)

    def test_well_formed(self) -> None:
        assert_well_formed(BLOG, self.spans)

    def test_text_is_not_modified(self) -> None:
        before = str(BLOG)
        find_chrome(BLOG)
        assert before == BLOG

    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            ("Home About Reviews Contact", "navigation"),
            ("Posted on March 2, 2019 by filmfan", "byline"),
            ("Share this:", "share"),
            ("Twitter", "share"),
            ("Facebook", "share"),
            ("Like this:", "share"),
            ("Like Loading...", "share"),
            ("Related", "navigation"),
            ("Categories: Reviews", "taxonomy"),
            ("Tagged as: , ,", "taxonomy"),
            ("2 replies »", "comments"),
            ("Anna says:", "comments"),
            ("March 3, 2019 at 4:30 pm", "comments"),
            ("I had exactly the same feeling about the flashback", "comments"),
            ("Reply", "comments"),
            ("Leave a Reply", "comments"),
            ("Your email address will not be published. Required fields are marked *", "comments"),
            ("Follow Blog via Email", "follow-widget"),
            (
                "Enter your email address to follow this blog and receive notifications of new "
                "posts by email.",
                "follow-widget",
            ),
            ("Join 312 other followers", "follow-widget"),
            ("Archives", "navigation"),
            ("March 2019", "archive"),
            ("February 2019 (3)", "archive"),
            ("December 2018 (2)", "archive"),
            ("Blog at WordPress.com.", "navigation"),
        ],
    )
    def test_chrome_found(self, line: str, reason: str) -> None:
        if line.startswith("I had exactly"):
            start = BLOG.index(line)
            line = BLOG[start : BLOG.index("\n", start)]
        assert reason_of(BLOG, self.spans, line) == reason

    def test_comments_tail_is_one_span(self) -> None:
        comments = [s for s in self.spans if s.reason == "comments"]
        assert len(comments) == 1
        body = BLOG[comments[0].start : comments[0].end]
        assert body.startswith("2 replies »")
        assert body.endswith("Required fields are marked *")
        assert "Anna says:" in body

    def test_adjacent_same_reason_lines_merged(self) -> None:
        got = removed_text(BLOG, self.spans)
        assert ("share", "Share this:\nTwitter\nFacebook\nLike this:\nLike Loading...") in got
        archive = "March 2019\nFebruary 2019 (3)\nJanuary 2019 (5)\nDecember 2018 (2)"
        assert ("archive", archive) in got

    @pytest.mark.parametrize(
        "line",
        [
            "Review: The Long Quiet (2019)",
            "Summary",
            "The Plot:",
            "My opinion:",
            "Verdict",
            "Very soon something awful happens which turns everything around.",
            "Mara finds a pod that has been empty for years",
            "In the final act Mara dies in the reactor room",
            "I loved the first hour.",
            "The second half is weaker.",
            "Still, I have not stopped thinking about the final shot",
            "Flawed but haunting.",
        ],
    )
    def test_review_body_survives(self, line: str) -> None:
        start = BLOG.index(line)
        line_start = BLOG.rfind("\n", 0, start) + 1
        line_end = BLOG.index("\n", start)
        assert reason_of(BLOG, self.spans, BLOG[line_start:line_end]) is None

    def test_everything_between_byline_and_share_is_kept(self) -> None:
        byline_end = BLOG.index("Posted on March 2, 2019 by filmfan") + 35
        share_start = BLOG.index("Share this:")
        for s in self.spans:
            assert s.end <= byline_end or s.start >= share_start


# ------------------------------------------------------------------------------ line rules


class TestLineRules:
    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            ("Follow", "follow-widget"),
            ("Subscribe", "follow-widget"),
            ("Email Address", "follow-widget"),
            ("Join 1,234 other followers", "follow-widget"),
            ("Leave a comment", "comments"),
            ("Post a Comment", "comments"),
            ("Cancel reply", "comments"),
            ("3 Comments", "comments"),
            ("One thought on “Dune review”", "comments"),
            ("Name *", "comments"),
            ("Email *", "comments"),
            ("Website", "comments"),
            (
                "Save my name, email, and website in this browser for the next time I comment.",
                "comments",
            ),
            ("Notify me of new comments via email.", "comments"),
            ("Post Comment", "comments"),
            ("Jane says:", "comments"),
            ("Jane Smith on 3 March 2017 at 16:30 said:", "comments"),
            ("March 3, 2017 at 4:30 pm", "comments"),
            ("2017-03-03 at 16:30", "comments"),
            ("Category: Film", "taxonomy"),
            ("Tags: sci-fi, space", "taxonomy"),
            ("Tagged with Denis Villeneuve, sci-fi", "taxonomy"),
            ("Filed under Reviews", "taxonomy"),
            ("Posted in Reviews | Tagged dune | Leave a comment", "taxonomy"),
            ("By admin", "byline"),
            ("by Jane Doe", "byline"),
            ("Published March 2, 2019", "byline"),
            ("Posted by filmfan on March 2, 2019", "byline"),
            ("March 2, 2019", "byline"),
            ("5 min read", "byline"),
            ("Pinterest", "share"),
            ("Tumblr", "share"),
            ("Reddit", "share"),
            ("WhatsApp", "share"),
            ("Email", "share"),
            ("Print", "share"),
            ("Twitter Facebook Pinterest", "share"),
            ("Click to share on Twitter (Opens in new window)", "share"),
            ("Liked by 3 people", "share"),
            ("« Previous Post", "navigation"),
            ("Next Post »", "navigation"),
            ("Older posts", "navigation"),
            ("Newer posts", "navigation"),
            ("Skip to content", "navigation"),
            ("Menu", "navigation"),
            ("Home", "navigation"),
            ("About", "navigation"),
            ("Contact", "navigation"),
            ("Search for:", "navigation"),
            ("Search", "navigation"),
            ("Recent Posts", "navigation"),
            ("Recent Comments", "navigation"),
            ("Related posts", "navigation"),
            ("Powered by WordPress", "navigation"),
            ("Copyright © 2024 The Reel Notebook", "navigation"),
            ("Create a free website or blog at WordPress.com.", "navigation"),
            ("Home | About | Film Reviews | Contact", "navigation"),
            ("November 2016", "archive"),
            ("November 2016 (3)", "archive"),
            (", ,", "empty-widget"),
            ("•", "empty-widget"),
            ("  |  ", "empty-widget"),
        ],
    )
    def test_classify(self, line: str, reason: str) -> None:
        assert classify_line(line) == reason

    @pytest.mark.parametrize(
        "line",
        [
            "I will follow this series.",
            "Tags like these matter.",
            "Share this with anyone who loved the book.",
            "I first read it in November 2016, on a train.",
            "November 2016 was when everything changed for the heroine.",
            "Related to this, the score is superb.",
            "Home is where the heart is, the film keeps telling us.",
            "The comments section of my brain is still buzzing.",
            "Posted in 1990, the letter arrives too late.",
            "By the end, I was in tears.",
            "Next, the crew lands on the moon.",
            "Leave a reply to this question in your head: who is the killer?",
            "My favourite scene takes place on Twitter, oddly enough.",
            "The narrator says: trust nobody.",
            "Email was never this exciting in a film before.",
            "Summary",
            "The Plot:",
            "Verdict",
            "",
        ],
    )
    def test_prose_survives(self, line: str) -> None:
        assert classify_line(line) is None
        assert find_chrome(f"Intro sentence of the review.\n{line}\nAnother sentence.") == []

    def test_long_lines_are_never_removed(self) -> None:
        line = "Share this: " + " ".join(["word"] * 25)
        assert classify_line(line) is None

    def test_case_insensitive(self) -> None:
        assert classify_line("SHARE THIS:") == "share"
        assert classify_line("leave a reply") == "comments"


# ------------------------------------------------------------------------------ spans


class TestSpans:
    def test_empty_text(self) -> None:
        assert find_chrome("") == []

    def test_blank_lines_do_not_break_a_run(self) -> None:
        text = "Body.\n\nTwitter\n\nFacebook\n\nMore body."
        spans = find_chrome(text)
        assert removed_text(text, spans) == [("share", "Twitter\n\nFacebook")]

    def test_different_reasons_are_separate_spans(self) -> None:
        text = "Body.\nShare this:\nCategories: Film\nBody again."
        spans = find_chrome(text)
        assert removed_text(text, spans) == [
            ("share", "Share this:"),
            ("taxonomy", "Categories: Film"),
        ]
        assert_well_formed(text, spans)

    def test_span_covers_whole_line_with_indent(self) -> None:
        text = "Body.\n   Twitter   \nEnd."
        (span,) = find_chrome(text)
        assert text[span.start : span.end] == "   Twitter   "

    def test_crlf_text(self) -> None:
        text = "Body.\r\nTwitter\r\nEnd."
        (span,) = find_chrome(text)
        assert text[span.start : span.end] == "Twitter"

    def test_to_dict(self) -> None:
        assert Removed(1, 5, "share").to_dict() == {"start": 1, "end": 5, "reason": "share"}


class TestCommentsTail:
    def test_tail_to_end_of_text(self) -> None:
        text = (
            "The film is great and I recommend it to everyone who likes slow cinema.\n"
            "3 Comments\n"
            "Bob says:\n"
            "May 1, 2020 at 9:15 am\n"
            "Totally disagree, I found it boring from start to finish and the ending made no "
            "sense at all to me or to anyone I watched it with that night.\n"
            "Reply\n"
            "Jane says:\n"
            "May 2, 2020 at 10:00 am\n"
            "Loved it!\n"
        )
        spans = find_chrome(text)
        assert_well_formed(text, spans)
        assert len(spans) == 1
        (span,) = spans
        assert span.reason == "comments"
        assert text[span.start : span.end].startswith("3 Comments")
        assert text[span.start : span.end].endswith("Loved it!")

    def test_tail_stops_at_sidebar_chrome(self) -> None:
        text = (
            "Review body.\n"
            "Leave a Reply\n"
            "Anna says:\n"
            "Great review, thanks!\n"
            "Follow Blog via Email\n"
            "Join 12 other followers\n"
        )
        spans = find_chrome(text)
        assert removed_text(text, spans) == [
            ("comments", "Leave a Reply\nAnna says:\nGreat review, thanks!"),
            ("follow-widget", "Follow Blog via Email\nJoin 12 other followers"),
        ]

    def test_comment_count_above_the_review_does_not_swallow_it(self) -> None:
        text = (
            "Dune: Part Two review\n"
            "3 Comments\n"
            "Villeneuve returns to Arrakis with a sequel that is bigger, louder and somehow "
            "more intimate than the first film, and I loved nearly every minute of it.\n"
            "The ending is bleak but earned.\n"
            "Bob says:\n"
            "May 1, 2020 at 9:15 am\n"
            "Nice one.\n"
        )
        spans = find_chrome(text)
        assert reason_of(text, spans, "The ending is bleak but earned.") is None
        assert reason_of(text, spans, "Villeneuve returns to Arrakis") is None
        assert reason_of(text, spans, "Bob says:") == "comments"

    def test_header_without_comments_is_just_a_line(self) -> None:
        text = "Review body here.\nLeave a Reply\nMore words of the review that follow."
        assert removed_text(text, find_chrome(text)) == [("comments", "Leave a Reply")]


class TestOtherExamples:
    @pytest.mark.parametrize("name", ["plain_paragraphs.txt", "spoiler_free.txt"])
    def test_clean_reviews_have_no_chrome(self, name: str) -> None:
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        assert find_chrome(text) == []


@pytest.mark.parametrize("line,reason", [
    ("facebook-icon.png twitter-icon.png pinterest_share.jpg", "widget-residue"),
    ("ShareTweetPinEmail", "widget-residue"),
    ("logo_small.svg www.example.com/about", "widget-residue"),
    (":)", "empty-widget"),
    (":-D <3", "empty-widget"),
    ("\U0001f600\U0001f44d", "empty-widget"),
])
def test_widget_and_image_residue_is_chrome(line, reason):
    assert classify_line(line) == reason


@pytest.mark.parametrize("line", [
    "I loved it :)", "The GoodBadUgly is a made-up title.", "Harbour Lights", "iPhone",
    "See www.example.com for the trailer.", "McDonald's", "Poster.jpg was the best shot",
])
def test_review_lines_that_look_a_little_like_residue_are_kept(line):
    assert classify_line(line) is None


def test_residue_around_a_review_is_removed_and_reported(analyser):
    text = ("facebook-icon.png twitter-icon.png\nShareTweetPinEmail\n\n"
            "The film is a quiet drama about a lighthouse keeper. I loved it.\n\n:)\n")
    r = analyser.analyse(text)
    assert [s.text for s in r.sentences] == [
        "The film is a quiet drama about a lighthouse keeper.", "I loved it."]
    assert {x.reason for x in r.removed} == {"widget-residue", "empty-widget"}


@pytest.mark.parametrize("line,reason", [
    ("Type your search and hit enter", "search-box"),
    ("Search here...", "search-box"),
    ("Please help me correct it by adding a comment.", "blog-boilerplate"),
    ("Let me know what you think in the comments below!", "blog-boilerplate"),
    ("If you spot any mistakes, please leave a comment.", "blog-boilerplate"),
    ("Don't forget to like and subscribe!", "blog-boilerplate"),
])
def test_search_prompts_and_requests_to_the_reader_are_chrome(line, reason):
    assert classify_line(line) == reason


@pytest.mark.parametrize("line", [
    "The search for the killer takes up the second half.",
    "Please correct me if I am wrong, but the book ends differently.",
    "Please do not read this review if you have not seen the film.",
    "I would like to comment on the acting: it was superb.",
    "Please go and see it.",
])
def test_requests_and_searches_inside_a_review_are_kept(line):
    assert classify_line(line) is None


def test_blog_boilerplate_after_a_review_is_removed_and_reported(analyser):
    text = ("Search here...\n\nThe film is a quiet drama about a lighthouse keeper. "
            "I loved it.\n\nI am not a native speaker; if you find an error, please help me "
            "correct it by adding a comment.\n")
    r = analyser.analyse(text)
    assert [s.text for s in r.sentences] == [
        "The film is a quiet drama about a lighthouse keeper.", "I loved it."]
    assert [x.reason for x in r.removed] == ["search-box", "blog-boilerplate"]
