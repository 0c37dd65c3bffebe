"""model_type="responses": OpenAI's Responses API, from chat messages to chat outputs."""

from __future__ import annotations

import pytest

from dspex.lm import LM
from dspex.lm.providers.openai_responses import chat_to_responses_request
from tests.stubs.server import Reply


def test_a_call_posts_to_responses_and_reads_the_message_text(openai_stub, make_stub_lm):
    lm = make_stub_lm(model_type="responses", max_tokens=50, reasoning_effort="low")
    openai_stub.script(
        Reply(content="hello", usage={"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4})
    )

    response = lm.request([{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}])

    sent = openai_stub.requests[-1]
    assert sent.path == "/v1/responses"
    assert sent.json["input"] == [
        {"role": "system", "content": [{"type": "input_text", "text": "be brief"}]},
        {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    ]
    assert sent.json["max_output_tokens"] == 50
    assert sent.json["reasoning"] == {"effort": "low", "summary": "auto"}
    assert "messages" not in sent.json and "reasoning_effort" not in sent.json
    assert response.outputs == ["hello"]
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (3, 1)


def test_parts_are_typed_the_responses_way():
    body = chat_to_responses_request(
        {
            "model": "gpt-5-mini",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "look"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                        {"type": "file", "file": {"file_id": "file-1", "filename": "a.pdf"}},
                    ],
                },
                {"role": "assistant", "content": [{"type": "text", "text": "seen"}]},
            ],
        }
    )

    assert body["input"][0]["content"] == [
        {"type": "input_text", "text": "look"},
        {"type": "input_image", "image_url": "https://example.com/a.png"},
        {"type": "input_file", "file_id": "file-1", "filename": "a.pdf"},
    ]
    assert body["input"][1] == {"role": "assistant", "content": [{"type": "output_text", "text": "seen"}]}


def test_only_openai_models_take_the_responses_model_type():
    with pytest.raises(ValueError, match="responses"):
        LM("anthropic/claude-3-5-haiku", model_type="responses")
