"""Code, Reasoning and ToolCalls: how the values are read and how the adapters describe them."""

import pytest

import dspex
from dspex.types import Code, Reasoning, ToolCallResults, ToolCalls
from dspex.types.tool_calls import normalize_tool_call


def test_code_is_read_out_of_a_markdown_block():
    assert Code.model_validate("```python\nprint(1)\n```").code == "print(1)"
    assert Code.model_validate("x = 1").code == "x = 1"
    assert Code["java"].language == "java"
    assert "```java" in Code["java"].description()


def test_a_code_output_gets_its_description_instead_of_a_schema():
    signature = dspex.Signature("task -> code: Code", custom_types={"Code": Code})

    system = dspex.ChatAdapter().format(signature, [], {"task": "t"})[0]["content"]

    assert "Type description of Code: Code represented in a string" in system
    assert "JSON schema" not in system


def test_reasoning_behaves_as_its_text():
    reasoning = Reasoning(content="Because so.")

    assert reasoning == "Because so."
    assert len(reasoning) == 11 and "so" in reasoning and reasoning.upper() == "BECAUSE SO."
    assert reasoning + "!" == "Because so.!"
    assert str(reasoning) == "Because so."


def test_a_reasoning_output_reads_as_a_str_field():
    signature = dspex.Signature("q -> reasoning: Reasoning, a", custom_types={"Reasoning": Reasoning})

    system = dspex.ChatAdapter().format(signature, [], {"q": "?"})[0]

    assert "1. `reasoning` (str):" in system["content"]
    assert "{reasoning}\n" in system["content"]
    parsed = dspex.ChatAdapter().parse(signature, "[[ ## reasoning ## ]]\nr\n\n[[ ## a ## ]]\nx")
    assert parsed["reasoning"] == "r" and isinstance(parsed["reasoning"], Reasoning)


@pytest.mark.parametrize(
    "call",
    [
        {"name": "search", "args": {"q": "x"}},
        {"id": "c1", "type": "function", "function": {"name": "search", "arguments": '{"q": "x"}'}},
        {"call_id": "c1", "name": "search", "arguments": '{"q": "x",}'},
    ],
)
def test_tool_calls_are_read_in_every_provider_shape(call):
    normalized = normalize_tool_call(call)

    assert (normalized["name"], normalized["args"]) == ("search", {"q": "x"})


def test_a_tool_call_runs_the_named_function():
    calls = ToolCalls.model_validate({"tool_calls": [{"name": "add", "args": {"a": 1, "b": 2}}]})

    assert calls.tool_calls[0].execute({"add": lambda a, b: a + b}) == 3
    assert calls.tool_calls[0].execute([dspex.Tool(lambda a, b: a * b, name="add")]) == 2
    with pytest.raises(ValueError, match="not found"):
        calls.tool_calls[0].execute({})


def test_tool_results_pair_with_their_calls():
    calls = ToolCalls.from_dict_list(
        [{"id": "1", "name": "a", "args": {}}, {"id": "2", "name": "b", "args": {}}]
    )

    results = ToolCallResults.from_tool_calls_and_values(calls, ["x", "y"], is_errors=[False, True])

    assert [(r.call_id, r.value, r.is_error) for r in results.tool_call_results] == [
        ("1", "x", False),
        ("2", "y", True),
    ]
    with pytest.raises(ValueError, match="same length"):
        ToolCallResults.from_tool_calls_and_values(calls, ["x"])


def test_the_tool_calls_schema_shows_neither_ids_nor_results():
    schema = ToolCalls.model_json_schema()

    assert "tool_call_results" not in schema["properties"]
    assert "id" not in schema["$defs"]["ToolCall"]["properties"]
