"""ReAct runs thought → tool → observation turns, turns tool problems into observations and
returns (and records) its trajectory."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat, user_message


def turn(thought, tool, args):
    return chat(next_thought=thought, next_tool_name=tool, next_tool_args=args)


def test_it_solves_a_multi_step_problem_with_the_calculator(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        turn("First the product.", "calculator", {"expression": "(3 + 4) * 2"}),
        turn("Now add 0.5.", "calculator", {"expression": "14 + 0.5"}),
        turn("I have it.", "finish", {}),
        chat(reasoning="(3+4)*2 = 14, plus 0.5 is 14.5.", answer="14.5"),
    )
    agent = dspex.ReAct("question -> answer: float", tools=[dspex.calculator], max_iters=5)

    with dspex.track_steps() as steps, dspex.track_calls() as calls:
        pred = agent(question="What is (3 + 4) * 2 + 0.5?")

    assert pred.answer == 14.5
    assert pred.reasoning.startswith("(3+4)*2")
    assert pred.trajectory == {
        "thought_0": "First the product.",
        "tool_name_0": "calculator",
        "tool_args_0": {"expression": "(3 + 4) * 2"},
        "observation_0": 14,
        "thought_1": "Now add 0.5.",
        "tool_name_1": "calculator",
        "tool_args_1": {"expression": "14 + 0.5"},
        "observation_1": 14.5,
        "thought_2": "I have it.",
        "tool_name_2": "finish",
        "tool_args_2": {},
        "observation_2": "Completed.",
    }
    requests = openai_stub.completion_requests()
    assert len(requests) == len(calls) == 4
    assert "[[ ## observation_0 ## ]]\n14" in user_message(requests[1])
    assert "[[ ## observation_1 ## ]]\n14.5" in user_message(requests[2])
    assert "[[ ## tool_name_2 ## ]]\nfinish" in user_message(requests[3])  # the extract step sees it all
    kinds = [s.kind for s in steps]
    assert kinds == ["react.step", "react.step", "react.step", "react.trajectory"]
    assert steps[0].data["observation"] == 14 and steps[0].data["error"] is False
    assert steps[-1].data["finished"] is True and steps[-1].to_dict()["data"]["turns"] == 3


def test_a_tool_error_becomes_an_observation_and_the_agent_recovers(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        turn("Divide.", "calculator", {"expression": "1 / 0"}),
        turn("Oops, fix it.", "calculator", {"expression": "1 / 4"}),
        turn("Done.", "finish", {}),
        chat(reasoning="r", answer="0.25"),
    )
    pred = dspex.ReAct("question -> answer: float", tools=[dspex.calculator])(question="1/4?")

    assert pred.trajectory["observation_0"] == (
        "Execution error in calculator: CalculatorError: division by zero at position 2"
    )
    assert "division by zero" in user_message(openai_stub.completion_requests()[1])
    assert pred.trajectory["observation_1"] == 0.25
    assert pred.answer == 0.25


def test_unknown_tools_and_bad_arguments_become_observations(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    unknown = turn("Search the web.", "web_search", {"query": "x"})
    openai_stub.script(
        unknown,
        unknown,  # the ChatAdapter's JSON fallback asks once more
        turn("Use the calculator then.", "calculator", {"expr": "2+2"}),
        turn("Right argument name.", "calculator", {"expression": "2+2"}),
        turn("Done.", "finish", {}),
        chat(reasoning="r", answer="4"),
    )
    pred = dspex.ReAct("question -> answer: int", tools=[dspex.calculator])(question="2+2?")

    trajectory = pred.trajectory
    assert trajectory["tool_name_0"] == "web_search"
    assert (
        trajectory["observation_0"]
        == "Unknown tool 'web_search'. The tool must be one of: calculator, finish."
    )
    assert trajectory["observation_1"].startswith(
        "Execution error in calculator: ToolArgumentError: calculator got unknown argument(s) 'expr'"
    )
    assert trajectory["observation_2"] == 4
    assert pred.answer == 4


def test_max_iters_ends_the_loop_and_the_outputs_are_still_extracted(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        turn("Again.", "calculator", {"expression": "1+1"}),
        turn("Again.", "calculator", {"expression": "2+2"}),
        chat(reasoning="ran out of turns", answer="4"),
    )
    agent = dspex.ReAct("question -> answer: int", tools=[dspex.calculator], max_iters=5)

    with dspex.track_steps() as steps:
        pred = agent(question="q", max_iters=2)

    assert len(openai_stub.completion_requests()) == 3
    assert [k for k in pred.trajectory if k.startswith("tool_name_")] == ["tool_name_0", "tool_name_1"]
    assert pred.answer == 4
    assert steps[-1].data["finished"] is False


async def test_it_runs_asynchronously_with_async_tools(openai_stub, stub_lm):
    async def lookup_population(city: str) -> int:
        """Look up a city's population."""
        return {"Paris": 2_100_000}[city]

    dspex.configure(lm=stub_lm)
    openai_stub.script(
        turn("Look it up.", "lookup_population", {"city": "Paris"}),
        turn("Double it.", "calculator", {"expression": "2100000 * 2"}),
        turn("Done.", "finish", {}),
        chat(reasoning="r", answer="4200000"),
    )
    agent = dspex.ReAct("question -> answer: int", tools=[lookup_population, dspex.calculator])
    pred = await agent.acall(question="Twice the population of Paris?")

    assert pred.trajectory["observation_0"] == 2_100_000
    assert pred.trajectory["observation_1"] == 4_200_000
    assert pred.answer == 4_200_000


def test_its_predictors_have_dspys_paths_and_the_tools_are_in_the_instructions():
    agent = dspex.ReAct("question -> answer", tools=[dspex.calculator])
    assert [name for name, _ in agent.named_predictors()] == ["react", "extract.predict"]
    instructions = agent.react.signature.instructions
    assert "(1) calculator, whose description is <desc>Evaluate an arithmetic expression" in instructions
    assert "(2) finish, whose description is <desc>Marks the task as complete." in instructions
    assert list(agent.react.signature.output_fields) == ["next_thought", "next_tool_name", "next_tool_args"]


def test_tool_names_must_be_unique_and_finish_is_reserved():
    def finish() -> str:
        return "x"

    with pytest.raises(ValueError, match="'finish' is reserved"):
        dspex.ReAct("question -> answer", tools=[finish])
    with pytest.raises(ValueError, match="two tools are named 'calculator'"):
        dspex.ReAct("question -> answer", tools=[dspex.calculator, dspex.calculator])
