"""A parallel block runs its steps concurrently; their outputs are visible after the block."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.pipelines.helpers import first_output, reply, sent_inputs

TWO_VIEWS = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {
            "kind": "parallel",
            "id": "views",
            "steps": [
                {"id": "optimist", "module": "predict", "signature": "question -> hope"},
                {"id": "pessimist", "module": "predict", "signature": "question -> fear"},
            ],
        },
        {
            "id": "judge",
            "module": "predict",
            "signature": "hope, fear -> answer",
            "inputs": {"hope": "views.optimist.hope", "fear": "pessimist.fear"},
        },
    ],
}


def _by_field(request):
    return {
        "hope": reply(hope="it works"),
        "fear": reply(fear="it breaks"),
        "answer": reply(answer="test it"),
    }[first_output(request)]


def test_parallel_outputs_feed_later_steps(openai_stub, stub_lm):
    openai_stub.responder = _by_field

    pred = dspex.Pipeline(TWO_VIEWS)(question="Ship it?", lm=stub_lm)

    assert pred.answer == "test it"
    judge = [r for r in openai_stub.completion_requests() if first_output(r) == "answer"]
    assert sent_inputs(judge[0]) == {"hope": "it works", "fear": "it breaks"}


async def test_parallel_outputs_feed_later_steps_async(openai_stub, stub_lm):
    openai_stub.responder = _by_field

    pred = await dspex.Pipeline(TWO_VIEWS).acall(question="Ship it?", lm=stub_lm)

    assert pred.answer == "test it"
    assert len(openai_stub.completion_requests()) == 3


def _rendezvous_spec(parties: int) -> dict:
    return {
        "inputs": ["x"],
        "outputs": ["out"],
        "steps": [
            {
                "kind": "parallel",
                "steps": [
                    {
                        "id": f"r{i}",
                        "module": "rendezvous",
                        "signature": "x -> y",
                        "config": {"parties": parties},
                    }
                    for i in range(parties)
                ],
            }
        ],
        "output_map": {"out": " + ".join(f"r{i}.y" for i in range(parties))},
    }


def test_members_are_in_flight_at_the_same_time(rendezvous_module):
    pred = dspex.Pipeline(_rendezvous_spec(3))(x="v")

    assert pred.out == "vvv"


async def test_members_are_in_flight_at_the_same_time_async(rendezvous_module):
    pred = await dspex.Pipeline(_rendezvous_spec(3)).acall(x="v")

    assert pred.out == "vvv"


def test_a_failing_member_fails_the_run_with_its_own_error(openai_stub, stub_lm):
    def respond(request):
        return {"status": 401} if first_output(request) == "fear" else reply(hope="h")

    openai_stub.responder = respond

    with pytest.raises(dspex.AuthenticationError) as caught:
        dspex.Pipeline(TWO_VIEWS)(question="Q", lm=stub_lm)

    assert "in pipeline step 'pessimist' (steps[0].steps[1])" in caught.value.__notes__
    assert [r.id for r in caught.value.pipeline_steps if r.status == "error"] == ["pessimist"]
