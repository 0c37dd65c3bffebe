"""dspex.lm.blocking, the socket HTTP/1.1 client of blocking LM requests, over real sockets:
keep-alive reuse (across threads too), framing (Content-Length, chunked, gzip, until close),
connections the server closes, timeouts, the pool limit, oversize answers, TLS, and the httpx
exception types the endpoint maps to LM errors (the same as on the httpx path)."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dspex.lm import (
    LM,
    AuthenticationError,
    LMConnectionError,
    LMTimeoutError,
    RateLimitError,
    ServerError,
    http,
)
from dspex.lm.aio import AsyncHTTPClient
from dspex.lm.blocking import BlockingHTTPClient
from dspex.lm.retry import RetryPolicy
from dspex.lm.transport import Endpoint
from tests.stubs.framing import ANSWER, BIG_ANSWER, FramingStub
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


def client(**options: Any) -> BlockingHTTPClient:
    return BlockingHTTPClient(ssl.create_default_context(), default_headers=http.DEFAULT_HEADERS, **options)


def connections(stub: FramingStub) -> int:
    return len(stub._connections)


def close_server_side(stub: FramingStub) -> None:
    assert stub._loop is not None
    stub._loop.call_soon_threadsafe(lambda: [c.transport.close() for c in list(stub._connections)])
    deadline = time.monotonic() + 5
    while connections(stub) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_sequential_posts_reuse_one_keep_alive_connection(stub):
    blocking = client()
    url = httpx.URL(stub.base_url + "/chat/completions")

    responses = [blocking.post(url, BODY, HEADERS, TIMEOUT) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert responses[0].json()["choices"][0]["message"]["content"] == "stub response"
    assert len(stub.requests) == 5
    assert connections(stub) == 1
    assert blocking.connections() == 1


def test_posts_from_several_threads_keep_their_connections_for_the_next_ones(stub):
    stub.set_default("slow", delay=0.05)
    blocking = client()
    url = httpx.URL(stub.base_url + "/chat/completions")
    start = threading.Barrier(8)

    def post(_: int) -> int:
        start.wait()
        return blocking.post(url, BODY, HEADERS, TIMEOUT).status_code

    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(post, range(8)))
        opened = connections(stub)
        second = list(pool.map(post, range(8)))

    assert first == second == [200] * 8
    assert opened == 8
    assert connections(stub) == 8
    assert blocking.connections() == 8


def test_it_sends_what_the_async_client_sends(stub):
    url = httpx.URL(stub.url + "/echo?x=1")

    sent = client().post(url, BODY, HEADERS, TIMEOUT).json()
    async_sent = asyncio.run(
        AsyncHTTPClient(ssl.create_default_context(), default_headers=http.DEFAULT_HEADERS).post(
            url, BODY, HEADERS, TIMEOUT
        )
    ).json()

    assert sent == async_sent
    headers = sent["headers"]
    assert headers["host"] == f"127.0.0.1:{stub.port}"
    assert headers["content-length"] == str(len(BODY))
    assert headers["authorization"] == "Bearer sk-test"
    assert headers["user-agent"] == "dspex"
    assert headers["accept"] == "application/json"
    assert sent["json"] == json.loads(BODY)


def test_a_header_value_with_a_line_break_is_refused_before_anything_is_sent(stub):
    with pytest.raises(httpx.LocalProtocolError, match="X-Evil"):
        client().post(httpx.URL(stub.url + "/echo"), BODY, {"X-Evil": "a\r\nHost: elsewhere"}, TIMEOUT)

    assert stub.requests == []


@pytest.mark.parametrize("path", ["/chunked", "/gzip", "/close"])
def test_it_reads_chunked_gzipped_and_closing_responses_whole(stub, path):
    blocking = client()

    first = blocking.post(httpx.URL(stub.url + path), BODY, HEADERS, TIMEOUT)
    second = blocking.post(httpx.URL(stub.url + path), BODY, HEADERS, TIMEOUT)

    assert first.json() == second.json() == ANSWER
    assert blocking.connections() == (0 if path == "/close" else 1)


def test_a_large_body_is_read_whole_and_an_oversize_head_is_refused(stub):
    blocking = client()

    big = blocking.post(httpx.URL(stub.url + "/big"), BODY, HEADERS, TIMEOUT)
    assert big.json() == BIG_ANSWER
    assert blocking.connections() == 1

    with pytest.raises(httpx.RemoteProtocolError, match="headers are too long"):
        blocking.post(httpx.URL(stub.url + "/long-head"), BODY, HEADERS, TIMEOUT)
    assert blocking.connections() == 0  # a connection left mid-response is never reused


def test_an_idle_connection_the_server_closed_is_not_reused(stub):
    blocking = client()
    url = httpx.URL(stub.base_url + "/chat/completions")
    blocking.post(url, BODY, HEADERS, TIMEOUT)

    close_server_side(stub)
    response = blocking.post(url, BODY, HEADERS, TIMEOUT)

    assert response.status_code == 200
    assert len(stub.requests) == 2


def test_an_idle_connection_past_the_keepalive_expiry_is_not_reused(stub):
    blocking = client(keepalive_expiry=0.05)
    url = httpx.URL(stub.base_url + "/chat/completions")
    blocking.post(url, BODY, HEADERS, TIMEOUT)
    first = next(iter(stub._connections))

    time.sleep(0.1)
    blocking.post(url, BODY, HEADERS, TIMEOUT)

    assert first not in stub._connections or first.transport is None
    assert blocking.connections() == 1


def test_a_dropped_connection_is_a_remote_protocol_error_and_the_lm_retries_it(stub, monkeypatch):
    url = httpx.URL(stub.base_url + "/chat/completions")
    stub.script({"drop": True})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client().post(url, BODY, HEADERS, TIMEOUT)

    lm = _lm(stub, monkeypatch)
    stub.script({"drop": True}, {"drop": True}, "third time")
    assert lm.request("hi").outputs == ["third time"]


def test_a_silent_server_is_a_read_timeout_and_the_lm_reports_it(stub, monkeypatch):
    url = httpx.URL(stub.base_url + "/chat/completions")
    stub.script({"hang": True})
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client().post(url, BODY, HEADERS, httpx.Timeout(0.2))
    assert time.monotonic() - started >= 0.2

    lm = _lm(stub, monkeypatch, timeout=0.2, num_retries=0)
    stub.script({"hang": True})
    with pytest.raises(LMTimeoutError, match=r"timed out after 0\.2s: ReadTimeout"):
        lm.request("hi")


def test_a_refused_connection_is_a_connect_error_and_an_lm_connection_error(monkeypatch):
    with pytest.raises(httpx.ConnectError):
        client().post(httpx.URL("http://127.0.0.1:9/v1/chat/completions"), BODY, HEADERS, TIMEOUT)

    monkeypatch.setenv("STUB_KEY", "sk-test")
    lm = LM("openai/stub-model", base_url="http://127.0.0.1:9/v1", api_key_env="STUB_KEY", num_retries=0)
    with pytest.raises(LMConnectionError, match="openai connection failed: ConnectError"):
        lm.request("hi")


def test_no_more_than_max_connections_are_open_at_once_and_the_rest_wait(stub):
    stub.set_default("slow", delay=0.05)
    blocking = client(max_connections=2)
    url = httpx.URL(stub.base_url + "/chat/completions")
    seen: list[int] = []

    def post(_: int) -> int:
        response = blocking.post(url, BODY, HEADERS, TIMEOUT)
        seen.append(connections(stub))
        return response.status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(post, range(6))) == [200] * 6
    assert max(seen) <= 2


def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout(stub):
    stub.script({"hang": True})
    blocking = client(max_connections=1)
    url = httpx.URL(stub.base_url + "/chat/completions")
    hanging = threading.Thread(target=lambda: _ignore(blocking.post, url, BODY, HEADERS, httpx.Timeout(0.5)))
    hanging.start()
    time.sleep(0.1)

    with pytest.raises(httpx.PoolTimeout):
        blocking.post(url, BODY, HEADERS, httpx.Timeout(5.0, pool=0.1))

    hanging.join()
    response = blocking.post(url, BODY, HEADERS, TIMEOUT)  # the timed-out request gave its slot back
    assert response.status_code == 200


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
def test_error_statuses_give_the_response_and_the_typed_error_of_the_httpx_path(stub, status):
    url = httpx.URL(stub.base_url + "/chat/completions")
    endpoint = Endpoint("openai", "openai/stub-model", RetryPolicy(num_retries=0), 5.0)
    stub.script({"status": status, "headers": {"Retry-After": "7"}})
    ours = client().post(url, BODY, HEADERS, TIMEOUT)
    stub.script({"status": status, "headers": {"Retry-After": "7"}})
    with httpx.Client() as httpx_client:
        theirs = httpx_client.post(url, content=BODY, headers={**http.DEFAULT_HEADERS, **HEADERS})

    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert ours.headers["retry-after"] == theirs.headers["retry-after"] == "7"
    ours_error, theirs_error = endpoint.status_error(ours, HEADERS), endpoint.status_error(theirs, HEADERS)
    assert type(ours_error) is type(theirs_error)
    assert (ours_error.message, ours_error.retry_after) == (theirs_error.message, theirs_error.retry_after)


def test_the_lm_sends_blocking_requests_through_it_and_maps_error_statuses(stub, monkeypatch):
    pool = http._sync_pool()
    before = pool.blocking.connections()
    lm = _lm(stub, monkeypatch, num_retries=0, cache=False)

    assert lm.request("hi").outputs == ["stub response"]
    assert pool.blocking.connections() == before + 1
    for status, error in [(401, AuthenticationError), (429, RateLimitError), (500, ServerError)]:
        stub.script({"status": status})
        with pytest.raises(error):
            lm.request("hi")


def test_it_speaks_tls_and_refuses_a_certificate_it_does_not_trust(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with OpenAIStub(tls=context) as tls_stub:
        url = httpx.URL(tls_stub.base_url + "/chat/completions")
        trusting = BlockingHTTPClient(ssl.create_default_context(cafile=str(cert)))

        responses = [trusting.post(url, BODY, HEADERS, TIMEOUT) for _ in range(2)]

        assert [r.json()["choices"][0]["message"]["content"] for r in responses] == ["stub response"] * 2
        assert len(tls_stub._connections) == 1
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            BlockingHTTPClient(ssl.create_default_context()).post(url, BODY, HEADERS, TIMEOUT)


def _ignore(fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except httpx.HTTPError:
        pass


def _lm(stub: FramingStub, monkeypatch: pytest.MonkeyPatch, **options: Any) -> LM:
    monkeypatch.setenv("STUB_KEY", "sk-test")
    return LM(
        "openai/stub-model", base_url=stub.base_url, api_key_env="STUB_KEY", retry_backoff=0.01, **options
    )
