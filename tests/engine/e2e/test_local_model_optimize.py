"""Optimize, then evaluate, on the real bundled model (gemma-3-270m through llama.cpp): no stubs."""

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


def same_label(example, pred, trace=None) -> bool:
    return example.label == pred.label


def test_bootstrap_few_shot_then_evaluate_runs_end_to_end_on_the_local_model():
    train = load_sst2("train")
    positives = [e for e in train if e.label == "positive"][:3]
    negatives = [e for e in train if e.label == "negative"][:3]
    trainset = positives + negatives
    dev = load_sst2("dev", limit=4)
    lm = dspex.LM("local/gemma-3-270m", cache=False)
    events: list[dspex.optimizers.TrialEvent] = []
    optimizer = dspex.BootstrapFewShot(
        metric=same_label,
        max_bootstrapped_demos=2,
        max_labeled_demos=4,
        balance_by="label",
        callback=events.append,
    )
    with dspex.context(lm=lm), dspex.track_calls() as calls:
        compiled = optimizer.compile(dspex.Predict(Sentiment), trainset=trainset)
        result = dspex.Evaluate(devset=dev, metric=same_label, num_threads=2)(compiled)

    assert 1 <= len(compiled.demos) <= 4
    assert all(d.label in ("positive", "negative") and d.sentence for d in compiled.demos)
    tried = [e for e in events if e.kind == "bootstrap"]
    assert tried and all(e.score in (0.0, 1.0) for e in tried)
    assert len(result.results) == len(dev) and 0.0 <= result.score <= 100.0
    for item in result.results:
        assert item.error is not None or item.prediction.label in ("positive", "negative")
    assert len(calls) >= len(tried) + len(dev)
    assert {call.model for call in calls} == {"local/gemma-3-270m"}
