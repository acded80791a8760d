"""How the model components share one batch's token arrays and what each declares.

The first model component of a batch lays out its tokens (a TokenBatch) and attaches them to
the docs; the later ones reuse them, and the last model component of the pipeline detaches
them. Nothing module-global may keep docs of a run alive.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from analyser.components.base import ModelComponent
from analyser.vectorise import _BATCH_KEY, TokenBatch

TEXTS = [
    "The Plot:\nHiro dies at the end.\n\nMy opinion:\nI loved it. Not for everyone, though.",
    "A slow, dull film. The twist reveals that the mother was the killer all along.",
    "Short one.",
    "",
    "Director: Jane Doe\nStarring: John Smith\n\nIt is a warm, funny picture. Go and see it.",
    "I won't spoil the ending, but something awful happens which turns everything around.",
    "Great cast, weak script; the final act drags. Still, worth a look on a rainy evening.",
]
MODEL_PIPES = ("review_sections", "review_spoilers", "review_sentiment", "review_context")


@pytest.fixture()
def built(monkeypatch):
    """Every TokenBatch built while the test runs, in order."""
    made: list[TokenBatch] = []
    build = TokenBatch.from_docs.__func__

    def spy(cls, docs):
        made.append(build(cls, docs))
        return made[-1]

    monkeypatch.setattr(TokenBatch, "from_docs", classmethod(spy))
    return made


def test_model_components_of_one_batch_share_one_token_batch(analyser, built, monkeypatch):
    seen: dict[str, list[int]] = {name: [] for name in MODEL_PIPES}
    for name in MODEL_PIPES:
        comp = analyser.nlp.get_pipe(name)

        def annotate(docs, batch, _name=name, _run=comp.annotate):
            seen[_name].append(id(batch))
            _run(docs, batch)

        monkeypatch.setattr(comp, "annotate", annotate)
    docs = list(analyser.nlp.pipe(TEXTS, batch_size=3))
    assert len(docs) == len(TEXTS)
    assert [b.n_docs for b in built] == [3, 3, 1]  # one per batch, not one per component
    want = [id(b) for b in built]
    assert all(ids == want for ids in seen.values())


def test_no_doc_outlives_a_run(analyser):
    refs = []
    for doc in analyser.nlp.pipe(TEXTS, batch_size=3):
        assert _BATCH_KEY not in doc.user_data
        doc.to_bytes()  # plain data again
        refs.append(weakref.ref(doc))
    del doc
    gc.collect()
    assert all(r() is None for r in refs)


def test_the_last_model_component_is_read_from_the_pipeline(analyser, built):
    sentiment = analyser.nlp.get_pipe("review_sentiment")
    assert sentiment.batch_needed_later()
    with analyser.nlp.select_pipes(disable=["review_context"]):
        assert not sentiment.batch_needed_later()
        doc = analyser.nlp(TEXTS[0])
    assert len(built) == 1
    assert _BATCH_KEY not in doc.user_data


def test_batches_that_do_not_line_up_give_the_same_results(analyser):
    """Components with different batch sizes see different doc lists: each builds its own
    TokenBatch, and the results are those of aligned batches."""
    want = [d.to_json() for d in analyser.nlp.pipe(TEXTS, batch_size=4)]
    odd = {"review_spoilers": {"batch_size": 3}, "review_context": {"batch_size": 2}}
    docs = list(analyser.nlp.pipe(TEXTS, batch_size=4, component_cfg=odd))
    assert [d.to_json() for d in docs] == want
    assert not any(_BATCH_KEY in d.user_data for d in docs)


def test_scoring_outside_a_run_attaches_nothing(analyser, built):
    docs = list(analyser.nlp.pipe(TEXTS[:2]))
    built.clear()
    analyser.nlp.get_pipe("review_sections").plot_probabilities(docs)
    assert len(built) == 1
    assert not any(_BATCH_KEY in d.user_data for d in docs)


def test_a_changed_sentence_table_is_not_served_a_stale_batch(analyser):
    docs = [analyser.nlp.make_doc(t) for t in TEXTS[:2]]
    analyser.nlp.get_pipe("review_structure").process(docs)
    batch = TokenBatch.shared(docs)
    assert TokenBatch.shared(docs) is batch
    assert TokenBatch.attached(docs[::-1]) is None
    docs[1]._.sentence_table = dict(docs[1]._.sentence_table)
    assert TokenBatch.attached(docs) is None
    TokenBatch.release(docs)
    assert TokenBatch.attached(docs) is None


def test_every_factory_declares_what_it_assigns_and_requires(analyser):
    nlp = analyser.nlp
    for name in nlp.pipe_names:
        assert nlp.get_pipe_meta(name).assigns, name
    for name in MODEL_PIPES:
        assert isinstance(nlp.get_pipe(name), ModelComponent)
        assert "doc._.sentence_table" in nlp.get_pipe_meta(name).requires
    problems = nlp.analyze_pipes(pretty=False)["problems"]
    assert not any(problems.values())
