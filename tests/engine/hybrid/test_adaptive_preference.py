"""``adaptive`` picks the backend with the better recent record (error rate, then p50 latency) once
both have enough calls, and behaves like ``auto`` before that."""

from __future__ import annotations

import pytest

import dspex
from dspex.hybrid import telemetry
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


class NativeOnlyBug(dspex.ChatAdapter):
    def parse(self, signature, completion):
        raise RuntimeError("native parser bug")


def test_adaptive_prefers_the_backend_with_fewer_recent_errors(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="a"))
    dspex.configure(lm=make_stub_lm(), adapter=NativeOnlyBug(use_json_adapter_fallback=False))
    dspex.configure(adaptive_min_samples=3)
    predict = dspex.Predict("question -> answer")
    for _ in range(3):
        with pytest.raises(RuntimeError):
            predict(question="q", backend="native")
        predict(question="q", backend="dspy")

    prediction = predict(question="q", backend="adaptive")

    assert [a["backend"] for a in dspex.hybrid.attempts_of(prediction)] == ["dspy"]


def test_adaptive_breaks_an_error_rate_tie_with_p50_latency():
    dspex.configure(adaptive_min_samples=2)
    for _ in range(2):
        telemetry.record("call", "chain_of_thought", "native", 9.0, True)
        telemetry.record("call", "chain_of_thought", "dspy", 3.0, True)
    assert dspex.hybrid.choose_backend("chain_of_thought", "adaptive") == "dspy"
    for _ in range(4):
        telemetry.record("call", "chain_of_thought", "native", 1.0, True)
    assert dspex.hybrid.choose_backend("chain_of_thought", "adaptive") == "native"


def test_adaptive_acts_like_auto_until_both_backends_have_the_minimum_sample():
    dspex.configure(adaptive_min_samples=5)
    for _ in range(4):
        telemetry.record("call", "predict", "native", 50.0, False)
        telemetry.record("call", "predict", "dspy", 1.0, True)
    assert dspex.hybrid.choose_backend("predict", "adaptive") == "native"
    telemetry.record("call", "predict", "native", 50.0, False)
    telemetry.record("call", "predict", "dspy", 1.0, True)
    assert dspex.hybrid.choose_backend("predict", "adaptive") == "dspy"


def test_adaptive_runs_single_backend_types_where_they_can_run():
    assert dspex.hybrid.choose_backend("mipro_v2", "adaptive", kind="optimizer") == "dspy"
    assert dspex.hybrid.choose_backend("pipeline", "adaptive") == "native"
