"""local/<model> rewrites messages for llama.cpp's gemma format and sends stopping params.

These run against the OpenAI stub through DSPEX_LOCAL_LM_BASE_URL; the real model is exercised
in test_local_model.py.
"""

from __future__ import annotations

import pytest

from dspex.lm import LM
from dspex.lm.providers.local import gemma_messages


@pytest.fixture
def local_lm(openai_stub, monkeypatch):
    monkeypatch.setenv("DSPEX_LOCAL_LM_BASE_URL", openai_stub.base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return LM("local/gemma-3-270m", cache=False)


def test_the_request_carries_the_stops_max_tokens_and_temperature(openai_stub, local_lm):
    openai_stub.script("Paris [[ ## completed ## ]] trailing")

    response = local_lm.request([{"role": "user", "content": "Capital of France?"}])

    [received] = openai_stub.requests
    assert received.path == "/v1/chat/completions"
    assert received.json == {
        "model": "gemma-3-270m",
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "temperature": 0.0,
        "max_tokens": 256,
        "stop": ["[[ ## completed ## ]]", "<end_of_turn>"],
    }
    assert response.outputs == ["Paris "]
    assert response.cost == 0.0


def test_system_messages_are_merged_into_the_first_user_turn(openai_stub, local_lm):
    local_lm.request(
        [
            {"role": "system", "content": "Your input fields are: `question`."},
            {"role": "user", "content": "[[ ## question ## ]]\nWhy?"},
            {"role": "assistant", "content": "Because."},
            {"role": "user", "content": "Again?"},
        ]
    )

    assert openai_stub.requests[0].json["messages"] == [
        {"role": "user", "content": "Your input fields are: `question`.\n\n[[ ## question ## ]]\nWhy?"},
        {"role": "assistant", "content": "Because."},
        {"role": "user", "content": "Again?"},
    ]


def test_no_text_is_dropped_by_the_rewrite():
    messages = [
        {"role": "system", "content": "S1"},
        {"role": "system", "content": [{"type": "text", "text": "S2"}]},
        {"role": "assistant", "content": "A0"},
        {"role": "tool", "content": "T1"},
        {"role": "user", "content": [{"type": "text", "text": "U1"}, {"type": "text", "text": "U2"}]},
    ]

    rewritten = gemma_messages(messages)

    assert rewritten == [
        {"role": "user", "content": "S1\n\nS2"},
        {"role": "assistant", "content": "A0"},
        {"role": "user", "content": "T1"},
        {"role": "user", "content": "U1\nU2"},
    ]
    assert all(isinstance(m["content"], str) for m in rewritten)


def test_non_text_parts_are_refused_rather_than_dropped():
    with pytest.raises(ValueError, match="text only"):
        gemma_messages([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])


def test_no_api_key_is_needed(openai_stub, local_lm):
    local_lm.request("hi")

    assert openai_stub.requests[0].headers["authorization"] == "Bearer sk-no-key-required"


async def test_async_requests_use_the_configured_server(openai_stub, local_lm):
    response = await local_lm.arequest("hi")

    assert response.outputs == ["stub response"]
    assert len(openai_stub.requests) == 1


def test_an_unknown_local_model_is_a_clear_error(monkeypatch):
    from dspex.lm import LMError

    monkeypatch.delenv("DSPEX_LOCAL_LM_BASE_URL", raising=False)
    with pytest.raises(LMError, match="unknown local model"):
        LM("local/llama-70b").request("hi")


def test_a_json_schema_response_format_becomes_llama_cpp_json_object(openai_stub, local_lm):
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}

    json_schema = {"name": "out", "schema": schema, "strict": True}

    local_lm.request("hi", response_format={"type": "json_schema", "json_schema": json_schema})
    local_lm.request("hi", response_format={"type": "json_object"})

    assert openai_stub.requests[0].json["response_format"] == {"type": "json_object", "schema": schema}
    assert openai_stub.requests[1].json["response_format"] == {"type": "json_object"}


def test_the_local_model_gets_a_longer_default_timeout_than_remote_apis():
    assert LM("local/gemma-3-270m", base_url="http://127.0.0.1:1/v1").timeout == 600.0
    assert LM("openai/gpt-4o-mini").timeout == 60.0
    assert LM("local/gemma-3-270m", base_url="http://127.0.0.1:1/v1", timeout=5).timeout == 5
