"""request, arequest and astream run one pipeline: the cache, retries and rate limits they share."""

from __future__ import annotations

import asyncio
import itertools
import threading

import pytest

from dspex.lm import LMConnectionError, ServerError
from dspex.lm.pipeline import Call, Send, Stream, Wait, arun, run

MESSAGES = [{"role": "user", "content": "ping"}]
STORY = "Once upon a time there was a tiny language model."


async def test_a_stream_replays_an_answer_cached_by_a_blocking_request(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script(STORY)

    first = await asyncio.to_thread(lm.request, MESSAGES)
    chunks = [chunk async for chunk in lm.astream(MESSAGES)]

    assert first.outputs == [STORY]
    assert chunks == [STORY]
    assert len(openai_stub.requests) == 1
    assert [entry["cache_hit"] for entry in lm.history] == [False, True]


async def test_a_blocking_request_gets_an_answer_cached_by_a_stream(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script(STORY)

    _ = [chunk async for chunk in lm.astream(MESSAGES)]
    hit = await asyncio.to_thread(lm.request, MESSAGES)
    ahit = await lm.arequest(MESSAGES)

    assert hit.outputs == ahit.outputs == [STORY]
    assert hit.cache_hit and ahit.cache_hit
    assert len(openai_stub.requests) == 1


async def test_an_async_request_retries_a_5xx_a_malformed_body_and_a_dropped_connection(openai_stub, stub_lm):
    openai_stub.script({"status": 500}, {"malformed": True}, {"drop": True}, STORY)

    response = await stub_lm.arequest(MESSAGES)

    assert response.outputs == [STORY]
    assert len(openai_stub.requests) == 4
    [entry] = stub_lm.history
    assert entry["outputs"] == [STORY]


async def test_async_and_blocking_requests_give_up_with_the_same_typed_error(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=1)

    openai_stub.script({"status": 500}, {"status": 500})
    with pytest.raises(ServerError) as blocking:
        await asyncio.to_thread(lm.request, MESSAGES)
    openai_stub.script({"status": 500}, {"status": 500})
    with pytest.raises(ServerError) as non_blocking:
        await lm.arequest(MESSAGES)

    assert str(blocking.value) == str(non_blocking.value)
    assert str(blocking.value).startswith("openai/stub-model: ")
    assert len(openai_stub.requests) == 4
    assert lm.history == []


async def test_a_stream_that_cannot_connect_is_retried_then_raised_as_a_connection_error(make_stub_lm):
    lm = make_stub_lm(base_url="http://127.0.0.1:9/v1", num_retries=1)

    with pytest.raises(LMConnectionError, match=r"^openai/stub-model: openai connection failed"):
        _ = [chunk async for chunk in lm.astream(MESSAGES)]


async def test_blocking_and_async_calls_draw_from_one_rate_limit(openai_stub, make_stub_lm):
    lm = make_stub_lm(rpm=60)  # one request per second, no burst

    await asyncio.to_thread(lm.request, MESSAGES)
    await lm.arequest(MESSAGES)
    await asyncio.to_thread(lm.request, MESSAGES)

    times = [r.received_at for r in openai_stub.requests]
    assert len(times) == 3
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times))


def _recovering(step: Call) -> object:
    try:
        yield step
    except ZeroDivisionError as exc:
        return f"recovered from {type(exc).__name__}"
    return "no failure"


def test_a_failed_step_is_thrown_back_into_the_pipeline_by_the_blocking_driver():
    assert run(_recovering(Call(lambda: 1 / 0))) == "recovered from ZeroDivisionError"


async def test_a_failed_step_is_thrown_back_into_the_pipeline_by_the_async_driver():
    async def fails() -> None:
        raise ZeroDivisionError

    assert await arun(_recovering(Call(lambda: 1 / 0))) == "recovered from ZeroDivisionError"
    assert await arun(_recovering(Call(lambda: None, fails))) == "recovered from ZeroDivisionError"


async def test_the_async_driver_runs_blocking_calls_on_a_worker_thread():
    def where() -> object:
        thread = yield Call(threading.get_ident)
        yield Wait(0.0)
        return thread

    assert await arun(where()) != threading.get_ident()
    assert run(where()) == threading.get_ident()


def test_the_blocking_driver_refuses_to_stream(stub_lm):
    import httpx

    def streams() -> object:
        yield Send(httpx.URL("http://127.0.0.1:9/"), b"{}", {}, httpx.Timeout(1.0), stream=True)

    with pytest.raises(TypeError, match="need an event loop"):
        run(streams())

    def stream_step() -> object:
        yield Stream(streams(), state=None)  # type: ignore[arg-type]  # never reached

    with pytest.raises(TypeError, match="cannot carry out Stream"):
        run(stream_step())
