"""The vectorised features equal the string features the models were trained on.

Reference: :mod:`analyser.features` strings counted by feature name
(:meth:`analyser.linear.LinearText.counts`, which ``tests/test_linear.py`` checks against
scikit-learn's vectoriser, i.e. what training fits on). Candidate: :mod:`analyser.vectorise`
over spaCy token ids (what the components run). Any difference means the shipped models would see
inputs at run time that they were never trained on, so the comparison is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from analyser.features import (
    review_features,
    section_features,
    sentence_sentiment_features,
    sentiment_features,
    spoiler_features,
    tokens_of,
)
from analyser.vectorise import TokenBatch, sentence_texts

TRICKY = [
    "Hiro dies at the end. I won't spoil the rest, but it's not bad -- not bad at all!",
    "It is NOT the worst film of 2019; however, the ending (the last 10 minutes) is weak.",
    "#1 bestseller?! #the #spoiler... \"Quotes\" and ‘curly’ “quotes” — dashes – and … dots",
    "Café crème, naïve façade, Zoë and Björn; 東京 and emoji 🎬🍿 in the   middle\tof  text.",
    "-LRB- PTB tokens -RRB- `` like this '' and can't won't don't shouldn't didn't",
    "Nevertheless, the acting was great. Although slow, though, yet whereas it works!",
    "The Plot:\nA man (John Smith) learns that his father is the killer all along.\n\n"
    "My opinion:\nI loved it. Not for everyone, but brilliant.",
    "Short one.",
    "UPPER CASE SHOUTING IS NOT GOOD BUT THE MOVIE IS; 3.5/5 stars, 10/10 would watch again",
    "Line one without end\nline two continues the thought here\n\nNew paragraph: "
    "very soon something awful happens which turns everything around.",
]


@pytest.fixture(scope="module")
def docs(analyser, examples):
    texts = TRICKY + [p.read_text(encoding="utf-8") for p in sorted(examples.glob("*.txt"))]
    return list(analyser.nlp.pipe(texts))


def _words(docs) -> list[list[str]]:
    """Token strings of every body sentence, found the slow, obvious way."""
    out = []
    for doc in docs:
        table = doc._.sentence_table
        for s, e in zip(table["start"], table["end"], strict=True):
            out.append([t.text for t in doc if s <= t.idx < e and not t.is_space])
    return out


def _same(a, b) -> None:
    a, b = a.tocsr(), b.tocsr()
    assert a.shape == b.shape
    diff = abs(a - b)
    assert diff.nnz == 0 or diff.max() < 1e-6
    assert (a != 0).sum() == (b != 0).sum()


def test_sections_scores_match_scoring_the_training_features(analyser, docs):
    comp = _component(analyser, "review_sections")
    words = _words(docs)
    want = comp.model.predict_proba([section_features(w) for w in words])
    got = comp.plot_probabilities(docs)
    np.testing.assert_allclose(got, want, atol=1e-6)


def _component(analyser, name):
    return analyser.nlp.get_pipe(name)


def test_sections_features_match_training_features(analyser, docs):
    comp = _component(analyser, "review_sections")
    reference = comp.model.transform(
        comp.model.counts([section_features(w) for w in _words(docs)]))
    _same(comp.features(TokenBatch.from_docs(docs)), reference)


def test_sentiment_features_match_training_features(analyser, docs):
    comp = _component(analyser, "review_sentiment")
    words = _words(docs)
    batch = TokenBatch.from_docs(docs)
    m = comp.sentence_model
    ref = m.transform(m.counts([sentence_sentiment_features(tokens_of(w)) for w in words]))
    got = comp._features(comp.sentence_model, comp.sentence_index, batch, batch.sent,
                         batch.n_sents)
    _same(got, ref)
    # review level: one token stream per doc, negation scope running across sentences
    per_doc, i = [], 0
    for doc in docs:
        n = len(doc._.sentence_table["start"])
        per_doc.append([t for w in words[i : i + n] for t in tokens_of(w)])
        i += n
    featurise = review_features if comp.review_index.has_trigrams else sentiment_features
    m = comp.review_model
    ref = m.transform(m.counts([featurise(t) for t in per_doc]))
    got = comp._features(comp.review_model, comp.review_index, batch, batch.doc, batch.n_docs)
    _same(got, ref)


def test_spoiler_features_match_training_features(analyser, docs):
    comp = _component(analyser, "review_spoilers")
    words = _words(docs)
    texts = sentence_texts(docs)
    plot = [p for doc in docs for p in doc._.sentence_table["plot_prob"]]
    ref = comp.model.transform(comp.model.counts(
        [spoiler_features(w, t, p) for w, t, p in zip(words, texts, plot, strict=True)]))
    from analyser.features import cue_tokens

    got = comp.features(TokenBatch.from_docs(docs), texts, plot,
                        [cue_tokens(t.lower()) for t in texts])
    _same(got, ref)


def test_negation_scope_is_marked_like_the_reference(analyser):
    """A direct look at the marked features: 'not' scopes to the clause, 'but' opens one."""
    comp = _component(analyser, "review_sentiment")
    doc = analyser.nlp("It is not good, but the cast is great. Fine.")
    batch = TokenBatch.from_docs([doc])
    ix = comp.sentence_index
    rows, cols = ix.unigrams(batch, batch.sent)
    names = np.asarray(comp.sentence_model.features)
    got = set(names[cols[(cols >= 0) & (rows == 0)]])
    assert "neg_good" in got and "good" not in got
    assert "but_great" in got and "great" in got
    assert "neg_great" not in got


def test_empty_batch_gives_empty_matrices(analyser):
    comp = _component(analyser, "review_sections")
    doc = analyser.nlp.make_doc("")
    doc._.sentence_table = {"start": [], "end": []}
    batch = TokenBatch.from_docs([doc])
    assert batch.n_sents == 0
    assert comp.features(batch).shape[0] == 0


@pytest.mark.parametrize("kind", ["tokens", "raw"])
def test_character_ngrams_of_every_length_match_the_strings(docs, kind):
    """A vocabulary holding every 3/4/5-gram of the texts themselves (emoji, CJK, accents,
    PTB tokens included): the vectorised n-grams are exactly the string n-grams."""
    from analyser.features import char_ngrams, token_char_ngrams
    from analyser.linear import LinearText
    from analyser.vectorise import FeatureIndex, FeatureSpace, count_matrix

    words = _words(docs)
    texts = sentence_texts(docs)
    if kind == "tokens":
        feats = [token_char_ngrams(tokens_of(w)) for w in words]
    else:
        feats = [[g for n in (3, 4, 5) for g in char_ngrams(t.lower(), n)] for t in texts]
    vocab = sorted({f for fs in feats for f in fs})
    vocab = vocab[::2] + ["plain word", "__cue_death__"]  # half of them, plus other families
    model = LinearText(vocab, np.zeros(len(vocab), np.float32), 0.0, binary=False)
    index = FeatureIndex.from_features(vocab, char_ns=(3, 4, 5), char_text=kind,
                                       space=FeatureSpace())
    batch = TokenBatch.from_docs(docs)
    got = count_matrix(batch.n_sents, index.n_columns, [index.char_grams(batch, texts)])
    _same(got, model.counts(feats))
    assert got.nnz > 1000
