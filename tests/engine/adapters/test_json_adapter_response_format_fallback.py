"""When a provider refuses structured output (a 4xx), JSONAdapter falls back to JSON mode, then to
the prompt alone; other errors are not retried this way."""

from __future__ import annotations

import pytest

import dspex
from dspex.lm import AuthenticationError, BadRequestError

REFUSED = {"status": 400, "body": {"error": {"message": "response_format json_schema is not supported"}}}


def formats_sent(openai_stub) -> list[object]:
    return [r.json.get("response_format", {}).get("type") for r in openai_stub.completion_requests()]


def test_a_refused_schema_is_retried_in_json_mode(openai_stub, stub_lm):
    openai_stub.script(REFUSED, '{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = dspex.Predict("question -> answer")(question="q", lm=stub_lm)

    assert pred.answer == "a"
    assert formats_sent(openai_stub) == ["json_schema", "json_object"]


def test_a_refused_json_mode_is_retried_without_a_response_format(openai_stub, stub_lm):
    openai_stub.script(REFUSED, REFUSED, '{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = dspex.Predict("question -> answer")(question="q", lm=stub_lm)

    assert pred.answer == "a"
    assert formats_sent(openai_stub) == ["json_schema", "json_object", None]


def test_the_last_refusal_is_raised(openai_stub, stub_lm):
    openai_stub.script(REFUSED, REFUSED, REFUSED, '{"answer": "not reached"}')

    with dspex.context(adapter=dspex.JSONAdapter()), pytest.raises(BadRequestError, match="not supported"):
        dspex.Predict("question -> answer")(question="q", lm=stub_lm)

    assert len(openai_stub.completion_requests()) == 3


def test_an_authentication_error_is_not_taken_for_a_refused_format(openai_stub, stub_lm):
    openai_stub.script({"status": 401}, '{"answer": "not reached"}')

    with dspex.context(adapter=dspex.JSONAdapter()), pytest.raises(AuthenticationError):
        dspex.Predict("question -> answer")(question="q", lm=stub_lm)

    assert len(openai_stub.completion_requests()) == 1


async def test_the_fallback_works_for_async_calls(openai_stub, stub_lm):
    openai_stub.script(REFUSED, '{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = await dspex.Predict("question -> answer").acall(question="q", lm=stub_lm)

    assert pred.answer == "a"
    assert formats_sent(openai_stub) == ["json_schema", "json_object"]
