"""dspex.lm.aio, the asyncio HTTP/1.1 client of async LM requests, over real sockets: keep-alive
reuse, framing (Content-Length, chunked, gzip), connections the server closes, timeouts, the pool
limit, TLS, and the httpx exception types the endpoint maps to LM errors."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dspex.lm import LMConnectionError, LMTimeoutError, http
from dspex.lm.aio import AsyncHTTPClient
from tests.stubs.framing import ANSWER, FramingStub
from tests.stubs.openai_stub import OpenAIStub

BODY = json.dumps({"model": "stub-model", "messages": [{"role": "user", "content": "hi"}]}).encode()
HEADERS = {"Authorization": "Bearer sk-test", "Content-Type": "application/json"}
TIMEOUT = httpx.Timeout(5.0)


@pytest.fixture
def stub() -> Iterator[FramingStub]:
    """A server of its own per test: the connection counts are this test's alone."""
    server = FramingStub()
    server.start()
    yield server
    server.stop()


def client(**options: Any) -> AsyncHTTPClient:
    return AsyncHTTPClient(ssl.create_default_context(), default_headers=http.DEFAULT_HEADERS, **options)


def connections(stub: FramingStub) -> int:
    return len(stub._connections)


async def test_sequential_posts_reuse_one_keep_alive_connection(stub):
    aio = client()
    url = httpx.URL(stub.base_url + "/chat/completions")

    responses = [await aio.post(url, BODY, HEADERS, TIMEOUT) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert responses[0].json()["choices"][0]["message"]["content"] == "stub response"
    assert len(stub.requests) == 5
    assert connections(stub) == 1
    assert aio.connections() == 1


async def test_concurrent_posts_keep_their_connections_for_the_next_ones(stub):
    stub.set_default("slow", delay=0.05)
    aio = client()
    url = httpx.URL(stub.base_url + "/chat/completions")

    await asyncio.gather(*(aio.post(url, BODY, HEADERS, TIMEOUT) for _ in range(8)))
    opened = connections(stub)
    await asyncio.gather(*(aio.post(url, BODY, HEADERS, TIMEOUT) for _ in range(8)))

    assert opened == 8
    assert connections(stub) == 8
    assert aio.connections() == 8


async def test_it_sends_the_headers_the_httpx_path_sends(stub):
    response = await client().post(httpx.URL(stub.url + "/echo?x=1"), BODY, HEADERS, TIMEOUT)

    headers = response.json()["headers"]
    assert headers["host"] == f"127.0.0.1:{stub.port}"
    assert headers["content-length"] == str(len(BODY))
    assert headers["authorization"] == "Bearer sk-test"
    assert headers["user-agent"] == "dspex"
    assert headers["accept"] == "application/json"
    assert response.json()["json"] == json.loads(BODY)


@pytest.mark.parametrize("path", ["/chunked", "/gzip", "/close"])
async def test_it_reads_chunked_gzipped_and_closing_responses_whole(stub, path):
    aio = client()

    first = await aio.post(httpx.URL(stub.url + path), BODY, HEADERS, TIMEOUT)
    second = await aio.post(httpx.URL(stub.url + path), BODY, HEADERS, TIMEOUT)

    assert first.json() == second.json() == ANSWER
    assert aio.connections() == (0 if path == "/close" else 1)


async def test_an_idle_connection_the_server_closed_is_not_reused(stub):
    aio = client()
    url = httpx.URL(stub.base_url + "/chat/completions")
    await aio.post(url, BODY, HEADERS, TIMEOUT)

    assert stub._loop is not None
    stub._loop.call_soon_threadsafe(lambda: [c.transport.close() for c in list(stub._connections)])
    await asyncio.sleep(0.1)
    response = await aio.post(url, BODY, HEADERS, TIMEOUT)

    assert response.status_code == 200
    assert len(stub.requests) == 2


async def test_a_dropped_connection_is_a_remote_protocol_error_and_the_lm_retries_it(stub, monkeypatch):
    url = httpx.URL(stub.base_url + "/chat/completions")
    stub.script({"drop": True})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client().post(url, BODY, HEADERS, TIMEOUT)

    lm = _lm(stub, monkeypatch)
    stub.script({"drop": True}, {"drop": True}, "third time")
    assert (await lm.arequest("hi")).outputs == ["third time"]


async def test_a_silent_server_is_a_read_timeout_and_the_lm_reports_it(stub, monkeypatch):
    url = httpx.URL(stub.base_url + "/chat/completions")
    stub.script({"hang": True})
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await client().post(url, BODY, HEADERS, httpx.Timeout(0.2))
    assert time.monotonic() - started >= 0.2

    lm = _lm(stub, monkeypatch, timeout=0.2, num_retries=0)
    stub.script({"hang": True})
    with pytest.raises(LMTimeoutError, match=r"timed out after 0\.2s: ReadTimeout"):
        await lm.arequest("hi")


async def test_a_refused_connection_is_a_connect_error_and_an_lm_connection_error(monkeypatch):
    with pytest.raises(httpx.ConnectError):
        await client().post(httpx.URL("http://127.0.0.1:9/v1/chat/completions"), BODY, HEADERS, TIMEOUT)

    monkeypatch.setenv("STUB_KEY", "sk-test")
    from dspex.lm import LM

    lm = LM("openai/stub-model", base_url="http://127.0.0.1:9/v1", api_key_env="STUB_KEY", num_retries=0)
    with pytest.raises(LMConnectionError, match="openai connection failed: ConnectError"):
        await lm.arequest("hi")


async def test_no_more_than_max_connections_are_open_at_once_and_the_rest_wait(stub):
    stub.set_default("slow", delay=0.05)
    aio = client(max_connections=2)
    url = httpx.URL(stub.base_url + "/chat/completions")
    seen: list[int] = []

    async def post() -> int:
        response = await aio.post(url, BODY, HEADERS, TIMEOUT)
        seen.append(connections(stub))
        return response.status_code

    assert await asyncio.gather(*(post() for _ in range(6))) == [200] * 6
    assert max(seen) <= 2


async def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout(stub):
    stub.script({"hang": True})
    aio = client(max_connections=1)
    url = httpx.URL(stub.base_url + "/chat/completions")
    hanging = asyncio.ensure_future(aio.post(url, BODY, HEADERS, TIMEOUT))
    await asyncio.sleep(0.05)

    with pytest.raises(httpx.PoolTimeout):
        await aio.post(url, BODY, HEADERS, httpx.Timeout(5.0, pool=0.1))

    hanging.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hanging
    response = await aio.post(url, BODY, HEADERS, TIMEOUT)  # the cancelled request gave its slot back
    assert response.status_code == 200


async def test_it_speaks_tls_and_refuses_a_certificate_it_does_not_trust(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with OpenAIStub(tls=context) as tls_stub:
        url = httpx.URL(tls_stub.base_url + "/chat/completions")
        trusting = AsyncHTTPClient(ssl.create_default_context(cafile=str(cert)))

        responses = [await trusting.post(url, BODY, HEADERS, TIMEOUT) for _ in range(2)]

        assert [r.json()["choices"][0]["message"]["content"] for r in responses] == ["stub response"] * 2
        assert len(tls_stub._connections) == 1
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await AsyncHTTPClient(ssl.create_default_context()).post(url, BODY, HEADERS, TIMEOUT)


def _lm(stub: FramingStub, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Any:
    from dspex.lm import LM

    monkeypatch.setenv("STUB_KEY", "sk-test")
    return LM(
        "openai/stub-model", base_url=stub.base_url, api_key_env="STUB_KEY", retry_backoff=0.01, **options
    )
