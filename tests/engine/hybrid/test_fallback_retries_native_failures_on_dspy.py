"""With fallback=True a native failure that is not the caller's fault is retried on dspy, and both
attempts are recorded on the prediction and in record_attempts()."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


class NativeOnlyBug(dspex.ChatAdapter):
    """Formats like ChatAdapter but cannot parse: a failure only the native path has."""

    def parse(self, signature, completion):
        raise RuntimeError("native parser bug")


@pytest.fixture
def lm(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="4"))
    lm = make_stub_lm()
    dspex.configure(lm=lm, adapter=NativeOnlyBug(use_json_adapter_fallback=False))
    return lm


def test_a_native_failure_is_retried_on_dspy_and_both_attempts_are_recorded(openai_stub, lm, events):
    dspex.configure(fallback=True)
    cot = dspex.ChainOfThought("question -> answer: int")

    with dspex.hybrid.record_attempts() as recorded:
        prediction = cot(question="2+2?")

    assert prediction.answer == 4
    attempts = dspex.hybrid.attempts_of(prediction)
    assert [(a["backend"], a["outcome"]) for a in attempts] == [("native", "error"), ("dspy", "ok")]
    assert attempts[0]["error"] == "RuntimeError: native parser bug"
    assert attempts[1]["error"] is None
    assert all(a["latency_ms"] >= 0 and a["type_name"] == "chain_of_thought" for a in attempts)
    assert recorded == attempts
    first, second = openai_stub.completion_requests()
    assert first.json["messages"] == second.json["messages"]
    assert [(e.kind, e.backend, e.attempt) for e in events] == [
        ("start", "native", 1),
        ("exception", "native", 1),
        ("start", "dspy", 2),
        ("stop", "dspy", 2),
    ]


async def test_the_async_path_falls_back_too(lm):
    dspex.configure(fallback=True)
    prediction = await dspex.Predict("question -> answer: int").acall(question="2+2?")
    assert prediction.answer == 4
    assert [a["backend"] for a in dspex.hybrid.attempts_of(prediction)] == ["native", "dspy"]


def test_without_fallback_the_native_failure_is_raised_and_recorded(openai_stub, lm):
    with dspex.hybrid.record_attempts() as recorded, pytest.raises(RuntimeError, match="native parser bug"):
        dspex.Predict("question -> answer")(question="q")
    assert [(a["backend"], a["outcome"]) for a in recorded] == [("native", "error")]
    assert len(openai_stub.completion_requests()) == 1


def test_validation_errors_are_not_retried(openai_stub, lm):
    dspex.configure(fallback=True, strict_inputs=True)
    with dspex.hybrid.record_attempts() as recorded, pytest.raises(dspex.FieldValidationError):
        dspex.Predict("question -> answer")(questoin="typo")
    assert [a["backend"] for a in recorded] == ["native"]
    assert openai_stub.completion_requests() == []


def test_an_open_circuit_breaker_is_not_bypassed_through_dspy(openai_stub, lm):
    dspex.lm.configure_breakers(failure_threshold=1, cooldown=60)
    openai_stub.script({"status": 500})
    predict = dspex.Predict("question -> answer")
    with pytest.raises(dspex.LMError):
        predict(question="q", lm=lm.copy(num_retries=0))
    sent = len(openai_stub.completion_requests())
    dspex.configure(fallback=True)

    with dspex.hybrid.record_attempts() as recorded, pytest.raises(dspex.CircuitOpenError):
        predict(question="q", lm=lm.copy(num_retries=0))

    assert [a["backend"] for a in recorded] == ["native"]
    assert len(openai_stub.completion_requests()) == sent


def test_when_dspy_fails_too_its_error_is_raised_with_both_attempts_recorded(openai_stub, lm):
    dspex.configure(fallback=True)
    openai_stub.set_default("not the chat format at all")
    with dspex.hybrid.record_attempts() as recorded, pytest.raises(Exception) as caught:
        dspex.Predict("question -> answer")(question="q")
    assert "AdapterParseError" in type(caught.value).__name__
    assert [(a["backend"], a["outcome"]) for a in recorded] == [("native", "error"), ("dspy", "error")]
