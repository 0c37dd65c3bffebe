"""ChatAdapter retries with JSONAdapter when the chat format does not parse, unless told not to."""

from __future__ import annotations

import pytest

import dspex


async def test_the_fallback_runs_for_async_calls(openai_stub, stub_lm):
    openai_stub.script("no fields here", '{"answer": "from json"}')

    pred = await dspex.Predict("question -> answer").acall(question="q", lm=stub_lm)

    assert pred.answer == "from json"
    assert "response_format" in openai_stub.completion_requests()[-1].json


async def test_a_configured_adapter_without_fallback_raises_for_async_calls(openai_stub, stub_lm):
    openai_stub.script("no fields here")
    dspex.configure(adapter=dspex.ChatAdapter(use_json_adapter_fallback=False))

    with pytest.raises(dspex.AdapterParseError) as caught:
        await dspex.Predict("question -> answer").acall(question="q", lm=stub_lm)

    assert caught.value.lm_response == "no fields here"
    assert len(openai_stub.completion_requests()) == 1


def test_the_fallback_does_not_hide_lm_errors(openai_stub, make_stub_lm):
    openai_stub.script({"status": 400, "body": {"error": {"message": "bad request"}}}, "not reached")

    with pytest.raises(dspex.lm.BadRequestError):
        dspex.Predict("question -> answer")(question="q", lm=make_stub_lm(num_retries=0))

    assert len(openai_stub.completion_requests()) == 1
