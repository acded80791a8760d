"""Sentiment a reader would agree with: polarity, negation, contrast, opinion over plot."""

from __future__ import annotations


def score(analyser, sentence: str) -> float:
    return analyser.analyse_sentences([sentence]).sentences[0].sentiment


def test_polarity_of_clear_sentences(analyser):
    assert score(analyser, "A wonderful, moving film with superb performances.") > 0.3
    assert score(analyser, "A tedious, badly acted mess and a waste of time.") < -0.3


def test_negation_flips_or_softens(analyser):
    assert score(analyser, "This is not a good film.") < score(analyser, "This is a good film.")
    assert score(analyser, "It was not boring at all.") > score(analyser, "It was boring.")
    assert score(analyser, "Not the worst film I've seen.") > score(
        analyser, "The worst film I've seen.")


def test_the_clause_after_but_carries_the_verdict(analyser):
    """Contrast: what follows "but"/"however"/"yet" decides the sentence."""
    assert score(analyser, "The first hour drags, but the ending is wonderful and I loved "
                           "it.") > 0.3
    assert score(analyser, "The cast is lovely, but the film is a dull, tedious mess.") < -0.3
    assert score(analyser, "It looks great, however the story is boring and the dialogue "
                           "is awful.") < -0.3
    assert score(analyser, "Slow at first, yet by the end it is a moving, beautiful film.") > 0.3


def test_scores_are_bounded(analyser):
    r = analyser.analyse("Great! Awful! Fine. Superb, brilliant, perfect!!!")
    assert all(-1 <= s.sentiment <= 1 for s in r.sentences)
    assert -1 <= r.sentiment.score <= 1
    assert all(-1 <= sec.sentiment <= 1 for sec in r.sections)


def test_sad_story_the_writer_loved_is_positive(analyser):
    text = """The Plot:
The father dies in a car crash and the family falls apart. The youngest son stops speaking,
the mother loses her job, and grief slowly destroys the house.

My opinion:
I loved this film. It is beautifully acted, deeply moving and one of the best dramas I have
seen in years. A masterpiece that I will recommend to everyone.
"""
    r = analyser.analyse(text)
    plot = [s for s in r.sections if s.label == "plot"][0]
    assert plot.sentiment < 0.2  # the story is grim...
    assert r.sentiment.label == "positive"  # ...but the writer loved it
    assert r.sentiment.score > 0.2


def test_negative_review_is_negative(analyser):
    text = ("I was bored from start to finish. The script is lazy, the jokes fall flat and the "
            "acting is wooden. Avoid this one.")
    r = analyser.analyse(text)
    assert r.sentiment.label == "negative"


def test_batch_stack_rows_equal_the_training_features():
    """The stacker sees the same inputs at run time (batched) as at training (per review)."""
    import numpy as np

    from analyser.components.sentiment import stack_features, stack_rows

    rng = np.random.default_rng(0)
    counts = [0, 1, 2, 5, 9]
    scores = rng.uniform(-1, 1, sum(counts))
    labels = list(rng.choice(["opinion", "summary", "plot", "info"], sum(counts)))
    logits = rng.normal(size=len(counts))
    got = stack_rows(logits, scores, labels, counts)
    i = 0
    for d, n in enumerate(counts):
        want = stack_features(float(logits[d]), scores[i : i + n], labels[i : i + n])
        np.testing.assert_allclose(got[d], want, atol=1e-12)
        i += n
