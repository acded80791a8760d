"""Feature extraction invariants that keep training and inference consistent."""

from __future__ import annotations

import pytest

from analyser.features import cue_tokens, negation_marked, normalise_token, tokens_of

SENTENCES = [
    "In the end, Haku is revealed to be the river spirit.",
    "I'll always remember you, said the imposter.",
    "Very soon something awful happens which turns everything around.",
    "The big twists come late; the twister scene is fun.",
    "I won't spoil the ending, but it's spoiler-free up to here.",
    "Spoilers: she was dead all along!",
    "Her father was behind it; his twin betrays him.",
    "A masterpiece. Beautifully acted, I'd recommend it.",
    "Nothing is what it seems, and you won't see it coming.",
    "Things take a dark turn when tragedy strikes.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_cue_prefilter_never_changes_the_result(sentence):
    lower = sentence.lower()
    assert cue_tokens(lower) == cue_tokens(lower, prefilter=False)


def test_cues_fire_on_what_they_name():
    assert "__cue_death__" in cue_tokens("she was shot dead in the final scene")
    assert "__cue_ending__" in cue_tokens("she was shot dead in the final scene")
    assert "__cue_hint__" in cue_tokens(SENTENCES[2].lower())
    assert "__cue_no_spoil__" in cue_tokens("i won't spoil the ending")
    assert cue_tokens("the photography is lovely") == []


def test_normalisation_matches_the_tokenised_corpora():
    assert normalise_token("-LRB-") == "("
    assert normalise_token("1984") == "0000"
    assert normalise_token("Film") == "film"
    assert tokens_of(["Not", " ", "bad", "\n"]) == ["not", "bad"]


def test_negation_scope_ends_at_punctuation_and_contrast():
    marked = negation_marked("not the worst film , but boring".split())
    assert marked[:4] == ["not", "neg_the", "neg_worst", "neg_film"]
    assert "neg_boring" not in marked and "but_boring" in marked


def test_cue_prefilter_is_exact_on_real_sentences(examples):
    """The trigger-word shortcut agrees with running every regex, on every sentence of the
    shipped examples and (when present) 5,000 real spoiler-corpus sentences."""
    import itertools
    import json

    from conftest import SHARED

    texts = [line for p in sorted(examples.glob("*")) if p.suffix in (".txt", ".md")
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = SHARED / "spoilers" / "train.jsonl"
    if corpus.exists():
        with open(corpus, encoding="utf-8") as fh:
            texts += [json.loads(line)["sentence"] for line in itertools.islice(fh, 5000)]
    for text in texts:
        lower = text.lower()
        assert cue_tokens(lower) == cue_tokens(lower, prefilter=False), text
