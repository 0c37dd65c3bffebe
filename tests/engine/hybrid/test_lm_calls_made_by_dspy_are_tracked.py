"""LM calls made on the dspy backend reach dspex.track_calls() like native ones (messages,
parameters without credentials, outputs, usage), so the platform records both backends alike."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.hybrid.helpers import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.dspy


def test_a_bridged_call_is_reported_like_a_native_one(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="4"))
    lm = make_stub_lm(temperature=0.0, max_tokens=50)
    cot = dspex.ChainOfThought("question -> answer")

    with dspex.track_calls() as calls:
        cot(question="2+2?", lm=lm)
        cot(question="2+2?", lm=lm, backend="dspy")

    native, bridged = calls
    assert bridged.messages == native.messages
    assert bridged.outputs == native.outputs
    assert bridged.params["temperature"] == 0.0
    assert bridged.usage["prompt_tokens"] == native.usage["prompt_tokens"] > 0
    assert bridged.usage["completion_tokens"] == native.usage["completion_tokens"]
    assert bridged.latency_ms >= 0
    assert STUB_KEY not in json.dumps([c.to_dict() for c in calls], default=str)


def test_nothing_is_recorded_outside_track_calls(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="4"))
    dspex.Predict("question -> answer")(question="q", lm=make_stub_lm(), backend="dspy")
    with dspex.track_calls() as calls:
        pass
    assert calls == []
