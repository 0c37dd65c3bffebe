"""astream yields text deltas from server-sent events and records the finished call."""

from __future__ import annotations

import pytest

from dspex.lm import LM, AuthenticationError, LMError, track_calls
from dspex.lm.streaming import ServerSentEvent, SSEDecoder
from tests.stubs.fixtures import ANTHROPIC_KEY_ENV

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Tell me a story"}]
STORY = "Once upon a time there was a tiny language model."


async def test_openai_streaming_yields_deltas_that_join_to_the_text(openai_stub, stub_lm):
    openai_stub.script({"content": STORY, "usage": {"prompt_tokens": 9, "completion_tokens": 11}})

    chunks = [chunk async for chunk in stub_lm.astream(MESSAGES, max_tokens=64)]

    assert len(chunks) > 3
    assert "".join(chunks) == STORY
    sent = openai_stub.requests[0].json
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 64


async def test_a_finished_stream_is_recorded_with_usage(openai_stub, stub_lm):
    openai_stub.script({"content": STORY, "usage": {"prompt_tokens": 9, "completion_tokens": 11}})

    with track_calls() as calls:
        _ = [chunk async for chunk in stub_lm.astream(MESSAGES)]

    [entry] = stub_lm.history
    assert entry["outputs"] == [STORY]
    assert entry["usage"]["prompt_tokens"] == 9
    assert entry["usage"]["completion_tokens"] == 11
    assert entry["finish_reasons"] == ["stop"]
    assert entry["cache_hit"] is False
    assert len(calls) == 1


async def test_streams_arrive_incrementally(openai_stub, stub_lm):
    openai_stub.script({"content": STORY, "chunk_delay": 0.02})
    import time

    arrivals = []
    async for _ in stub_lm.astream(MESSAGES):
        arrivals.append(time.monotonic())

    assert arrivals[-1] - arrivals[0] >= 0.02 * (len(arrivals) - 2)


async def test_a_streamed_result_is_cached_and_replayed_in_one_chunk(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script(STORY)

    first = [chunk async for chunk in lm.astream(MESSAGES)]
    second = [chunk async for chunk in lm.astream(MESSAGES)]

    assert "".join(first) == STORY
    assert second == [STORY]
    assert len(openai_stub.requests) == 1
    assert lm.history[-1]["cache_hit"] is True


async def test_stream_errors_before_the_body_are_typed_and_retried(openai_stub, stub_lm):
    openai_stub.script({"status": 503}, STORY)

    chunks = [chunk async for chunk in stub_lm.astream(MESSAGES)]

    assert "".join(chunks) == STORY
    assert len(openai_stub.requests) == 2

    openai_stub.script({"status": 401})
    with pytest.raises(AuthenticationError, match="HTTP 401"):
        _ = [chunk async for chunk in stub_lm.astream(MESSAGES)]


async def test_anthropic_streaming_parses_content_block_deltas(anthropic_stub):
    lm = LM(
        "anthropic/claude-3-5-haiku",
        base_url=anthropic_stub.base_url,
        api_key_env=ANTHROPIC_KEY_ENV,
        cache=False,
    )
    anthropic_stub.script(
        {"content": STORY, "usage": {"input_tokens": 12, "output_tokens": 10, "cache_read_input_tokens": 4}}
    )

    chunks = [chunk async for chunk in lm.astream(MESSAGES)]

    assert len(chunks) > 3
    assert "".join(chunks) == STORY
    sent = anthropic_stub.requests[0].json
    assert sent["stream"] is True
    assert sent["system"] == "Be brief."
    [entry] = lm.history
    assert entry["usage"] == {
        "prompt_tokens": 16,
        "completion_tokens": 10,
        "cached_tokens": 4,
        "total_tokens": 26,
    }
    assert entry["finish_reasons"] == ["stop"]


async def test_a_stream_error_event_raises_lm_error(anthropic_stub):
    lm = LM("anthropic/claude-3-5-haiku", base_url=anthropic_stub.base_url, api_key_env=ANTHROPIC_KEY_ENV)
    error = b'{"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}'
    body = b"event: error\ndata: " + error + b"\n\n"
    anthropic_stub.script({"body": body, "headers": {"Content-Type": "text/event-stream"}})

    with pytest.raises(LMError, match="overloaded_error: busy"):
        _ = [chunk async for chunk in lm.astream(MESSAGES)]


def test_the_sse_decoder_handles_names_multiline_data_and_comments():
    decoder = SSEDecoder()
    lines = [": keep-alive", "event: delta", "data: one", "data: two", "", "data: [DONE]", ""]

    events = [event for line in lines if (event := decoder.feed(line)) is not None]

    assert events == [ServerSentEvent("delta", "one\ntwo"), ServerSentEvent(None, "[DONE]")]
    assert decoder.close() is None
