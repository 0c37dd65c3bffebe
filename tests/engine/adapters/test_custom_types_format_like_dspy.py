"""Signatures with custom types (Image, File, Audio, History, Code, ToolCalls, Citations, ...)
format into exactly the messages dspy's adapters send: content parts in the user message,
split around the ``[[ ## field ## ]]`` text, and the history as turns."""

from typing import Any, Optional

import pytest

import dspex
import dspex.types

pytestmark = pytest.mark.dspy

PNG_URI = "data:image/png;base64,iVBORw0KGgo="


def define(mod: Any, types: Any, experimental: Any) -> dict[str, Any]:
    """The same signatures and inputs, written against ``dspy`` or ``dspex``."""

    class Describe(mod.Signature):
        """Describe the picture."""

        image: types.Image = mod.InputField(desc="the picture")
        question: str = mod.InputField()
        answer: str = mod.OutputField()

    class Compare(mod.Signature):
        images: list[types.Image] = mod.InputField()
        maybe: Optional[types.Image] = mod.InputField()  # noqa: UP045
        same: bool = mod.OutputField()

    class Summarize(mod.Signature):
        document: types.File = mod.InputField()
        clip: types.Audio = mod.InputField()
        summary: str = mod.OutputField()

    class Chat(mod.Signature):
        question: str = mod.InputField()
        history: types.History = mod.InputField()
        answer: str = mod.OutputField()

    class Program(mod.Signature):
        task: str = mod.InputField()
        code: types.Code["java"] = mod.OutputField()  # noqa: F821 - a subscript, not a forward reference
        calls: types.ToolCalls = mod.OutputField()
        reasoning: types.Reasoning = mod.OutputField()

    class Cite(mod.Signature):
        documents: list[experimental.Document] = mod.InputField()
        question: str = mod.InputField()
        answer: str = mod.OutputField()
        citations: experimental.Citations = mod.OutputField()

    history = types.History(
        messages=[
            {"question": "What is 1+1?", "answer": "2"},
            {"question": "And 2+2?"},
            {"answer": "4"},
        ]
    )
    return {
        "image": (Describe, {"image": types.Image("https://example.com/cat.png"), "question": "What is it?"}),
        "images": (
            Compare,
            {"images": [types.Image(PNG_URI), types.Image("https://example.com/b.png")], "maybe": None},
        ),
        "file": (
            Summarize,
            {
                "document": types.File.from_bytes(b"hello", filename="a.txt", mime_type="text/plain"),
                "clip": types.Audio(data="UklGRg==", audio_format="wav"),
            },
        ),
        "history": (Chat, {"question": "And 3+3?", "history": history}),
        "outputs": (Program, {"task": "add"}),
        "citations": (
            Cite,
            {"documents": [experimental.Document(data="The sky is blue.", title="Sky")], "question": "Why?"},
        ),
    }


@pytest.fixture(scope="module")
def cases():
    import dspy
    import dspy.experimental

    return define(dspy, dspy, dspy.experimental), define(dspex, dspex.types, dspex.types)


@pytest.mark.parametrize("name", ["image", "images", "file", "history", "outputs", "citations"])
@pytest.mark.parametrize("adapter", ["ChatAdapter", "JSONAdapter"])
def test_custom_types_format_like_dspy(cases, name, adapter):
    import dspy

    theirs_sig, theirs_inputs = cases[0][name]
    ours_sig, ours_inputs = cases[1][name]

    theirs = getattr(dspy, adapter)().format(theirs_sig, [], theirs_inputs)
    ours = getattr(dspex, adapter)().format(ours_sig, [], ours_inputs)

    if name == "citations":  # dspy's JSON schema of Citations holds its docstrings (not ours)
        ours, theirs = ours[1:], theirs[1:]
    assert ours == theirs


def test_demos_with_images_format_like_dspy(cases):
    import dspy

    theirs_sig, ours_sig = cases[0]["image"][0], cases[1]["image"][0]
    theirs_demo = {"image": dspy.Image(PNG_URI), "question": "q", "answer": "a"}
    ours_demo = {"image": dspex.types.Image(PNG_URI), "question": "q", "answer": "a"}

    theirs = dspy.ChatAdapter().format(theirs_sig, [dspy.Example(**theirs_demo)], cases[0]["image"][1])
    ours = dspex.ChatAdapter().format(ours_sig, [ours_demo], cases[1]["image"][1])

    assert ours == theirs


def agent_case(mod: Any, types: Any) -> tuple[Any, dict[str, Any]]:
    def search(query: str, k: int = 3) -> str:
        """Search the web."""
        return query

    class Agent(mod.Signature):
        question: str = mod.InputField()
        tools: list[mod.Tool] = mod.InputField()
        history: types.History = mod.InputField()
        next_thought: str = mod.OutputField()
        calls: types.ToolCalls = mod.OutputField()

    calls = types.ToolCalls.from_dict_list([{"id": "c1", "name": "search", "args": {"query": "cats"}}])
    results = types.ToolCallResults.from_tool_calls_and_values(calls, [{"hits": ["cat"]}])
    turn = {
        "question": "Cats?",
        "next_thought": "Search.",
        "calls": calls.model_copy(update={"tool_call_results": results}),
    }
    inputs = {"question": "Dogs?", "tools": [mod.Tool(search)], "history": types.History(messages=[turn])}
    return Agent, inputs


@pytest.mark.parametrize("native", [False, True], ids=["text-tools", "native-tools"])
@pytest.mark.parametrize("adapter", ["ChatAdapter", "JSONAdapter"])
def test_tool_history_formats_like_dspy(adapter, native):
    import dspy

    theirs_sig, theirs_inputs = agent_case(dspy, dspy)
    ours_sig, ours_inputs = agent_case(dspex, dspex.types)

    theirs = getattr(dspy, adapter)(use_native_function_calling=native).format(theirs_sig, [], theirs_inputs)
    ours = getattr(dspex, adapter)(use_native_function_calling=native).format(ours_sig, [], ours_inputs)

    assert ours == theirs
