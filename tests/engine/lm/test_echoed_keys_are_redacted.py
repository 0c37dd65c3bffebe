"""A server that echoes the API key anywhere in a failed response never gets it into an error."""

from __future__ import annotations

import pytest

from dspex.lm import LM, LMError
from tests.stubs.fixtures import ANTHROPIC_KEY, ANTHROPIC_KEY_ENV, STUB_KEY

MESSAGES = [{"role": "user", "content": "ping"}]


def test_a_malformed_success_body_echoing_the_key_is_redacted(openai_stub, make_stub_lm):
    openai_stub.script({"body": f"not json, your key is {STUB_KEY}"})

    with pytest.raises(LMError, match="malformed JSON") as caught:
        make_stub_lm(num_retries=0).request(MESSAGES)

    assert STUB_KEY not in str(caught.value)
    assert STUB_KEY not in caught.value.message
    assert "***" in str(caught.value)


def test_a_success_body_of_the_wrong_shape_echoing_the_key_is_redacted(openai_stub, make_stub_lm):
    openai_stub.script({"body": {"unexpected": STUB_KEY}})

    with pytest.raises(LMError, match="unexpected response shape") as caught:
        make_stub_lm(num_retries=0).request(MESSAGES)

    assert STUB_KEY not in str(caught.value)


async def test_a_stream_error_event_echoing_the_key_is_redacted(anthropic_stub):
    lm = LM("anthropic/claude-3-5-haiku", base_url=anthropic_stub.base_url, api_key_env=ANTHROPIC_KEY_ENV)
    error = (
        b'{"type": "error", "error": {"type": "auth", "message": "bad key ' + ANTHROPIC_KEY.encode() + b'"}}'
    )
    body = b"event: error\ndata: " + error + b"\n\n"
    anthropic_stub.script({"body": body, "headers": {"Content-Type": "text/event-stream"}})

    with pytest.raises(LMError, match="bad key") as caught:
        _ = [chunk async for chunk in lm.astream(MESSAGES)]

    assert ANTHROPIC_KEY not in str(caught.value)
