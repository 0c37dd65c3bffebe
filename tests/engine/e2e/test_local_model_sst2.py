"""End to end on the real bundled model (gemma-3-270m through llama.cpp): no stubs."""

from __future__ import annotations

from typing import Literal

import pytest

import dspex
from dspex.data import load_sst2

pytestmark = pytest.mark.local_model


class Sentiment(dspex.Signature):
    """Classify the sentiment of a movie review sentence."""

    sentence: str = dspex.InputField()
    label: Literal["positive", "negative"] = dspex.OutputField()


@pytest.fixture(scope="module")
def local_lm():
    return dspex.LM("local/gemma-3-270m", cache=False)


def _demos() -> list[dspex.Example]:
    train = load_sst2("train")
    positives = [e for e in train if e.label == "positive"][:2]
    negatives = [e for e in train if e.label == "negative"][:2]
    return [positives[0], negatives[0], positives[1], negatives[1]]


def test_predict_with_demos_returns_parsed_literal_labels_for_sst2_sentences(local_lm):
    classify = dspex.Predict(Sentiment)
    classify.demos = _demos()
    sentences = load_sst2("dev", limit=6)
    with dspex.track_calls() as calls:
        labels = [classify(sentence=e.sentence, lm=local_lm).label for e in sentences]
    assert all(label in ("positive", "negative") for label in labels)
    assert len(calls) == len(sentences)  # every call parsed with the chat format: no JSON fallback
    for call in calls:
        assert "[[ ## completed ## ]]" in call.params["stop"]
        assert call.params["max_tokens"] <= 512
        assert call.usage["completion_tokens"] < 64
        assert call.latency_ms < 60_000


async def test_async_calls_from_many_tasks_share_the_one_local_server(local_lm):
    import asyncio

    classify = dspex.Predict(Sentiment)
    classify.demos = _demos()
    sentences = [e.sentence for e in load_sst2("dev", limit=4)]
    preds = await asyncio.gather(*(classify.acall(sentence=s, lm=local_lm) for s in sentences))
    assert [p.label in ("positive", "negative") for p in preds] == [True] * 4
