"""``Tool`` is a field type: ``list[Tool]`` inputs validate, and a tool's JSON form is its text."""

import pydantic
import pytest

import dspex


def lookup(term: str) -> str:
    """Look a term up."""
    return term


def test_tools_validate_as_themselves_and_nothing_else():
    adapter = pydantic.TypeAdapter(list[dspex.Tool])
    tool = dspex.Tool(lookup)

    assert adapter.validate_python([tool])[0] is tool
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python(["lookup"])


def test_a_tool_reads_as_its_description_in_json_and_in_schemas():
    adapter = pydantic.TypeAdapter(list[dspex.Tool])

    assert adapter.dump_python([dspex.Tool(lookup)], mode="json") == [
        "lookup, whose description is <desc>Look a term up.</desc>. "
        "It takes arguments {'term': {'type': 'string'}}."
    ]
    assert adapter.json_schema() == {"type": "array", "items": {"type": "string"}}


def test_a_tools_input_is_written_as_the_tools_texts():
    signature = dspex.Signature("question, tools: list[Tool] -> answer", custom_types={"Tool": dspex.Tool})

    user = dspex.ChatAdapter().format(signature, [], {"question": "q", "tools": [dspex.Tool(lookup)]})[-1]

    assert (
        '[[ ## tools ## ]]\n["lookup, whose description is <desc>Look a term up.</desc>.' in user["content"]
    )
    assert dspex.Tool(lookup).format_as_litellm_function_call()["function"]["name"] == "lookup"
