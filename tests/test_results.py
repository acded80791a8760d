"""The JSON schema and the DataFrame view, as programs consume them."""

from __future__ import annotations

import json

import pandas as pd

TEXT = """The Plot:
Ana finds a map in her grandmother's attic. In the end, Ana's grandmother turns out to be the
thief who stole the crown.

My opinion:
A charming, funny adventure. I loved it.
"""


def test_to_dict_follows_the_documented_schema(analyser):
    d = analyser.analyse(TEXT, source="x.txt").to_dict()
    json.dumps(d)  # serialisable
    assert d["source"] == "x.txt" and d["language"] == "en"
    assert isinstance(d["text"], str)
    for sec in d["sections"]:
        assert set(sec) >= {"label", "heading", "start", "end", "sentiment"}
        assert sec["label"] in {"summary", "plot", "opinion", "info"}
    for i, s in enumerate(d["sentences"]):
        assert s["index"] == i
        assert d["text"][s["start"]:s["end"]] == s["text"]
        assert set(s["spoiler"]) == {"probability", "flag", "kind", "reasons"}
        assert 0 <= s["spoiler"]["probability"] <= 1
        assert s["spoiler"]["kind"] in (None, "explicit", "hint")
        assert (s["spoiler"]["kind"] is None) == (not s["spoiler"]["flag"])
        assert -1 <= s["sentiment"] <= 1
        assert s["section"] in {"summary", "plot", "opinion", "info"}
    for r in d["removed"]:
        assert set(r) == {"start", "end", "reason"}
    assert set(d["spoilers"]) == {"count", "share"}
    assert d["spoilers"]["count"] == sum(s["spoiler"]["flag"] for s in d["sentences"])
    assert set(d["sentiment"]) == {"score", "label"}
    assert d["sentiment"]["label"] in {"positive", "negative", "mixed", "neutral"}
    assert set(d["model_versions"]) == {"profile", "sections", "spoilers", "sentiment",
                                        "context", "encoder"}
    assert d["model_versions"]["profile"] == "fast"


def test_to_frame_has_one_row_per_sentence(analyser):
    r = analyser.analyse(TEXT)
    df = r.to_frame()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(r.sentences)
    assert {"section", "spoiler_probability", "spoiler_flag", "sentiment"} <= set(df.columns)
    assert df["spoiler_flag"].sum() == r.spoilers.count


def test_analyse_sentences_keeps_the_split(analyser):
    sents = ["Ana finds a map.", "It leads to a cave!", "I loved it"]
    r = analyser.analyse_sentences(sents)
    assert [s.text for s in r.sentences] == sents


def test_pipe_matches_analyse(analyser):
    texts = [TEXT, "A dull film. I hated it.", "Great fun for all ages."]
    piped = list(analyser.pipe(texts, batch_size=2))
    single = [analyser.analyse(t) for t in texts]
    assert [p.to_dict() for p in piped] == [s.to_dict() for s in single]


def test_doc_extensions_are_exposed(analyser):
    doc = analyser.nlp(TEXT)
    assert doc._.sections and doc._.sentences
    assert any(span._.spoiler_flag for span in doc._.sentences)
    assert all(span._.section for span in doc._.sentences)
    assert doc._.sentiment_label in {"positive", "negative", "mixed", "neutral"}


def test_docs_survive_serialisation_and_multiprocessing(analyser):
    from spacy.tokens import Doc

    doc = analyser.nlp(TEXT)
    copy = Doc(analyser.nlp.vocab).from_bytes(doc.to_bytes())
    assert copy._.sections == doc._.sections
    assert [s._.spoiler for s in copy._.sentences] == [s._.spoiler for s in doc._.sentences]
    texts = [TEXT, "A dull film. I hated it.", "Great fun for all ages."] * 2
    parallel = [r.to_dict() for r in analyser.pipe(texts, batch_size=2, n_process=2)]
    assert parallel == [analyser.analyse(t).to_dict() for t in texts]


def test_extra_spaces_after_a_full_stop_still_end_the_sentence(analyser):
    """Typed reviews often put two spaces after a full stop; spaCy makes the extra space a
    token of its own, which must neither start a sentence nor hide the boundary."""
    r = analyser.analyse("It was a good film with a fine cast.  Then it ended badly for all.\n\n"
                         "Another paragraph is here.   And more text follows it.\t Last one.")
    assert [s.text for s in r.sentences] == [
        "It was a good film with a fine cast.", "Then it ended badly for all.",
        "Another paragraph is here.", "And more text follows it.", "Last one."]


def test_stray_punctuation_joins_a_sentence_instead_of_being_one(analyser):
    """A line starting with a quote or an ellipsis after a finished sentence, or a lone dash,
    never becomes a 'sentence' of its own."""
    r = analyser.analyse('It ended.\n" In life we organise large stones first," he said.\n\n'
                         ". . . a quiet portrait of work. The cast is fine.\n\n— — —\n\nThe end.")
    texts = [s.text for s in r.sentences]
    assert texts[0] == "It ended."
    assert texts[1].startswith('" In life')
    assert texts[2].startswith(". . . a quiet portrait")
    assert all(any(c.isalnum() for c in t) for t in texts)


def test_batched_structure_matches_one_doc_at_a_time(analyser):
    """Sentences are split for a whole batch of docs at once; no doc may see its neighbour:
    a doc ending in "." followed by one starting with a quote or an ellipsis, headings-only
    and chrome-only docs, and the shipped examples give the same results in any batch."""
    from pathlib import Path

    examples = sorted(Path(__file__).parents[1].glob("data/examples/*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in examples] + [
        "The end came fast.",
        '"Hiro dies," she said. ... Then nothing.',
        "... and so it goes. Really!",
        "The Plot:\n\nVerdict",
        "Share this:\nTwitter\nFacebook",
        "?! Odd start here. Fine ending.",
        "No final stop at all",
    ]
    single = [analyser.analyse(t).to_dict() for t in texts]
    for size in (1, 3, len(texts)):
        assert [r.to_dict() for r in analyser.pipe(texts, batch_size=size)] == single
    for doc in analyser.nlp.pipe(texts, batch_size=4):
        starts = {s.start_char for s in doc.sents}
        assert {s.start_char for s in doc._.sentences} <= starts
