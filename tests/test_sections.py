"""Sectioning: headings decide when present; the classifier (with context) when not."""

from __future__ import annotations

HEADED = """The Plot:
Mara returns to her village after ten years away. Her brother has taken over the family farm
and refuses to let her in. She sleeps in the barn and slowly wins back the neighbours.

My opinion:
I adored the quiet pacing and the performances are superb. It is one of the best films of
the year, although the score is a little heavy-handed.
"""

UNHEADED = """Mara returns to her village after ten years away and finds her brother running the
family farm. He refuses to let her in, so she sleeps in the barn and takes a job at the mill.
Over the winter she wins back the neighbours one by one.

I adored the quiet pacing, and the performances are superb. The cinematography is gorgeous
but the score is heavy-handed. Still, it is one of the most moving films I have seen this year.
"""


def labels(result):
    return [s.section for s in result.sentences]


def test_headings_label_their_sections(analyser):
    r = analyser.analyse(HEADED)
    assert [s.heading for s in r.sections] == ["The Plot", "My opinion"]
    assert [s.label for s in r.sections] == ["plot", "opinion"]
    assert set(labels(r)[:3]) == {"plot"}
    assert set(labels(r)[3:]) == {"opinion"}
    # headings are not sentences
    assert all("The Plot" not in s.text and "My opinion" not in s.text for s in r.sentences)


def test_inline_and_markdown_headings(analyser):
    md = "## Synopsis\n\nA courier loses a parcel and chases it across Lagos.\n\n## Verdict\n\n" \
         "Funny, warm and far too long."
    r = analyser.analyse(md, fmt="markdown")
    assert labels(r) == ["plot", "opinion"]
    inline = "Verdict: a triumph from start to finish, and I would watch it again tomorrow."
    r = analyser.analyse("The story follows a courier across Lagos.\n\n" + inline)
    assert r.sentences[-1].section == "opinion"
    assert r.sentences[-1].text.startswith("a triumph")


def test_unheaded_review_is_split_by_the_classifier(analyser):
    r = analyser.analyse(UNHEADED)
    labs = labels(r)
    first_par = [s.section for s in r.sentences if s.paragraph == 0]
    last_par = [s.section for s in r.sentences if s.paragraph == 1]
    assert first_par.count("plot") >= len(first_par) - 1, labs
    assert last_par.count("opinion") >= len(last_par) - 1, labs


def test_credits_are_info_and_overview_is_summary(analyser):
    text = ("Arrival is a 2016 science-fiction film directed by Denis Villeneuve.\n\n"
            "Director: Denis Villeneuve\nStarring: Amy Adams, Jeremy Renner\nRuntime: 116 min\n\n"
            "Louise, a linguist, is recruited to talk to the aliens who land in Montana.\n\n"
            "I found it moving and intelligent.")
    r = analyser.analyse(text)
    by_text = {s.text: s.section for s in r.sentences}
    # annotated reviews label "X is directed by Y and starring Z" as summary or as info
    assert by_text["Arrival is a 2016 science-fiction film directed by Denis Villeneuve."] in \
        ("summary", "info")
    assert by_text["Director: Denis Villeneuve"] == "info"
    assert by_text["Runtime: 116 min"] == "info"
    assert by_text["I found it moving and intelligent."] == "opinion"


def test_sections_cover_every_sentence_once(analyser):
    r = analyser.analyse(HEADED)
    for s in r.sentences:
        owners = [sec for sec in r.sections if sec.start <= s.start and s.end <= sec.end]
        assert len(owners) == 1
        assert owners[0].label == s.section
