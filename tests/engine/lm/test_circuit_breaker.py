"""A circuit breaker per LM endpoint: closed → open after N consecutive retryable failures →
half-open after the cooldown → closed when the trial request succeeds; an open breaker fails fast."""

from __future__ import annotations

import re
import threading
import time

import pytest

import dspex
from dspex.lm import CircuitOpenError, breaker_states, configure_breakers


@pytest.fixture
def lm(make_stub_lm):
    configure_breakers(failure_threshold=2, cooldown=0.3)
    return make_stub_lm(num_retries=0)


def state_of(lm):
    (found,) = [s for s in breaker_states() if s["model"] == lm.model]
    return found


def fail_twice(openai_stub, lm):
    openai_stub.script({"status": 500}, {"status": 503})
    for _ in range(2):
        with pytest.raises(dspex.LMError):
            lm("hi")


def test_it_opens_after_consecutive_retryable_failures_and_fails_fast(openai_stub, lm):
    configure_breakers(cooldown=30)
    lm("hi")
    assert state_of(lm)["state"] == "closed"
    fail_twice(openai_stub, lm)
    sent = len(openai_stub.completion_requests())

    with pytest.raises(CircuitOpenError) as caught:
        lm("hi")

    assert len(openai_stub.completion_requests()) == sent  # nothing was sent
    message = str(caught.value)
    assert message.startswith(f"circuit breaker open for openai/stub-model at {openai_stub.base_url}: ")
    assert "2 consecutive failures (last: ServerError: " in message
    assert re.search(r"next trial request allowed at \d\d:\d\d:\d\d UTC \(in [23]\d\.\ds\)", message)
    assert caught.value.endpoint == f"openai/stub-model at {openai_stub.base_url}"
    assert caught.value.retry_at > time.time() - 1
    state = state_of(lm)
    assert (state["state"], state["consecutive_failures"]) == ("open", 2)
    assert state["retry_at"] is not None and state["opened_at"] is not None


def test_after_the_cooldown_one_trial_request_closes_it(openai_stub, lm):
    fail_twice(openai_stub, lm)
    time.sleep(0.35)
    assert state_of(lm)["state"] == "half_open"

    assert lm("hi") == ["stub response"]

    state = state_of(lm)
    assert (state["state"], state["consecutive_failures"], state["retry_at"]) == ("closed", 0, None)


def test_a_failed_trial_request_opens_it_again(openai_stub, lm):
    fail_twice(openai_stub, lm)
    time.sleep(0.35)
    configure_breakers(cooldown=30)  # the failed trial opens it for 30 s
    openai_stub.script({"status": 500})
    with pytest.raises(dspex.LMError):
        lm("hi")
    assert state_of(lm)["state"] == "open"
    with pytest.raises(CircuitOpenError):
        lm("hi")


def test_only_one_trial_request_goes_through_while_half_open(openai_stub, lm):
    fail_twice(openai_stub, lm)
    time.sleep(0.35)
    openai_stub.script({"content": "slow", "delay": 1.0})
    sent = len(openai_stub.completion_requests())
    trial = threading.Thread(target=lm, args=("hi",))
    trial.start()
    deadline = time.monotonic() + 10
    while len(openai_stub.completion_requests()) == sent and time.monotonic() < deadline:
        time.sleep(0.01)  # wait until the trial request has reached the server
    try:
        with pytest.raises(CircuitOpenError, match="half-open: a trial request is in flight"):
            lm("hi")
    finally:
        trial.join()
    assert state_of(lm)["state"] == "closed"


def test_errors_that_are_not_retryable_do_not_count(openai_stub, lm):
    openai_stub.script({"status": 400}, {"status": 400}, {"status": 400})
    for _ in range(3):
        with pytest.raises(dspex.LMError):
            lm("hi")
    assert state_of(lm)["state"] == "closed"


def test_a_success_resets_the_count(openai_stub, lm):
    openai_stub.script({"status": 500}, "ok", {"status": 500})
    with pytest.raises(dspex.LMError):
        lm("hi")
    lm("hi")
    with pytest.raises(dspex.LMError):
        lm("hi")
    assert state_of(lm)["consecutive_failures"] == 1


def test_a_request_counts_once_after_its_retries(openai_stub, make_stub_lm):
    configure_breakers(failure_threshold=2, cooldown=30)
    lm = make_stub_lm(num_retries=2)
    openai_stub.script({"status": 500}, {"status": 500}, {"status": 500})
    with pytest.raises(dspex.LMError):
        lm("hi")
    assert len(openai_stub.completion_requests()) == 3
    assert (state_of(lm)["state"], state_of(lm)["consecutive_failures"]) == ("closed", 1)


def test_breakers_are_per_endpoint(openai_stub, make_stub_lm, lm):
    other = make_stub_lm(model="openai/other-model", num_retries=0)
    fail_twice(openai_stub, lm)
    assert other("hi") == ["stub response"]
    assert state_of(other)["state"] == "closed"


async def test_async_requests_use_the_same_breaker(openai_stub, lm):
    configure_breakers(cooldown=30)
    openai_stub.script({"status": 500}, {"status": 500})
    for _ in range(2):
        with pytest.raises(dspex.LMError):
            await lm.acall("hi")
    with pytest.raises(CircuitOpenError):
        await lm.acall("hi")
    with pytest.raises(CircuitOpenError):
        async for _ in lm.astream("hi"):
            pass


def test_a_disabled_breaker_never_fails_fast(openai_stub, lm):
    fail_twice(openai_stub, lm)
    configure_breakers(enabled=False)
    assert lm("hi") == ["stub response"]
