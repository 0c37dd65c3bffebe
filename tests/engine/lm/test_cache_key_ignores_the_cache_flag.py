"""``cache=`` decides whether the cache is used, never which entry: it is not part of the key."""

from __future__ import annotations

MESSAGES = [{"role": "user", "content": "What is the capital of Peru?"}]


def test_cache_true_per_call_hits_the_entry_of_a_call_without_the_flag(openai_stub, make_stub_lm):
    openai_stub.script("Lima", "not reached")
    lm = make_stub_lm(cache=True)

    lm.request(MESSAGES)
    response = lm.request(MESSAGES, cache=True)

    assert response.cache_hit is True
    assert len(openai_stub.requests) == 1


def test_cache_true_per_call_uses_the_cache_of_an_lm_built_without_it(openai_stub, make_stub_lm):
    openai_stub.script("Lima", "not reached")
    cached, uncached = make_stub_lm(cache=True), make_stub_lm(cache=False)

    cached.request(MESSAGES)
    assert uncached.request(MESSAGES, cache=True).cache_hit is True
    assert len(openai_stub.requests) == 1


def test_the_cache_setting_of_the_lm_is_not_part_of_the_key(openai_stub, make_stub_lm):
    openai_stub.script("Lima", "not reached")
    writer = make_stub_lm(cache=False)

    writer.request(MESSAGES, cache=True)

    assert make_stub_lm(cache=True).request(MESSAGES).cache_hit is True
    assert len(openai_stub.requests) == 1
