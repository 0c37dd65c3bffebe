"""The Anthropic provider speaks the Messages API."""

from __future__ import annotations

import pytest

from dspex.lm import LM, Usage
from tests.stubs.fixtures import ANTHROPIC_KEY, ANTHROPIC_KEY_ENV

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "system", "content": "Answer in English."},
    {"role": "user", "content": "Capital of France?"},
    {"role": "assistant", "content": "Paris."},
    {"role": "user", "content": "And of Italy?"},
]


@pytest.fixture
def claude(anthropic_stub):
    return LM(
        "anthropic/claude-3-5-haiku-20241022",
        base_url=anthropic_stub.base_url,
        api_key_env=ANTHROPIC_KEY_ENV,
        cache=False,
        retry_backoff=0.01,
    )


def test_system_messages_are_sent_separately_with_the_anthropic_headers(anthropic_stub, claude):
    anthropic_stub.script("Rome.")

    response = claude.request(MESSAGES, temperature=0.2, stop=["END"], top_p=0.9)

    assert response.outputs == ["Rome."]
    [received] = anthropic_stub.requests
    assert received.path == "/v1/messages"
    assert received.headers["x-api-key"] == ANTHROPIC_KEY
    assert received.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in received.headers
    assert received.json == {
        "model": "claude-3-5-haiku-20241022",
        "system": "You are terse.\n\nAnswer in English.",
        "messages": [
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": "And of Italy?"},
        ],
        "max_tokens": 1024,
        "temperature": 0.2,
        "stop_sequences": ["END"],
        "top_p": 0.9,
    }


def test_max_tokens_defaults_to_1024_and_can_be_set(anthropic_stub, claude):
    assert claude.kwargs == {"max_tokens": 1024}
    custom = claude.copy(max_tokens=64)

    custom.request(MESSAGES)

    assert anthropic_stub.requests[0].json["max_tokens"] == 64


def test_openai_only_params_are_not_sent(anthropic_stub, claude):
    claude.request(MESSAGES, seed=3, response_format={"type": "json_object"}, presence_penalty=0.1)

    sent = anthropic_stub.requests[0].json
    assert "seed" not in sent
    assert "response_format" not in sent
    assert "presence_penalty" not in sent


async def test_usage_counts_cache_reads_as_prompt_tokens(anthropic_stub, claude):
    anthropic_stub.script(
        {
            "content": "Rome.",
            "usage": {"input_tokens": 20, "output_tokens": 3, "cache_read_input_tokens": 100},
        }
    )

    response = await claude.arequest(MESSAGES)

    assert response.usage == Usage(prompt_tokens=120, completion_tokens=3, cached_tokens=100)
    assert response.cost == pytest.approx((20 * 0.80 + 100 * 0.08 + 3 * 4.00) / 1e6)
    assert response.response_model == "claude-3-5-haiku-20241022"


def test_stop_reasons_are_reported_like_openai_finish_reasons(anthropic_stub, claude):
    anthropic_stub.script(
        {"content": "cut", "finish_reason": "max_tokens"},
        "stops here END and not this",
    )

    assert claude.request(MESSAGES).finish_reasons == ["length"]
    response = claude.request(MESSAGES, stop=["END"])
    assert response.outputs == ["stops here "]
    assert response.finish_reasons == ["stop"]


def test_n_samples_are_separate_requests(anthropic_stub, claude):
    anthropic_stub.script("one", "two", "three")

    response = claude.request(MESSAGES, n=3, temperature=1.0)

    assert response.outputs == ["one", "two", "three"]
    assert len(anthropic_stub.requests) == 3
    assert all("n" not in r.json for r in anthropic_stub.requests)
    assert response.usage.completion_tokens == 3


async def test_n_samples_are_requested_concurrently_in_async_code(anthropic_stub, claude):
    anthropic_stub.script(*[{"content": f"sample {i}", "delay": 0.2} for i in range(4)])
    import time

    started = time.monotonic()
    response = await claude.arequest(MESSAGES, n=4, temperature=1.0)

    assert sorted(response.outputs) == [f"sample {i}" for i in range(4)]
    assert time.monotonic() - started < 0.6


def test_image_parts_become_anthropic_image_blocks(anthropic_stub, claude):
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
    ]

    claude.request([{"role": "user", "content": content}])

    sent = anthropic_stub.requests[0].json["messages"][0]["content"]
    assert sent[0] == {"type": "text", "text": "What is this?"}
    assert sent[1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    assert sent[2] == {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}


def test_a_base_url_ending_in_v1_is_not_doubled(anthropic_stub):
    lm = LM(
        "anthropic/claude-3-5-haiku",
        base_url=anthropic_stub.base_url + "/v1",
        api_key_env=ANTHROPIC_KEY_ENV,
    )

    lm.request(MESSAGES)

    assert anthropic_stub.requests[0].path == "/v1/messages"
