"""Pipelines run on the caller's event loop, keep per-task settings apart, and work from sync code
inside a running loop."""

from __future__ import annotations

import asyncio

import dspex
from tests.engine.pipelines.helpers import reply, sent_inputs

SPEC = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [{"id": "final", "module": "predict", "signature": "question -> answer"}],
}


def _echo(request):
    return reply(answer=f"{request.json['model']}:{sent_inputs(request)['question']}")


async def test_concurrent_runs_use_their_own_context_lm(openai_stub, make_stub_lm):
    openai_stub.responder = _echo
    pipeline = dspex.Pipeline(SPEC)
    lms = [make_stub_lm(model=f"openai/model-{i}") for i in range(4)]

    async def run(index: int) -> str:
        with dspex.context(lm=lms[index]):
            return (await pipeline.acall(question=f"q{index}")).answer

    answers = await asyncio.gather(*(run(i) for i in range(4)))

    assert answers == [f"model-{i}:q{i}" for i in range(4)]


async def test_a_sync_call_inside_a_running_loop_still_works(openai_stub, stub_lm):
    openai_stub.responder = _echo

    with dspex.context(lm=stub_lm):
        pred = dspex.Pipeline(SPEC)(question="from a coroutine")

    assert pred.answer == "stub-model:from a coroutine"


async def test_calls_are_tracked_on_the_async_path(openai_stub, stub_lm):
    openai_stub.responder = _echo

    with dspex.track_calls() as calls:
        pred = await dspex.Pipeline(SPEC).acall(question="q", lm=stub_lm)

    assert len(calls) == 1 and pred.steps[0].lm_calls == calls


def test_evaluate_runs_a_pipeline_like_any_program(openai_stub, stub_lm):
    openai_stub.responder = lambda request: reply(answer=sent_inputs(request)["question"].upper())
    devset = [dspex.Example(question=q, answer=q.upper()).with_inputs("question") for q in ("a", "b", "c")]

    with dspex.context(lm=stub_lm):
        result = dspex.Evaluate(devset=devset, metric=dspex.answer_exact_match, num_threads=3)(
            dspex.Pipeline(SPEC)
        )

    assert result.score == 100.0 and result.errors == 0
