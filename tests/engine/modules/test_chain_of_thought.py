"""ChainOfThought adds a reasoning output and behaves like Predict otherwise."""

from __future__ import annotations

import dspex


def test_it_asks_for_reasoning_before_the_answer(openai_stub, stub_lm):
    openai_stub.script(
        "[[ ## reasoning ## ]]\n2 and 2 make 4.\n\n[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]"
    )
    cot = dspex.ChainOfThought("question -> answer: int")
    pred = cot(question="2+2?", lm=stub_lm)
    assert pred.reasoning == "2 and 2 make 4."
    assert pred.answer == 4
    system = openai_stub.completion_requests()[-1].json["messages"][0]["content"]
    assert "1. `reasoning` (str)" in system
    assert system.index("[[ ## reasoning ## ]]") < system.index("[[ ## answer ## ]]")


async def test_it_runs_asynchronously(openai_stub, stub_lm):
    openai_stub.script("[[ ## reasoning ## ]]\nr\n\n[[ ## answer ## ]]\na\n\n[[ ## completed ## ]]")
    pred = await dspex.ChainOfThought("question -> answer").acall(question="q", lm=stub_lm)
    assert (pred.reasoning, pred.answer) == ("r", "a")


def test_its_state_uses_dspys_predictor_path():
    cot = dspex.ChainOfThought("question -> answer")
    state = cot.dump_state()
    assert list(state) == ["predict"]
    assert [f["prefix"] for f in state["predict"]["signature"]["fields"]] == [
        "Question:",
        "Reasoning:",
        "Answer:",
    ]
