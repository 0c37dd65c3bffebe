"""KNN and KNNFewShot: demos picked per call by embedding similarity."""

from __future__ import annotations

import copy

import pytest

import dspex
from dspex.lm.embedder import reset_embedding_cache
from tests.engine.optimizers.sentiment_stub import (
    SENTENCES,
    Sentiment,
    asked,
    demo_sentences,
    examples,
    label_metric,
    reply,
)

# Two directions: positive words along x, negative along y, plus a small per-sentence wobble.
VECTORS = {
    s: ([1.0, 0.1 * i] if label == "positive" else [0.1 * i, 1.0])
    for i, (s, label) in enumerate(SENTENCES.items())
}


def _vector(text: str) -> list[float]:
    sentence = text.removeprefix("sentence: ")
    if sentence in VECTORS:
        return VECTORS[sentence]
    return [1.0, 0.0] if "good" in sentence else [0.0, 1.0]


class CountingVectorizer:
    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return [_vector(t) for t in texts]


@pytest.fixture
def right_stub(openai_stub):
    openai_stub.responder = lambda request: reply("positive" if "good" in asked(request) else "negative")
    return openai_stub


def test_knn_returns_the_k_most_similar_examples_nearest_first():
    knn = dspex.KNN(3, examples(), vectorizer=CountingVectorizer())
    nearest = knn(sentence="a good film")
    assert [e.label for e in nearest] == ["positive"] * 3
    assert [e.sentence for e in nearest] == ["a gem", "a joy", "moving"]  # least wobble first
    assert [e.label for e in knn(sentence="so bad")] == ["negative"] * 3


def test_the_trainset_is_embedded_once_and_each_query_once():
    vectorizer = CountingVectorizer()
    knn = dspex.KNN(2, examples(), vectorizer=vectorizer)
    knn(sentence="good")
    knn(sentence="bad")
    assert vectorizer.calls == [[f"sentence: {s}" for s in SENTENCES], ["sentence: good"], ["sentence: bad"]]


def test_each_call_gets_its_nearest_examples_as_demos(right_stub, stub_lm):
    student = dspex.Predict(Sentiment)
    compiled = dspex.KNNFewShot(2, examples(), CountingVectorizer()).compile(student)
    with dspex.context(lm=stub_lm):
        assert compiled(sentence="a good one").label == "positive"
        assert compiled(sentence="a bad one").label == "negative"
    first, second = right_stub.completion_requests()
    assert demo_sentences(first) == ["a gem", "a joy"]
    assert demo_sentences(second) == ["a mess", "dull"]
    assert student.demos == [] and compiled.demos == []  # neither keeps per-call demos


async def test_async_calls_pick_their_own_neighbours(right_stub, stub_lm):
    import asyncio

    compiled = dspex.KNNFewShot(1, examples(), CountingVectorizer()).compile(dspex.Predict(Sentiment))
    with dspex.context(lm=stub_lm):
        preds = await asyncio.gather(compiled.acall(sentence="good"), compiled.acall(sentence="bad"))
    assert [p.label for p in preds] == ["positive", "negative"]
    demos = sorted(tuple(demo_sentences(r)) for r in right_stub.completion_requests())
    assert demos == [("a gem",), ("a mess",)]


def test_with_bootstrap_arguments_the_neighbours_are_bootstrapped_per_call(openai_stub, stub_lm):
    openai_stub.responder = lambda request: reply(SENTENCES.get(asked(request), "positive"))
    compiled = dspex.KNNFewShot(
        3,
        examples(),
        CountingVectorizer(),
        metric=label_metric,
        max_bootstrapped_demos=2,
        max_labeled_demos=2,
    ).compile(dspex.Predict(Sentiment))
    with dspex.context(lm=stub_lm):
        compiled(sentence="a good one")
    requests = openai_stub.completion_requests()
    assert [asked(r) for r in requests] == ["a gem", "a joy", "a good one"]  # two teacher runs, then the call
    assert demo_sentences(requests[-1]) == ["a gem", "a joy"]


def test_the_compiled_program_keeps_the_students_structure_and_can_be_copied(right_stub, stub_lm):
    student = dspex.ChainOfThought(Sentiment)
    compiled = dspex.KNNFewShot(2, examples(), CountingVectorizer()).compile(student)
    assert [name for name, _ in compiled.named_predictors()] == ["predict"]
    clone = copy.deepcopy(compiled)
    right_stub.responder = lambda request: "[[ ## reasoning ## ]]\nr\n\n" + reply("positive")
    with dspex.context(lm=stub_lm):
        assert clone(sentence="good").label == "positive"
    (request,) = right_stub.completion_requests()
    demos = [m["content"] for m in request.json["messages"][1:-1] if m["role"] == "user"]
    assert ["a gem" in demos[0], "a joy" in demos[1]] == [True, True]


def test_the_http_embedder_works_as_the_vectorizer(openai_stub, make_stub_lm):
    reset_embedding_cache()
    openai_stub.set_default(reply("positive"))
    embedder = dspex.Embedder("openai/stub-embedding", base_url=openai_stub.base_url, cache=False)
    compiled = dspex.KNNFewShot(2, examples(), embedder).compile(dspex.Predict(Sentiment))
    with dspex.context(lm=make_stub_lm()):
        compiled(sentence="anything")
        compiled(sentence="anything else")
    embed, chat = "/v1/embeddings", "/v1/chat/completions"
    assert [r.path for r in openai_stub.requests] == [embed, embed, chat, embed, chat]  # trainset once
    assert len(openai_stub.requests[0].json["input"]) == len(SENTENCES)
    assert len(demo_sentences(openai_stub.completion_requests()[-1])) == 2


def test_examples_without_marked_inputs_are_refused():
    with pytest.raises(ValueError, match="with_inputs"):
        dspex.KNN(1, [dspex.Example(sentence="x", label="positive")], vectorizer=CountingVectorizer())
