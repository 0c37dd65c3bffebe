"""Subscribers receive start/stop/exception events; stats() keeps per-backend counts, error rates
and latency percentiles over a window."""

from __future__ import annotations

import json

import pytest

import dspex
from dspex.hybrid import telemetry
from tests.engine.hybrid.helpers import reply


@pytest.fixture
def lm(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="a"))
    return make_stub_lm(num_retries=0)


def test_a_call_sends_start_and_stop_events(events, lm):
    dspex.Predict("question -> answer")(question="q", lm=lm)

    assert [e.kind for e in events] == ["start", "stop"]
    start, stop = events
    assert (start.operation, start.backend, start.type_name, start.latency_ms) == (
        "call",
        "native",
        "predict",
        None,
    )
    assert (stop.outcome, stop.error) == ("ok", None)
    assert stop.latency_ms >= 0
    assert json.loads(json.dumps(stop.to_dict()))["type_name"] == "predict"


def test_a_failure_sends_an_exception_event(events, openai_stub, lm):
    openai_stub.script({"status": 400})
    with pytest.raises(dspex.LMError):
        dspex.Predict("question -> answer")(question="q", lm=lm)

    assert [e.kind for e in events] == ["start", "exception"]
    assert events[1].outcome == "error"
    assert events[1].error.startswith("BadRequestError: ")


@pytest.mark.dspy
def test_dspy_calls_are_reported_as_dspy(events, lm):
    dspex.ChainOfThought("question -> answer")(question="q", lm=lm, backend="dspy")
    assert {(e.backend, e.type_name) for e in events} == {("dspy", "chain_of_thought")}


def test_unsubscribed_callbacks_get_nothing_more(lm):
    seen = []
    dspex.hybrid.subscribe(seen.append)
    dspex.Predict("question -> answer")(question="q", lm=lm)
    assert dspex.hybrid.unsubscribe(seen.append) is True
    dspex.Predict("question -> answer")(question="q", lm=lm)
    assert len(seen) == 2
    assert dspex.hybrid.unsubscribe(seen.append) is False


def test_a_broken_subscriber_does_not_break_the_call(lm, caplog):
    def broken(event):
        raise ValueError("subscriber bug")

    dspex.hybrid.subscribe(broken)
    assert dspex.Predict("question -> answer")(question="q", lm=lm).answer == "a"
    assert "subscriber" in caplog.text


def test_stats_count_calls_and_errors_per_backend_and_type(openai_stub, lm):
    predict = dspex.Predict("question -> answer")
    for _ in range(3):
        predict(question="q", lm=lm)
    openai_stub.script({"status": 400})
    with pytest.raises(dspex.LMError):
        predict(question="q", lm=lm)

    snapshot = json.loads(json.dumps(dspex.hybrid.stats()))
    native = snapshot["backends"]["native"]
    assert (native["count"], native["errors"], native["error_rate"]) == (4, 1, 0.25)
    assert native["p50_ms"] <= native["p95_ms"]
    assert snapshot["types"]["call"]["predict"]["native"]["count"] == 4


def test_percentiles_come_from_the_window_of_latest_attempts():
    dspex.hybrid.configure_stats(window=4)
    try:
        for latency in (1000.0, 1000.0, 1.0, 2.0, 3.0, 4.0):
            telemetry.record("call", "predict", "native", latency, True)
        window = telemetry.window_of("predict", "native")
        assert (window["count"], window["window_count"]) == (6, 4)
        assert (window["p50_ms"], window["p95_ms"]) == (3.0, 4.0)
    finally:
        dspex.hybrid.configure_stats()


def test_reset_stats_forgets_everything():
    telemetry.record("call", "predict", "native", 1.0, False)
    dspex.hybrid.reset_stats()
    assert dspex.hybrid.stats()["backends"] == {}
