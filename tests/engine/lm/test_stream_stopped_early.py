"""A consumer that stops reading a stream early closes the connection and caches nothing partial."""

from __future__ import annotations

import asyncio

from dspex.lm import http


def open_connections() -> list[object]:
    pool = http._async_pool()
    return [c for shard in pool.transport._shards for c in shard._pool.connections]


async def test_breaking_out_of_a_stream_closes_its_connection(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script({"content": "word " * 200, "chunk_delay": 0.01}, "second answer")

    stream = lm.astream("tell me a long story")
    async for _ in stream:
        break
    await stream.aclose()
    await asyncio.sleep(0.05)

    assert open_connections() == []
    assert lm.history == []
    assert "".join([c async for c in lm.astream("tell me a long story")]) == "second answer"


async def test_an_abandoned_stream_is_closed_when_collected(openai_stub, make_stub_lm):
    import gc

    lm = make_stub_lm()
    openai_stub.script({"content": "word " * 200, "chunk_delay": 0.01})

    stream = lm.astream("tell me a long story")
    async for _ in stream:
        break
    del stream
    gc.collect()
    await asyncio.sleep(0.05)

    assert open_connections() == []
