"""A conditional step runs one branch; with an id, its value is the last step of that branch."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.pipelines.helpers import first_output, reply

ROUTED = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "triage", "module": "predict", "signature": "question -> kind, confidence: float"},
        {
            "kind": "conditional",
            "id": "routed",
            "if": "triage.confidence > 0.5 and 'math' in lower(triage.kind)",
            "then": [{"id": "solve", "module": "chain_of_thought", "signature": "question -> answer"}],
            "else": [{"id": "chat", "module": "predict", "signature": "question -> answer"}],
        },
    ],
    "output_map": {"answer": "routed.answer"},
}


@pytest.mark.parametrize(
    ("kind", "confidence", "branch", "answer", "asked_for"),
    [
        ("Math", "0.9", "then", "4", "reasoning"),
        ("Math", "0.2", "else", "hello", "answer"),
        ("small talk", "0.9", "else", "hello", "answer"),
    ],
)
def test_only_the_chosen_branch_runs(openai_stub, stub_lm, kind, confidence, branch, answer, asked_for):
    openai_stub.script(
        reply(kind=kind, confidence=confidence),
        reply(reasoning="2+2", answer="4") if branch == "then" else reply(answer="hello"),
    )

    pred = dspex.Pipeline(ROUTED)(question="2+2?", lm=stub_lm)

    assert pred.answer == answer
    requests = openai_stub.completion_requests()
    assert len(requests) == 2 and first_output(requests[1]) == asked_for
    decision = next(r for r in pred.steps if r.id == "routed")
    assert decision.outputs == {"condition": branch == "then", "branch": branch}
    ran = {r.id for r in pred.steps if r.kind == "module"}
    assert ran == {"triage", "solve" if branch == "then" else "chat"}


async def test_the_condition_is_evaluated_on_the_async_path_too(openai_stub, stub_lm):
    openai_stub.script(reply(kind="math", confidence="1.0"), reply(reasoning="r", answer="4"))

    pred = await dspex.Pipeline(ROUTED).acall(question="2+2?", lm=stub_lm)

    assert pred.answer == "4"


def test_a_conditional_without_else_may_skip_everything(openai_stub, stub_lm):
    spec = {
        "inputs": ["text"],
        "outputs": ["text_out"],
        "steps": [
            {
                "kind": "conditional",
                "if": "len($.text) > 20",
                "then": [{"id": "shorten", "module": "predict", "signature": "text -> short"}],
            }
        ],
        "output_map": {"text_out": "$.text"},
    }

    pred = dspex.Pipeline(spec)(text="short enough", lm=stub_lm)

    assert pred.text_out == "short enough"
    assert openai_stub.completion_requests() == []


def test_a_failing_condition_names_the_step_and_position(openai_stub, stub_lm):
    spec = {
        "inputs": ["n"],
        "outputs": ["out"],
        "steps": [
            {
                "kind": "conditional",
                "id": "check",
                "if": "10 / $.n > 1",
                "then": [{"id": "a", "module": "predict", "signature": "n -> out"}],
                "else": [{"id": "b", "module": "predict", "signature": "n -> out"}],
            }
        ],
        "output_map": {"out": "check.out"},
    }

    with pytest.raises(dspex.PipelineError) as caught:
        dspex.Pipeline(spec)(n=0, lm=stub_lm)

    error = caught.value
    assert error.path == "steps[0].if" and error.step_id == "check"
    assert "division by zero" in str(error) and "at position 3" in str(error)
