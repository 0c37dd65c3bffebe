"""Successful responses are cached in memory and on disk, keyed by everything but credentials."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dspex.lm import LMError, Usage
from dspex.lm.cache import get_cache, reset_cache

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def cached_lm(make_stub_lm):
    return make_stub_lm(cache=True, temperature=0.0)


def test_a_repeated_request_is_a_memory_hit_that_skips_the_server(openai_stub, cached_lm):
    openai_stub.script("Paris", "not reached")

    first = cached_lm.request(MESSAGES)
    second = cached_lm.request(MESSAGES)

    assert len(openai_stub.requests) == 1
    assert first.cache_hit is False
    assert second.cache_hit is True
    assert second.outputs == ["Paris"]
    assert second.finish_reasons == ["stop"]
    assert second.usage == Usage(0, 0, 0)
    assert second.cost == 0.0
    assert 0.0 < second.latency_ms < first.latency_ms
    assert cached_lm.history[-1]["cache_hit"] is True


async def test_async_requests_share_the_cache_with_sync_ones(openai_stub, cached_lm):
    openai_stub.script("Paris")

    cached_lm.request(MESSAGES)
    response = await cached_lm.arequest(MESSAGES)

    assert response.cache_hit is True
    assert len(openai_stub.requests) == 1


def test_a_disk_hit_survives_clearing_memory_and_is_promoted(openai_stub, cached_lm):
    openai_stub.script("Paris")
    cached_lm.request(MESSAGES)
    cache = get_cache()
    assert cache.flush()
    cache.clear_memory()
    assert len(cache.memory) == 0

    response = cached_lm.request(MESSAGES)

    assert response.cache_hit is True
    assert response.outputs == ["Paris"]
    assert len(cache.memory) == 1
    assert len(openai_stub.requests) == 1


def test_a_fresh_lm_in_a_fresh_cache_instance_reads_the_disk(openai_stub, make_stub_lm):
    openai_stub.script("Paris")
    make_stub_lm(cache=True).request(MESSAGES)
    reset_cache()

    response = make_stub_lm(cache=True).request(MESSAGES)

    assert response.cache_hit is True
    assert len(openai_stub.requests) == 1


def test_the_disk_cache_is_a_wal_sqlite_file_under_dspex_cachedir(openai_stub, cached_lm, monkeypatch):
    openai_stub.script("Paris")
    cached_lm.request(MESSAGES)
    get_cache().flush()

    path = Path(get_cache().disk.path)
    assert str(path).startswith(str(Path(__import__("os").environ["DSPEX_CACHEDIR"])))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        [(value,)] = conn.execute("SELECT value FROM responses").fetchall()
    assert '"Paris"' in value


def test_cache_false_on_the_lm_neither_reads_nor_writes(openai_stub, make_stub_lm):
    openai_stub.script("one", "two", "three")
    uncached = make_stub_lm(cache=False)
    cached = make_stub_lm(cache=True)

    assert uncached.request(MESSAGES).outputs == ["one"]
    assert uncached.request(MESSAGES).outputs == ["two"]
    assert cached.request(MESSAGES).outputs == ["three"]
    assert len(openai_stub.requests) == 3


def test_cache_false_per_call_neither_reads_nor_writes(openai_stub, cached_lm):
    openai_stub.script("cached", "fresh", "fresh again")

    cached_lm.request(MESSAGES)
    assert cached_lm.request(MESSAGES, cache=False).outputs == ["fresh"]
    assert cached_lm.request(MESSAGES, cache=False).outputs == ["fresh again"]
    assert cached_lm.request(MESSAGES).outputs == ["cached"]
    assert "cache" not in openai_stub.requests[1].json


def test_the_key_tells_credentials_apart_without_holding_the_key(openai_stub, make_stub_lm, monkeypatch):
    # Two key variables are two credentials (two tenants): neither reads the other's answers.
    monkeypatch.setenv("TEAM_A_KEY", "sk-team-a-000000000000")
    monkeypatch.setenv("TEAM_B_KEY", "sk-team-b-111111111111")
    openai_stub.script("team a", "team b")

    make_stub_lm(cache=True, api_key_env="TEAM_A_KEY").request(MESSAGES)
    response = make_stub_lm(cache=True, api_key_env="TEAM_B_KEY").request(MESSAGES)

    assert response.cache_hit is False
    assert response.outputs == ["team b"]


def test_a_rotated_key_in_the_same_variable_keeps_its_cache(openai_stub, make_stub_lm, monkeypatch):
    # The identity comes from the variable's name, never from the key's value.
    monkeypatch.setenv("TEAM_A_KEY", "sk-team-a-000000000000")
    openai_stub.script("cached")
    make_stub_lm(cache=True, api_key_env="TEAM_A_KEY").request(MESSAGES)
    monkeypatch.setenv("TEAM_A_KEY", "sk-team-a-rotated-999999")

    response = make_stub_lm(cache=True, api_key_env="TEAM_A_KEY").request(MESSAGES)

    assert response.cache_hit is True
    assert len(openai_stub.requests) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.7},
        {"n": 2},
        {"max_tokens": 5},
        {"response_format": {"type": "json_object"}},
        {"stop": ["END"]},
    ],
)
def test_the_key_includes_generation_params(openai_stub, cached_lm, change):
    openai_stub.script("base", ["changed", "changed"])

    cached_lm.request(MESSAGES)
    response = cached_lm.request(MESSAGES, **change)

    assert response.cache_hit is False
    assert len(openai_stub.requests) == 2


def test_the_key_includes_messages_model_and_base_url(openai_stub, make_stub_lm):
    openai_stub.script("a", "b", "c", "d")

    make_stub_lm(cache=True).request(MESSAGES)
    make_stub_lm(cache=True).request([{"role": "user", "content": "Another question"}])
    make_stub_lm(cache=True, model="openai/other-model").request(MESSAGES)
    same_server = openai_stub.base_url.replace("127.0.0.1", "localhost")
    make_stub_lm(cache=True, base_url=same_server).request(MESSAGES)
    make_stub_lm(cache=True, base_url=openai_stub.base_url + "/").request(MESSAGES)

    assert len(openai_stub.requests) == 4


def test_failed_responses_are_not_cached(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True, num_retries=0)
    openai_stub.script({"status": 500}, "after the failure")

    with pytest.raises(LMError):
        lm.request(MESSAGES)
    assert lm.request(MESSAGES).outputs == ["after the failure"]
    assert lm.request(MESSAGES).cache_hit is True


def test_copies_of_an_lm_share_the_cache(openai_stub, cached_lm):
    openai_stub.script("Paris")
    cached_lm.request(MESSAGES)

    assert cached_lm.copy().request(MESSAGES).cache_hit is True


def test_the_memory_cache_evicts_the_least_recently_used_entry():
    from dspex.lm.cache import MemoryCache

    memory = MemoryCache(maxsize=2)
    memory.put("a", (("A",), ("stop",), None, None))
    memory.put("b", (("B",), ("stop",), None, None))
    assert memory.get("a") is not None
    memory.put("c", (("C",), ("stop",), None, None))

    assert memory.get("b") is None
    assert memory.get("a") == (("A",), ("stop",), None, None)
    assert memory.get("c") is not None


def test_an_unwritable_cache_directory_falls_back_to_memory(openai_stub, make_stub_lm, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("DSPEX_CACHEDIR", str(blocker / "cache"))
    reset_cache()
    lm = make_stub_lm(cache=True)
    openai_stub.script("Paris")

    lm.request(MESSAGES)
    assert lm.request(MESSAGES).cache_hit is True
    assert get_cache().disk.enabled is False


def test_repeated_cache_hits_send_nothing_and_return_the_same_answer(openai_stub, cached_lm):
    # How fast a hit is belongs to bench/engine_bench.py ("Cache hit, LM.request"), not to a test.
    messages = [
        {"role": "system", "content": "Your input fields are: `question` (str). " * 25},
        {"role": "user", "content": "[[ ## question ## ]]\nWhat is the capital of France? " * 18},
    ]
    first = cached_lm.request(messages)
    sent = len(openai_stub.completion_requests())

    hits = [cached_lm.request(messages) for _ in range(500)]

    assert len(openai_stub.completion_requests()) == sent == 1
    assert all(hit.cache_hit and hit.outputs == first.outputs for hit in hits)
