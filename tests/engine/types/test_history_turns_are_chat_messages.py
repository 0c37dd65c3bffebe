"""A ``History`` input becomes user/assistant turns between the demos and the request."""

import dspex
from dspex.types import History, ToolCallResults, ToolCalls


class Chat(dspex.Signature):
    question: str = dspex.InputField()
    history: History = dspex.InputField()
    answer: str = dspex.OutputField()


def test_each_turn_is_a_user_and_an_assistant_message():
    history = History(messages=[{"question": "1+1?", "answer": "2"}])

    messages = dspex.ChatAdapter().format(Chat, [], {"question": "2+2?", "history": history})

    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"].startswith("[[ ## question ## ]]\n1+1?\n\nRespond with")
    assert messages[2]["content"] == "[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n"
    assert "history" not in messages[3]["content"]


def test_the_history_field_is_still_described_in_the_system_message():
    messages = dspex.ChatAdapter().format(Chat, [], {"question": "q", "history": History(messages=[])})

    assert "2. `history` (History):" in messages[0]["content"]
    assert len(messages) == 2


class Agent(dspex.Signature):
    question: str = dspex.InputField()
    tools: list[dspex.Tool] = dspex.InputField()
    history: History = dspex.InputField()
    calls: ToolCalls = dspex.OutputField()


def search(query: str) -> str:
    """Search."""
    return query


def turn_with_results() -> dict:
    calls = ToolCalls.from_dict_list([{"id": "c1", "name": "search", "args": {"query": "cats"}}])
    results = ToolCallResults.from_tool_calls_and_values(calls, ["found cats"])
    return {"question": "Cats?", "calls": calls.model_copy(update={"tool_call_results": results})}


def test_native_function_calling_replays_tool_calls_and_their_results():
    history = History(messages=[turn_with_results()])
    adapter = dspex.ChatAdapter(use_native_function_calling=True)

    messages = adapter.format(
        Agent, [], {"question": "Dogs?", "tools": [dspex.Tool(search)], "history": history}
    )

    assistant, tool = messages[2], messages[3]
    assert assistant == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "search", "arguments": '{"query": "cats"}'}}
        ],
    }
    assert tool == {"role": "tool", "tool_call_id": "c1", "name": "search", "content": "found cats"}


def test_without_native_calling_the_results_follow_as_a_user_message():
    history = History(messages=[turn_with_results()])

    messages = dspex.ChatAdapter().format(
        Agent, [], {"question": "Dogs?", "tools": [dspex.Tool(search)], "history": history}
    )

    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "user"]
    assert "tool_call_results" not in messages[2]["content"]
    assert messages[3]["content"].startswith("[[ ## tool_call_results ## ]]\n")
    assert '"value": "found cats"' in messages[3]["content"]
