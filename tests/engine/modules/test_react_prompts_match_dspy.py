"""ReAct's prompts and state are DSPy's, byte for byte."""

from __future__ import annotations

import pytest

import dspex

pytestmark = pytest.mark.dspy


def get_weather(city: str, days: int = 1) -> str:
    """Get the weather forecast for a city."""
    return "sunny"


def search(query: str) -> list[str]:
    return [query]


def test_the_react_and_extract_prompts_are_identical_to_dspys():
    import dspy

    ours = dspex.ReAct("context: list[str], question -> answer: int", tools=[get_weather, search])
    theirs = dspy.ReAct("context: list[str], question -> answer: int", tools=[get_weather, search])
    trajectory = {
        "thought_0": "Check the weather.",
        "tool_name_0": "get_weather",
        "tool_args_0": {"city": "Paris"},
        "observation_0": ["sunny", "warm"],
    }
    assert ours.format_trajectory(trajectory) == theirs._format_trajectory(trajectory)
    assert ours.format_trajectory({}) == theirs._format_trajectory({}) == ""
    inputs = {"context": ["a", "b"], "question": "q", "trajectory": ours.format_trajectory(trajectory)}
    for mine, dspys in [
        (ours.react.signature, theirs.react.signature),
        (ours.extract.predict.signature, theirs.extract.predict.signature),
    ]:
        assert dspex.ChatAdapter().format(mine, [], inputs) == dspy.ChatAdapter().format(dspys, [], inputs)


def test_a_dspy_react_state_loads_into_ours():
    import dspy

    theirs = dspy.ReAct("question -> answer", tools=[get_weather])
    theirs.react.signature = theirs.react.signature.with_instructions("Tuned instructions.")
    ours = dspex.ReAct("question -> answer", tools=[get_weather])
    ours.load_state(theirs.dump_state())
    assert ours.react.signature.instructions == "Tuned instructions."
    assert ours.dump_state() == theirs.dump_state()
