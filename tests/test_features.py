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


GLUED = [
    "He cannot die, she dies.",  # spaCy splits "cannot": runs cross tokens
    "Gonna say it: the ex-boyfriend DIES at the END.",
    "It's spoiler-free; I won't spoil it. Don't worry!",
    "Self-sacrifice... his twin's father-in-law was behind it all along?!",
    "Theendcame.Finally she learnsthetruth",
    "The twist:it was her sister all along.",
    "İ think the killer's identity is revealed",
]


def _token_and_string_cues(texts, special_cases=()):
    from spacy.symbols import ORTH

    from analyser.pipeline import build_pipeline
    from analyser.vectorise import TokenBatch, cue_lists, sentence_texts

    nlp = build_pipeline(stages=("structure",))
    for text, pieces in special_cases:
        nlp.tokenizer.add_special_case(text, [{ORTH: p} for p in pieces])
    docs = [nlp.make_doc(t) for t in texts]
    nlp.get_pipe("review_structure").process(docs)
    sentences = sentence_texts(docs)
    assert len(sentences) >= len(texts)
    return cue_lists(TokenBatch.from_docs(docs), sentences), [cue_tokens(s.lower())
                                                             for s in sentences]


def test_token_cue_prefilter_matches_the_string_path(examples):
    """Cues found from token ids (spoiler component) equal ``cue_tokens`` on every sentence:
    hyphens, contractions, odd case, shipped examples and 5,000 real sentences."""
    import itertools
    import json

    from conftest import SHARED

    texts = SENTENCES + GLUED + [p.read_text(encoding="utf-8") for p in sorted(examples.glob("*"))
                                 if p.suffix in (".txt", ".md")]
    corpus = SHARED / "spoilers" / "train.jsonl"
    if corpus.exists():
        with open(corpus, encoding="utf-8") as fh:
            rows = [json.loads(line)["sentence"] for line in itertools.islice(fh, 5000)]
        texts += [" ".join(rows[i : i + 10]) for i in range(0, len(rows), 10)]
    by_tokens, by_strings = _token_and_string_cues(texts)
    assert by_tokens == by_strings


def test_token_cues_see_trigger_words_the_tokenizer_splits():
    """A tokenizer that cuts a trigger word in two ("di" + "es") hides it from the tokens;
    the sentence then takes the string path and still gets its cue."""
    texts = ["In the last act she dies and nobody cares.", "He dies."]
    by_tokens, by_strings = _token_and_string_cues(texts, [("dies", ["di", "es"])])
    assert by_tokens == by_strings
    assert "__cue_death__" in by_tokens[0]
