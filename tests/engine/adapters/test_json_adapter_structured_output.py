"""JSONAdapter asks OpenAI-compatible providers for structured output (a strict JSON schema of the
outputs), JSON mode for open-ended mappings, and nothing where it is off or not supported."""

from __future__ import annotations

import pydantic

import dspex


class Point(pydantic.BaseModel):
    x: int
    y: int


class Locate(dspex.Signature):
    """Find the point."""

    text: str = dspex.InputField()
    point: Point = dspex.OutputField()
    confidence: float = dspex.OutputField(ge=0, le=1)


def test_it_sends_a_strict_schema_and_parses_the_json_reply(openai_stub, stub_lm):
    openai_stub.script('{"point": {"x": 1, "y": 2}, "confidence": 0.5}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = dspex.Predict(Locate)(text="at one, two", lm=stub_lm)

    assert pred.point == Point(x=1, y=2)
    assert pred.confidence == 0.5
    response_format = openai_stub.completion_requests()[-1].json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    schema = response_format["json_schema"]["schema"]
    assert schema["required"] == ["point", "confidence"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["point"]["additionalProperties"] is False
    assert schema["properties"]["point"]["required"] == ["x", "y"]


def test_an_open_ended_mapping_output_uses_json_mode(openai_stub, stub_lm):
    openai_stub.script('{"counts": {"a": 1}}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = dspex.Predict("text -> counts: dict[str, int]")(text="a", lm=stub_lm)

    assert pred.counts == {"a": 1}
    assert openai_stub.completion_requests()[-1].json["response_format"] == {"type": "json_object"}


def test_structured_false_sends_no_response_format(openai_stub, stub_lm):
    openai_stub.script('{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter(structured=False)):
        dspex.Predict("question -> answer")(question="q", lm=stub_lm)

    assert "response_format" not in openai_stub.completion_requests()[-1].json


def test_a_response_format_given_in_the_call_config_wins(openai_stub, stub_lm):
    openai_stub.script('{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        dspex.Predict("question -> answer")(
            question="q", lm=stub_lm, config={"response_format": {"type": "json_object"}}
        )

    assert openai_stub.completion_requests()[-1].json["response_format"] == {"type": "json_object"}


def test_anthropic_gets_the_json_prompt_without_a_response_format(anthropic_stub):
    from tests.stubs.fixtures import ANTHROPIC_KEY_ENV

    claude = dspex.LM(
        "anthropic/claude-3-5-haiku", base_url=anthropic_stub.base_url, api_key_env=ANTHROPIC_KEY_ENV
    )
    anthropic_stub.script('{"answer": "a"}')

    with dspex.context(adapter=dspex.JSONAdapter()):
        pred = dspex.Predict("question -> answer")(question="q", lm=claude.copy(cache=False))

    assert pred.answer == "a"
    sent = anthropic_stub.completion_requests()[-1].json
    assert "response_format" not in sent
    assert "Respond with a JSON object" in sent["messages"][-1]["content"]
