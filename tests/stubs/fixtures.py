"""Pytest fixtures for the stub LM servers (loaded as a plugin by ``tests/conftest.py``).

- ``openai_stub`` / ``anthropic_stub``: a session-wide server, reset before and after each test.
- ``stub_lm``: an ``LM`` talking to ``openai_stub`` (no cache, fast retries).
- ``make_stub_lm(**overrides)``: build more such LMs (e.g. ``cache=True``, ``num_retries=0``).
- ``recording_server``: a server that records every request with its headers (an attacker's).
- autouse: the LM disk cache lives in a per-test temporary directory, memory cache and rate-limit
  buckets start empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.stubs.anthropic_stub import AnthropicStub
from tests.stubs.openai_stub import OpenAIStub
from tests.stubs.recording import RecordingServer

STUB_KEY_ENV = "DSPEX_STUB_API_KEY"
STUB_KEY = "sk-stub-secret-0123456789abcdef"
ANTHROPIC_KEY_ENV = "DSPEX_STUB_ANTHROPIC_KEY"
ANTHROPIC_KEY = "sk-ant-stub-secret-fedcba9876543210"


@pytest.fixture(autouse=True)
def isolated_lm_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point ``DSPEX_CACHEDIR`` at a fresh directory; start with empty caches, buckets and breakers."""
    from dspex.lm.breaker import reset_breakers
    from dspex.lm.cache import reset_cache
    from dspex.lm.ratelimit import reset_limiters

    monkeypatch.setenv("DSPEX_CACHEDIR", str(tmp_path_factory.mktemp("lm_cache")))
    reset_cache()
    reset_limiters()
    reset_breakers()
    yield
    reset_cache()
    reset_limiters()
    reset_breakers()


@pytest.fixture(scope="session")
def _openai_stub_server() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _anthropic_stub_server() -> Iterator[AnthropicStub]:
    server = AnthropicStub().start()
    yield server
    server.stop()


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """A server of its own on 127.0.0.1 that records every request it receives."""
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.fixture
def openai_stub(_openai_stub_server: OpenAIStub) -> Iterator[OpenAIStub]:
    """The OpenAI-compatible stub (``.base_url`` is ``http://127.0.0.1:PORT/v1``)."""
    _openai_stub_server.reset()
    yield _openai_stub_server
    _openai_stub_server.reset()


@pytest.fixture
def anthropic_stub(
    _anthropic_stub_server: AnthropicStub, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AnthropicStub]:
    """The Anthropic stub (``.base_url`` is ``http://127.0.0.1:PORT``); sets its key variable."""
    monkeypatch.setenv(ANTHROPIC_KEY_ENV, ANTHROPIC_KEY)
    _anthropic_stub_server.reset()
    yield _anthropic_stub_server
    _anthropic_stub_server.reset()


@pytest.fixture
def make_stub_lm(openai_stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Factory of LMs bound to ``openai_stub``; keyword arguments override the defaults."""
    from dspex.lm import LM

    monkeypatch.setenv(STUB_KEY_ENV, STUB_KEY)

    def make(**overrides: Any) -> LM:
        options: dict[str, Any] = {
            "model": "openai/stub-model",
            "base_url": openai_stub.base_url,
            "api_key_env": STUB_KEY_ENV,
            "cache": False,
            "retry_backoff": 0.01,
        }
        options.update(overrides)
        return LM(**options)

    return make


@pytest.fixture
def stub_lm(make_stub_lm: Callable[..., Any]) -> Any:
    """``LM("openai/stub-model")`` on ``openai_stub``: cache off, 3 fast retries."""
    return make_stub_lm()
