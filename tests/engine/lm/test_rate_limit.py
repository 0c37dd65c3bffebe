"""rpm/tpm token buckets space requests out, synchronously and asynchronously."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from dspex.lm.ratelimit import TokenBucket, get_limiter

MESSAGES = [{"role": "user", "content": "ping"}]


def _gaps(stub) -> list[float]:
    times = [r.received_at for r in stub.requests]
    return [b - a for a, b in itertools.pairwise(times)]


def test_rpm_spaces_sync_requests_evenly(openai_stub, make_stub_lm):
    lm = make_stub_lm(rpm=600)  # 10 per second, bursts of 10
    for _ in range(14):
        lm.request(MESSAGES)

    times = [r.received_at for r in openai_stub.requests]
    assert len(times) == 14
    assert times[-1] - times[0] >= 0.3  # at least 3 of the last 4 waited for a 0.1 s refill
    assert all(gap >= 0.08 for gap in _gaps(openai_stub)[-3:])


async def test_rpm_spaces_concurrent_async_requests(openai_stub, make_stub_lm):
    lm = make_stub_lm(rpm=120)  # 2 per second, bursts of 2

    started = time.monotonic()
    await asyncio.gather(*(lm.arequest(MESSAGES) for _ in range(4)))
    elapsed = time.monotonic() - started

    assert len(openai_stub.requests) == 4
    assert elapsed >= 0.95  # requests 3 and 4 waited 0.5 s and 1.0 s
    assert elapsed < 2.0


def test_tpm_limits_by_estimated_tokens(openai_stub, make_stub_lm):
    lm = make_stub_lm(tpm=6000, max_tokens=40)  # 100 tokens/s; each request ~ 41 tokens

    started = time.monotonic()
    for _ in range(4):
        lm.request(MESSAGES)
    elapsed = time.monotonic() - started

    assert elapsed >= 0.5  # 4 * 41 = 164 tokens against a 100-token bucket
    assert len(openai_stub.requests) == 4


def test_copies_of_an_lm_share_one_bucket(openai_stub, make_stub_lm):
    lm = make_stub_lm(rpm=60)  # one per second
    copy = lm.copy(temperature=0.5)

    started = time.monotonic()
    lm.request(MESSAGES)
    copy.request(MESSAGES)

    assert time.monotonic() - started >= 0.9


def test_cache_hits_do_not_consume_the_rate_limit(openai_stub, make_stub_lm):
    lm = make_stub_lm(rpm=60, cache=True)

    started = time.monotonic()
    for _ in range(5):
        lm.request(MESSAGES)

    assert time.monotonic() - started < 0.5
    assert len(openai_stub.requests) == 1


def test_a_token_bucket_reserves_in_arrival_order():
    bucket = TokenBucket(per_minute=60)  # 1 per second, capacity 1

    assert bucket.reserve() == 0.0
    assert bucket.reserve() == pytest.approx(1.0, abs=0.05)
    assert bucket.reserve() == pytest.approx(2.0, abs=0.05)


def test_a_request_larger_than_the_bucket_waits_instead_of_deadlocking():
    bucket = TokenBucket(per_minute=600)  # 10/s, capacity 10

    assert bucket.reserve(10) == 0.0
    assert bucket.reserve(25) == pytest.approx(2.5, abs=0.05)


def test_limiters_are_shared_per_endpoint_and_limits():
    a = get_limiter(("openai", "m", None), 60, None)

    assert get_limiter(("openai", "m", None), 60, None) is a
    assert get_limiter(("openai", "m", None), 120, None) is not a
    assert get_limiter(("openai", "other", None), 60, None) is not a


def test_a_non_positive_rate_is_rejected():
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)
