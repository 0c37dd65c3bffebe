"""The router's shortcut (a native unit, no preference, settings already planned) must route
exactly as the full plan would: every change of settings, context, instance or call preference
after a shortcut call is seen by the next call, and the attempts it records look the same."""

from __future__ import annotations

import pytest

import dspex
from dspex.hybrid.registry import native_unit_of
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


@pytest.fixture
def lm(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="a"))
    lm = make_stub_lm()
    dspex.configure(lm=lm)
    return lm


def backends(prediction):
    return [a["backend"] for a in dspex.hybrid.attempts_of(prediction)]


def shortcut_ready() -> bool:
    unit = native_unit_of(dspex.Predict)
    return unit is not None and unit.fast is not None


def test_a_native_call_arms_the_shortcut_and_records_the_same_attempt(lm):
    predict = dspex.Predict("question -> answer")
    with dspex.hybrid.record_attempts() as first:
        planned = predict(question="q")
    assert shortcut_ready()
    with dspex.hybrid.record_attempts() as second:
        shortcut = predict(question="q")
    assert shortcut.answer == "a"
    planned_row, shortcut_row = dspex.hybrid.attempts_of(planned)[0], dspex.hybrid.attempts_of(shortcut)[0]
    assert set(planned_row) == set(shortcut_row)
    assert {k: v for k, v in shortcut_row.items() if k != "latency_ms"} == {
        "backend": "native",
        "outcome": "ok",
        "error": None,
        "type_name": "predict",
        "operation": "call",
    }
    assert [row["backend"] for row in first] == [row["backend"] for row in second] == ["native"]


def test_configure_after_a_shortcut_call_is_seen_by_the_next_call(lm):
    predict = dspex.Predict("question -> answer")
    predict(question="q")
    predict(question="q")
    dspex.configure(backend="dspy")
    assert backends(predict(question="q")) == ["dspy"]
    dspex.configure(backend="native")
    assert backends(predict(question="q")) == ["native"]
    dspex.configure(overrides={"predict": "dspy"})
    assert backends(predict(question="q")) == ["dspy"]


def test_a_context_block_after_a_shortcut_call_is_seen_and_left(lm):
    predict = dspex.Predict("question -> answer")
    predict(question="q")
    predict(question="q")
    with dspex.context(backend="dspy"):
        assert backends(predict(question="q")) == ["dspy"]
        assert backends(predict(question="q")) == ["dspy"]
    assert backends(predict(question="q")) == ["native"]


def test_instance_and_call_preferences_after_a_shortcut_call(lm):
    predict = dspex.Predict("question -> answer")
    predict(question="q")
    predict(question="q")
    assert backends(predict(question="q", backend="dspy")) == ["dspy"]
    predict.backend = "dspy"
    assert backends(predict(question="q")) == ["dspy"]
    del predict.backend
    assert backends(predict(question="q")) == ["native"]


def test_fallback_switched_on_after_a_shortcut_call_retries_on_dspy(lm, openai_stub):
    predict = dspex.Predict("question -> answer")
    predict(question="q")
    predict(question="q")
    dspex.configure(fallback=True)
    # A reply the native adapter cannot parse fails natively (not a user error); dspy's adapter
    # falls back to its JSON retry and is answered by the same stub: the call must reach dspy.
    openai_stub.set_default("no sections at all")
    failed = pytest.raises(Exception)  # dspy's own error type (its adapter's): not ours to name
    with dspex.hybrid.record_attempts() as attempts, failed:
        predict(question="q", config={"cache": False})
    assert [row["backend"] for row in attempts] == ["native", "dspy"]


def test_a_failure_on_the_shortcut_is_recorded_as_an_error_attempt(lm, openai_stub):
    predict = dspex.Predict("question -> answer")
    predict(question="q")
    predict(question="q")
    assert shortcut_ready()
    openai_stub.set_default("no sections at all")
    with dspex.hybrid.record_attempts() as attempts, pytest.raises(dspex.AdapterParseError):
        predict(question="other")
    assert [(row["backend"], row["outcome"]) for row in attempts] == [("native", "error")]
    assert attempts[0]["error"].startswith("AdapterParseError")
