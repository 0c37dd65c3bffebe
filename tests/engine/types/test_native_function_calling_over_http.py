"""With ``use_native_function_calling=True`` the tools go to the provider as ``tools`` and the
``ToolCalls`` output is filled from the response's tool calls (a real HTTP round trip)."""

import json

import dspex
from dspex.types import ToolCalls
from tests.stubs.server import Reply


class Agent(dspex.Signature):
    question: str = dspex.InputField()
    tools: list[dspex.Tool] = dspex.InputField()
    answer: str = dspex.OutputField()
    calls: ToolCalls = dspex.OutputField()


def weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def tool_call_body() -> dict:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_9",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    }
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "stub-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def test_the_tools_are_sent_and_the_tool_calls_come_back(openai_stub, stub_lm):
    openai_stub.script(Reply(body=tool_call_body()))
    predict = dspex.Predict(Agent)

    with dspex.context(lm=stub_lm, adapter=dspex.ChatAdapter(use_native_function_calling=True)):
        result = predict(question="Weather in Paris?", tools=[dspex.Tool(weather)])

    request = openai_stub.requests[-1].json
    assert request["tools"] == [dspex.Tool(weather).format_as_function_call()]
    assert "[[ ## tools ## ]]" not in json.dumps(request["messages"])
    assert result.calls.tool_calls[0].id == "call_9"
    assert (result.calls.tool_calls[0].name, result.calls.tool_calls[0].args) == (
        "weather",
        {"city": "Paris"},
    )
    assert result.answer is None


def test_without_native_calling_the_tools_are_text(openai_stub, stub_lm):
    openai_stub.script(
        '[[ ## answer ## ]]\nok\n\n[[ ## calls ## ]]\n{"tool_calls": []}\n\n[[ ## completed ## ]]'
    )

    with dspex.context(lm=stub_lm, adapter=dspex.ChatAdapter()):
        result = dspex.Predict(Agent)(question="q", tools=[dspex.Tool(weather)])

    request = openai_stub.requests[-1].json
    assert "tools" not in request
    assert "weather, whose description is <desc>The weather in a city.</desc>." in json.dumps(
        request["messages"]
    )
    assert result.calls == ToolCalls(tool_calls=[])


def test_a_cache_hit_keeps_the_tool_calls(openai_stub, make_stub_lm, tmp_path, monkeypatch):
    from dspex.lm import cache

    monkeypatch.setattr(cache, "_cache", cache.LMCache(tmp_path))
    openai_stub.script(Reply(body=tool_call_body()))
    lm = make_stub_lm(cache=True)
    predict = dspex.Predict(Agent)
    adapter = dspex.ChatAdapter(use_native_function_calling=True)
    with dspex.context(lm=lm, adapter=adapter):
        first = predict(question="Weather in Paris?", tools=[dspex.Tool(weather)])
        again = predict(question="Weather in Paris?", tools=[dspex.Tool(weather)])
    assert len(openai_stub.requests) == 1  # the second call was a hit
    assert lm.history[-1]["cache_hit"] is True
    assert again.calls.tool_calls[0].id == first.calls.tool_calls[0].id == "call_9"
    assert again.calls.tool_calls[0].args == {"city": "Paris"}
    cache.get_cache().clear_memory()  # the disk tier keeps them too
    with dspex.context(lm=lm, adapter=adapter):
        from_disk = predict(question="Weather in Paris?", tools=[dspex.Tool(weather)])
    assert len(openai_stub.requests) == 1
    assert from_disk.calls.tool_calls[0].name == "weather"
