"""Failures surface as typed errors that name provider, model, status and the server's message."""

from __future__ import annotations

import pytest

from dspex.lm import (
    LM,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    LMError,
    RateLimitError,
)

MESSAGES = [{"role": "user", "content": "ping"}]


def test_a_401_raises_authentication_error_with_the_server_message(openai_stub, stub_lm):
    error = {"message": "Incorrect API key provided", "code": "invalid_api_key"}
    openai_stub.script({"status": 401, "body": {"error": error}})

    with pytest.raises(AuthenticationError) as caught:
        stub_lm.request(MESSAGES)

    error = caught.value
    assert error.status_code == 401
    assert error.provider == "openai"
    assert error.model == "openai/stub-model"
    assert error.code == "invalid_api_key"
    assert str(error) == "openai/stub-model: openai returned HTTP 401: Incorrect API key provided"


def test_a_403_raises_authentication_error(openai_stub, stub_lm):
    openai_stub.script({"status": 403, "body": {"error": {"message": "forbidden region"}}})

    with pytest.raises(AuthenticationError, match="HTTP 403: forbidden region"):
        stub_lm.request(MESSAGES)


def test_a_400_context_length_exceeded_raises_context_window_error(openai_stub, stub_lm):
    openai_stub.script(
        {
            "status": 400,
            "body": {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens.",
                    "type": "invalid_request_error",
                    "code": "context_length_exceeded",
                }
            },
        }
    )

    with pytest.raises(ContextWindowExceededError) as caught:
        stub_lm.request(MESSAGES)

    assert caught.value.status_code == 400
    assert "maximum context length is 8192 tokens" in str(caught.value)
    assert isinstance(caught.value, LMError)


def test_anthropic_prompt_is_too_long_raises_context_window_error(anthropic_stub):
    from tests.stubs.fixtures import ANTHROPIC_KEY_ENV

    lm = LM("anthropic/claude-3-5-haiku", base_url=anthropic_stub.base_url, api_key_env=ANTHROPIC_KEY_ENV)
    anthropic_stub.script(
        {
            "status": 400,
            "body": {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens"},
            },
        }
    )

    with pytest.raises(ContextWindowExceededError, match="prompt is too long"):
        lm.request(MESSAGES)


def test_other_400s_raise_bad_request_error(openai_stub, stub_lm):
    openai_stub.script({"status": 400, "body": {"error": {"message": "Unknown parameter: 'foo'"}}})

    with pytest.raises(BadRequestError, match="Unknown parameter"):
        stub_lm.request(MESSAGES)


def test_a_plain_text_error_body_is_quoted_in_the_message(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=0)
    openai_stub.script({"status": 502, "body": "Bad Gateway from the proxy"})

    with pytest.raises(LMError, match="HTTP 502: Bad Gateway from the proxy"):
        lm.request(MESSAGES)


def test_a_rate_limit_error_carries_retry_after(openai_stub, make_stub_lm):
    lm = make_stub_lm(num_retries=0)
    openai_stub.script({"status": 429, "headers": {"Retry-After": "7"}})

    with pytest.raises(RateLimitError) as caught:
        lm.request(MESSAGES)
    assert caught.value.retry_after == 7.0


def test_a_malformed_json_body_raises_lm_error_once_the_retries_are_spent(openai_stub, make_stub_lm):
    openai_stub.script({"malformed": True}, {"malformed": True}, "unused")

    with pytest.raises(LMError, match="malformed JSON") as caught:
        make_stub_lm(num_retries=1).request(MESSAGES)

    assert caught.value.provider == "openai"
    assert len(openai_stub.requests) == 2


def test_a_json_body_of_the_wrong_shape_raises_lm_error_naming_the_model(openai_stub, stub_lm):
    openai_stub.script({"body": {"object": "chat.completion", "result": "no choices here"}})

    with pytest.raises(LMError, match=r"^openai/stub-model: unexpected response shape") as caught:
        stub_lm.request(MESSAGES)
    assert caught.value.provider == "openai"


def test_a_null_message_content_becomes_an_empty_output(openai_stub, stub_lm):
    openai_stub.script(
        {"body": {"choices": [{"index": 0, "message": {"role": "assistant", "content": None}}]}}
    )

    assert stub_lm.request(MESSAGES).outputs == [""]


async def test_async_errors_are_typed_too(openai_stub, stub_lm):
    openai_stub.script({"status": 401})

    with pytest.raises(AuthenticationError, match="openai/stub-model"):
        await stub_lm.arequest(MESSAGES)


def test_a_missing_key_for_a_remote_provider_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    lm = LM("openai/gpt-4o-mini")

    with pytest.raises(AuthenticationError, match="OPENAI_API_KEY") as caught:
        lm.request(MESSAGES)
    assert caught.value.provider == "openai"


def test_a_missing_custom_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("MY_TEAM_KEY", raising=False)
    lm = LM("anthropic/claude-3-5-haiku", api_key_env="MY_TEAM_KEY")

    with pytest.raises(AuthenticationError, match="MY_TEAM_KEY"):
        lm.request(MESSAGES)


def test_a_local_base_url_without_a_key_sends_a_placeholder(openai_stub, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    lm = LM("openai/stub-model", base_url=openai_stub.base_url, cache=False)

    assert lm.request(MESSAGES).outputs == ["stub response"]
    assert openai_stub.requests[0].headers["authorization"] == "Bearer sk-no-key-required"


def test_the_key_is_read_at_request_time_not_at_construction(openai_stub, monkeypatch):
    monkeypatch.delenv("LATE_KEY", raising=False)
    lm = LM("openai/stub-model", base_url=openai_stub.base_url, api_key_env="LATE_KEY", cache=False)
    monkeypatch.setenv("LATE_KEY", "sk-late-0123456789")

    lm.request(MESSAGES)

    assert openai_stub.requests[0].headers["authorization"] == "Bearer sk-late-0123456789"


def test_an_unknown_provider_is_rejected_with_the_supported_list():
    with pytest.raises(ValueError, match="anthropic, local, openai"):
        LM("cohere/command-r")
    with pytest.raises(ValueError, match="<provider>/<name>"):
        LM("gpt-4o-mini")


def test_an_api_key_argument_is_refused(openai_stub, stub_lm):
    with pytest.raises(TypeError, match="api_key_env"):
        LM("openai/gpt-4o-mini", api_key="sk-do-not-do-this")
    with pytest.raises(TypeError, match="api_key_env"):
        stub_lm.request(MESSAGES, api_key="sk-do-not-do-this")
    assert openai_stub.requests == []
