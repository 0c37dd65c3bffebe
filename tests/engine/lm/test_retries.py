"""Transient failures are retried with backoff; client errors never are."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from dspex.lm import (
    AuthenticationError,
    BadRequestError,
    LMConnectionError,
    LMTimeoutError,
    RateLimitError,
    ServerError,
)
from dspex.lm.retry import RetryPolicy, parse_retry_after

MESSAGES = [{"role": "user", "content": "ping"}]


def test_it_retries_on_429_honouring_retry_after(openai_stub, stub_lm):
    openai_stub.script({"status": 429, "headers": {"Retry-After": "1"}}, "after the wait")

    started = time.monotonic()
    response = stub_lm.request(MESSAGES)
    elapsed = time.monotonic() - started

    assert response.outputs == ["after the wait"]
    assert len(openai_stub.requests) == 2
    gap = openai_stub.requests[1].received_at - openai_stub.requests[0].received_at
    assert gap >= 1.0
    assert elapsed >= 1.0


async def test_it_retries_on_429_asynchronously_honouring_retry_after_ms(openai_stub, stub_lm):
    openai_stub.script({"status": 429, "headers": {"retry-after-ms": "300"}}, "async after the wait")

    response = await stub_lm.arequest(MESSAGES)

    assert response.outputs == ["async after the wait"]
    gap = openai_stub.requests[1].received_at - openai_stub.requests[0].received_at
    assert gap >= 0.3


def test_it_retries_on_500_and_503(openai_stub, stub_lm):
    openai_stub.script({"status": 500}, {"status": 503}, "recovered")

    assert stub_lm.request(MESSAGES).outputs == ["recovered"]
    assert len(openai_stub.requests) == 3


def test_it_retries_a_dropped_connection(openai_stub, stub_lm):
    openai_stub.script({"drop": True}, "after the drop")

    assert stub_lm.request(MESSAGES).outputs == ["after the drop"]
    assert len(openai_stub.requests) == 2


async def test_it_retries_a_dropped_connection_asynchronously(openai_stub, stub_lm):
    openai_stub.script({"drop": True}, {"drop": True}, "after two drops")

    assert (await stub_lm.arequest(MESSAGES)).outputs == ["after two drops"]
    assert len(openai_stub.requests) == 3


def test_it_raises_a_timeout_error_after_retrying_a_hanging_server(openai_stub, make_stub_lm):
    lm = make_stub_lm(timeout=0.2, num_retries=2)
    openai_stub.script({"hang": True}, {"hang": True}, {"hang": True})

    started = time.monotonic()
    with pytest.raises(LMTimeoutError) as caught:
        lm.request(MESSAGES)

    assert len(openai_stub.requests) == 3
    assert time.monotonic() - started >= 0.6
    assert "timed out" in str(caught.value)
    assert caught.value.provider == "openai"


async def test_a_timeout_followed_by_success_succeeds(openai_stub, make_stub_lm):
    lm = make_stub_lm(timeout=0.2, num_retries=1)
    openai_stub.script({"hang": True}, "in time")

    assert (await lm.arequest(MESSAGES)).outputs == ["in time"]


def test_it_raises_the_typed_error_after_the_last_attempt(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=2)
    openai_stub.script(*[{"status": 429, "headers": {"Retry-After": "0"}}] * 3)

    with pytest.raises(RateLimitError) as caught:
        lm.request(MESSAGES)

    assert caught.value.status_code == 429
    assert len(openai_stub.requests) == 3


def test_it_raises_server_error_when_5xx_persists(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=1)
    openai_stub.script({"status": 502}, {"status": 502})

    with pytest.raises(ServerError):
        lm.request(MESSAGES)
    assert len(openai_stub.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_it_never_retries_other_4xx(openai_stub, stub_lm, status):
    openai_stub.script({"status": status}, "should not be reached")

    with pytest.raises((BadRequestError, AuthenticationError)):
        stub_lm.request(MESSAGES)

    assert len(openai_stub.requests) == 1
    assert openai_stub.pending_replies == 1


def test_num_retries_zero_makes_a_single_attempt(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=0)
    openai_stub.script({"status": 500}, "unused")

    with pytest.raises(ServerError):
        lm.request(MESSAGES)
    assert len(openai_stub.requests) == 1


def test_a_connection_refused_is_retried_then_raised_as_connection_error(make_stub_lm):
    lm = make_stub_lm(base_url="http://127.0.0.1:9/v1", num_retries=1)

    with pytest.raises(LMConnectionError) as caught:
        lm.request(MESSAGES)
    assert "connection failed" in str(caught.value)


def test_retry_after_accepts_seconds_milliseconds_and_http_dates():
    in_three_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)

    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert 1.0 < parse_retry_after({"retry-after": in_three_seconds}) <= 3.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_backoff_is_full_jitter_within_the_exponential_cap():
    policy = RetryPolicy(num_retries=5, backoff=0.5, max_backoff=3.0)
    error = ServerError("boom")

    delays = {attempt: [policy.delay(attempt, error) for _ in range(200)] for attempt in range(5)}

    for attempt, values in delays.items():
        cap = min(3.0, 0.5 * 2**attempt)
        assert all(0.0 <= v <= cap for v in values)
        assert max(values) > cap / 2
    assert policy.delay(5, error) is None
    assert policy.delay(0, BadRequestError("no")) is None


def test_a_retry_after_longer_than_the_maximum_is_not_waited_for():
    policy = RetryPolicy(max_retry_after=10.0)

    assert policy.delay(0, RateLimitError("slow down", retry_after=3600.0)) is None
    assert policy.delay(0, RateLimitError("slow down", retry_after=2.0)) >= 2.0
