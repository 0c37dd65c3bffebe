"""Module types that exist only on dspy (ReAct, ...) are built by dspex.hybrid.module() and called
like dspex modules: keyword inputs, dspex settings, a dspex Prediction, recorded as dspy attempts."""

from __future__ import annotations

import json

import pytest

import dspex
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_react_uses_a_python_tool_and_answers(openai_stub, make_stub_lm):
    steps = []

    def respond(request):
        system = request.json["messages"][0]["content"]
        if "next_tool_name" in system:
            steps.append(request.json["messages"][-1]["content"])
            if len(steps) == 1:
                return reply(
                    next_thought="Add them.",
                    next_tool_name="add",
                    next_tool_args=json.dumps({"a": 2, "b": 2}),
                )
            return reply(next_thought="Done.", next_tool_name="finish", next_tool_args="{}")
        return reply(reasoning="The tool said 4.", answer="4")

    openai_stub.responder = respond
    dspex.configure(lm=make_stub_lm())
    agent = dspex.hybrid.module("react", "question -> answer", tools=[add], max_iters=3)

    with dspex.hybrid.record_attempts() as attempts:
        prediction = agent(question="What is 2+2?")

    assert isinstance(agent, dspex.hybrid.DspyModule)
    assert isinstance(prediction, dspex.Prediction)
    assert prediction.answer == "4"
    assert "observation_0" in steps[1] and "4" in steps[1].split("observation_0", 1)[1]
    assert [(a["backend"], a["type_name"]) for a in attempts] == [("dspy", "react")]


def test_a_dspy_only_module_keeps_dspys_state_layout(openai_stub, make_stub_lm):
    agent = dspex.hybrid.module("react", "question -> answer", tools=[add])
    state = json.loads(json.dumps(agent.dump_state()))
    assert set(state) == {"react", "extract.predict"}
    state["react"]["signature"]["instructions"] = "Use the tools."
    assert agent.load_state(state).dspy_module.react.signature.instructions == "Use the tools."


def test_a_dspex_module_can_be_given_to_a_dspy_only_module(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(answer="ok"))
    dspex.configure(lm=make_stub_lm())
    best = dspex.hybrid.module(
        "best_of_n", dspex.Predict("question -> answer"), N=2, reward_fn=lambda args, pred: 1.0, threshold=1.0
    )
    assert best(question="q").answer == "ok"


async def test_a_dspy_only_module_runs_asynchronously(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="ok"))
    dspex.configure(lm=make_stub_lm())
    wrapped = dspex.hybrid.module("chain_of_thought", "question -> answer", backend="dspy")
    prediction = await wrapped.acall(question="q")
    assert prediction.answer == "ok"
    assert dspex.hybrid.attempts_of(prediction)[0]["backend"] == "dspy"
