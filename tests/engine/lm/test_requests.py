"""Sync and async requests reach the server with the right messages and parameters."""

from __future__ import annotations

from dspex.lm import LM, LMResponse, Usage

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is two plus two?"},
]


def test_it_sends_messages_and_generation_params_to_chat_completions(openai_stub, make_stub_lm):
    lm = make_stub_lm(temperature=0.3, max_tokens=50, stop=["[[ ## completed ## ]]"], top_p=0.9)
    openai_stub.script("four")

    response = lm.request(MESSAGES)

    assert isinstance(response, LMResponse)
    assert response.outputs == ["four"]
    assert response.finish_reasons == ["stop"]
    assert response.model == "openai/stub-model"
    [received] = openai_stub.requests
    assert received.path == "/v1/chat/completions"
    assert received.json == {
        "model": "stub-model",
        "messages": MESSAGES,
        "temperature": 0.3,
        "max_tokens": 50,
        "stop": ["[[ ## completed ## ]]"],
        "top_p": 0.9,
    }
    assert received.headers["authorization"].startswith("Bearer ")
    assert received.headers["content-type"] == "application/json"


async def test_it_sends_the_same_request_asynchronously(openai_stub, make_stub_lm):
    lm = make_stub_lm(temperature=0.0, max_tokens=20)
    openai_stub.script("async four")

    response = await lm.arequest(MESSAGES)

    assert response.outputs == ["async four"]
    assert openai_stub.requests[0].json == {
        "model": "stub-model",
        "messages": MESSAGES,
        "temperature": 0.0,
        "max_tokens": 20,
    }


def test_per_call_overrides_replace_defaults_and_none_removes_them(openai_stub, make_stub_lm):
    lm = make_stub_lm(temperature=0.0, max_tokens=20, seed=7)

    lm.request(MESSAGES, temperature=0.8, max_tokens=None, response_format={"type": "json_object"})

    sent = openai_stub.requests[0].json
    assert sent["temperature"] == 0.8
    assert "max_tokens" not in sent
    assert sent["seed"] == 7
    assert sent["response_format"] == {"type": "json_object"}
    assert lm.kwargs == {"temperature": 0.0, "max_tokens": 20, "seed": 7}


def test_kwargs_hold_only_the_params_that_are_set(stub_lm):
    assert stub_lm.kwargs == {}
    lm = LM("openai/gpt-4o-mini", temperature=0.5, stop=None, n=2)
    assert lm.kwargs == {"temperature": 0.5, "n": 2}
    assert lm.provider == "openai"
    assert lm.model == "openai/gpt-4o-mini"


def test_calling_the_lm_returns_a_list_of_outputs_for_a_prompt_or_messages(openai_stub, stub_lm):
    openai_stub.script("from prompt", "from messages")

    assert stub_lm("Hello?") == ["from prompt"]
    assert stub_lm(messages=[{"role": "user", "content": "Hi"}]) == ["from messages"]
    assert openai_stub.requests[0].json["messages"] == [{"role": "user", "content": "Hello?"}]


async def test_acall_returns_a_list_of_outputs(openai_stub, stub_lm):
    openai_stub.script("async output")

    assert await stub_lm.acall("Hello?") == ["async output"]


def test_n_returns_one_output_per_choice(openai_stub, stub_lm):
    openai_stub.script(["first", "second", "third"])

    response = stub_lm.request(MESSAGES, n=3)

    assert response.outputs == ["first", "second", "third"]
    assert response.finish_reasons == ["stop", "stop", "stop"]
    assert openai_stub.requests[0].json["n"] == 3


def test_usage_comes_from_the_response_usage_block(openai_stub, stub_lm):
    openai_stub.script(
        {
            "content": "ok",
            "usage": {
                "prompt_tokens": 120,
                "completion_tokens": 7,
                "total_tokens": 127,
                "prompt_tokens_details": {"cached_tokens": 100},
            },
        }
    )

    usage = stub_lm.request(MESSAGES).usage

    assert usage == Usage(prompt_tokens=120, completion_tokens=7, cached_tokens=100)
    assert usage.total_tokens == 127


def test_text_model_type_uses_the_completions_endpoint(openai_stub, make_stub_lm):
    lm = make_stub_lm(model_type="text")
    openai_stub.script("continued")

    response = lm.request("Once upon a time")

    assert response.outputs == ["continued"]
    assert openai_stub.requests[0].path == "/v1/completions"
    assert openai_stub.requests[0].json["prompt"] == "Once upon a time"


def test_the_finish_reason_length_is_reported(openai_stub, stub_lm):
    openai_stub.script({"content": "cut of", "finish_reason": "length"})

    assert stub_lm.request(MESSAGES).finish_reasons == ["length"]


def test_rollout_id_changes_the_cache_key_but_is_not_sent(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script("first", "second")

    assert lm.request(MESSAGES, rollout_id=1).outputs == ["first"]
    assert lm.request(MESSAGES, rollout_id=2).outputs == ["second"]
    assert all("rollout_id" not in r.json for r in openai_stub.requests)
