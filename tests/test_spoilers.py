"""Spoiler flags a reader would agree with: clear reveals and hints flagged, opinions not."""

from __future__ import annotations

import pytest

EXPLICIT = [
    "In the final scene Hiro dies saving his sister, and the killer turns out to be his father.",
    "It is revealed that Dr. Crowe has been dead the whole time.",
    "At the end of the book, Sarah is murdered by her husband.",
]
HINTS = [
    "Very soon something awful happens which turns everything around.",
    "Halfway through there is a twist you won't see coming.",
]
CLEAN = [
    "I loved the soundtrack and the cinematography is gorgeous.",
    "The acting was wooden and the film is far too long.",
    "I won't spoil the ending, but it is worth the wait.",
    "This is a 2019 drama directed by Greta Gerwig.",
]


@pytest.mark.parametrize("sentence", EXPLICIT)
def test_explicit_spoilers_are_flagged_explicit(analyser, sentence):
    s = analyser.analyse(sentence).sentences[0]
    assert s.spoiler.flag, s
    assert s.spoiler.kind == "explicit"
    assert s.spoiler.reasons, "a flagged sentence says why"


@pytest.mark.parametrize("sentence", HINTS)
def test_hints_are_flagged_as_hints(analyser, sentence):
    s = analyser.analyse(sentence).sentences[0]
    assert s.spoiler.flag, s
    assert s.spoiler.kind == "hint"
    assert "foreshadowing hint" in s.spoiler.reasons


@pytest.mark.parametrize("sentence", CLEAN)
def test_opinions_and_promises_are_not_spoilers(analyser, sentence):
    s = analyser.analyse(sentence).sentences[0]
    assert not s.spoiler.flag, s
    assert s.spoiler.kind is None


def test_no_spoiler_promise_scores_lower_than_the_reveal(analyser):
    r = analyser.analyse_sentences(
        ["I won't spoil the ending.", "In the ending, Anna dies in the fire."]
    )
    promise, reveal = r.sentences
    assert promise.spoiler.probability < reveal.spoiler.probability


def test_threshold_is_configurable(analyser):
    from analyser import Analyser

    strict = Analyser(spoiler_threshold=0.99)
    r = strict.analyse(EXPLICIT[0])
    assert strict.spoiler_threshold == 0.99
    assert not r.sentences[0].spoiler.flag
    assert r.sentences[0].spoiler.probability == analyser.analyse(EXPLICIT[0]).sentences[
        0].spoiler.probability
