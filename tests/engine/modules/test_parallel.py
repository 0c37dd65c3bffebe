"""Parallel runs (module, example) pairs concurrently, in order, capturing failures."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat


def echo_responder(request):
    question = request.json["messages"][-1]["content"].split("[[ ## question ## ]]\n")[1].split("\n")[0]
    if question == "boom":
        return {"status": 400}
    return chat(answer=question.upper())


EXAMPLES = [dspex.Example(question=q).with_inputs("question") for q in ["a", "b", "boom", "d", "e"]]


def test_results_come_back_in_order_with_failures_as_none(openai_stub, make_stub_lm):
    dspex.configure(lm=make_stub_lm(num_retries=0))
    openai_stub.responder = echo_responder
    qa = dspex.Predict("question -> answer")

    with dspex.track_calls() as calls:
        results = dspex.Parallel(num_threads=4)([(qa, e) for e in EXAMPLES])

    assert [r.answer if r else None for r in results] == ["A", "B", None, "D", "E"]
    assert len(calls) == 4  # every answered call: the threads ran in copies of the caller's context


def test_it_can_return_the_failed_examples_and_their_exceptions(openai_stub, make_stub_lm):
    dspex.configure(lm=make_stub_lm(num_retries=0))
    openai_stub.responder = echo_responder
    qa = dspex.Predict("question -> answer")
    pairs = [(qa, {"question": "x"}), (qa, {"question": "boom"})]

    results, failed, errors = dspex.Parallel(num_threads=2, return_failed_examples=True)(pairs)

    assert results[0].answer == "X" and results[1] is None
    assert failed == [{"question": "boom"}]
    assert isinstance(errors[0], dspex.LMError)


def test_it_stops_once_max_errors_pairs_failed(openai_stub, make_stub_lm):
    dspex.configure(lm=make_stub_lm(num_retries=0))
    openai_stub.responder = echo_responder
    qa = dspex.Predict("question -> answer")
    pairs = [(qa, {"question": "boom"})] * 2 + [(qa, {"question": "fine"})] * 5

    with pytest.raises(
        dspex.ParallelExecutionError, match=r"stopped after 2 failed pair\(s\) \(max_errors=2\)"
    ) as info:
        dspex.Parallel(num_threads=1, max_errors=2)(pairs)
    assert len(info.value.exceptions) == 2
    assert len(openai_stub.completion_requests()) == 2  # nothing started after the limit


def test_module_batch_runs_examples_in_parallel(openai_stub, make_stub_lm):
    dspex.configure(lm=make_stub_lm(num_retries=0))
    cot = dspex.ChainOfThought("question -> answer")
    openai_stub.responder = lambda r: chat(reasoning="r", answer=echo_responder(r).split("\n")[1])

    results = cot.batch([*EXAMPLES[:2], {"question": "z"}], num_threads=3)
    assert [r.answer for r in results] == ["A", "B", "Z"]


async def test_abatch_and_acall_run_as_asyncio_tasks(openai_stub, make_stub_lm):
    dspex.configure(lm=make_stub_lm(num_retries=0))
    openai_stub.responder = echo_responder
    qa = dspex.Predict("question -> answer")

    results, failed, errors = await qa.abatch(EXAMPLES, num_threads=2, return_failed_examples=True)
    assert [r.answer if r else None for r in results] == ["A", "B", None, "D", "E"]
    assert failed == [EXAMPLES[2]] and len(errors) == 1

    pairs = [(qa, {"question": "q"}), (lambda question: question * 2, {"question": "ab"})]
    assert [getattr(r, "answer", r) for r in await dspex.Parallel().acall(pairs)] == ["Q", "abab"]


def test_unsupported_example_types_are_errors():
    results, _, errors = dspex.Parallel(return_failed_examples=True)([(print, "text")])
    assert results == [None]
    assert "invalid example type str" in str(errors[0])
