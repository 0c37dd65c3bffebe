"""One credential's failures and rate budget never affect another credential on the same URL."""

from __future__ import annotations

import time

import pytest

from dspex.lm import LM, CircuitOpenError, Credential, breaker_states, configure_breakers

MESSAGES = [{"role": "user", "content": "ping"}]


def lm_for(openai_stub, identity, **options):
    credential = Credential.from_secret(f"sk-{identity}-0123456789", identity=identity)
    options.setdefault("num_retries", 0)
    return LM(
        "openai/stub-model", base_url=openai_stub.base_url, credential=credential, cache=False, **options
    )


def test_429s_of_one_credential_open_only_its_own_breaker(openai_stub):
    configure_breakers(failure_threshold=2, cooldown=60)
    noisy, quiet = lm_for(openai_stub, "tenant-a"), lm_for(openai_stub, "tenant-b")
    openai_stub.script({"status": 429}, {"status": 429})
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017 - RateLimitError, twice
            noisy.request(MESSAGES)

    with pytest.raises(CircuitOpenError):
        noisy.request(MESSAGES)
    assert quiet.request(MESSAGES).outputs == ["stub response"]
    states = {s["credential"]: s["state"] for s in breaker_states()}
    assert states == {"tenant-a": "open", "tenant-b": "closed"}
    assert [s["credential"] for s in breaker_states(credentials={"tenant-b"})] == ["tenant-b"]


def test_each_credential_has_its_own_rate_budget(openai_stub):
    first, second = lm_for(openai_stub, "tenant-a", rpm=60), lm_for(openai_stub, "tenant-b", rpm=60)
    first.request(MESSAGES)  # takes tenant-a's one request of this second

    start = time.monotonic()
    second.request(MESSAGES)
    assert time.monotonic() - start < 0.5
    start = time.monotonic()
    first.request(MESSAGES)
    assert time.monotonic() - start > 0.5
