"""Evaluate: concurrent scoring over real HTTP, errors captured per example, progress, limits."""

from __future__ import annotations

import asyncio

import pytest

import dspex
from dspex.evaluate import TooManyErrors

CAPITALS = {"France": "Paris", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo"}


def _devset() -> list[dspex.Example]:
    return [
        dspex.Example(question=country, answer=city).with_inputs("question")
        for country, city in CAPITALS.items()
    ]


@pytest.fixture
def capitals_stub(openai_stub):
    """Answers correctly except for Japan."""

    def respond(request):
        question = request.json["messages"][-1]["content"].split("\n")[1]
        answer = "Kyoto" if question == "Japan" else CAPITALS[question]
        return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"

    openai_stub.responder = respond
    return openai_stub


def test_it_scores_the_program_and_keeps_every_example_result(capitals_stub, stub_lm):
    program = dspex.Predict("question -> answer")
    with dspex.context(lm=stub_lm):
        result = dspex.Evaluate(devset=_devset(), metric=dspex.answer_exact_match, num_threads=4)(program)
    assert result.score == 75.0
    assert [r.example.question for r in result.results] == list(CAPITALS)
    assert [r.score for r in result.results] == [1.0, 1.0, 1.0, 0.0]
    assert result.results[3].prediction.answer == "Kyoto"
    assert all(r.error is None and r.latency_ms > 0 for r in result.results)


def test_an_error_is_recorded_on_its_example_and_scores_zero(capitals_stub, stub_lm):
    def metric(example, pred, trace=None):
        if example.question == "Italy":
            raise KeyError("no metric for Italy")
        return dspex.answer_exact_match(example, pred)

    with dspex.context(lm=stub_lm):
        result = dspex.Evaluate(devset=_devset(), metric=metric)(dspex.Predict("question -> answer"))
    assert result.errors == 1
    italy = result.results[1]
    assert italy.score == 0.0 and italy.error == "KeyError: 'no metric for Italy'"
    assert result.score == 50.0


def test_it_stops_after_max_errors_and_keeps_what_finished(capitals_stub, stub_lm):
    def broken(example, pred, trace=None):
        raise ValueError("metric bug")

    evaluate = dspex.Evaluate(devset=_devset() * 5, metric=broken, num_threads=1, max_errors=2)
    with dspex.context(lm=stub_lm), pytest.raises(TooManyErrors, match="max_errors=2") as caught:
        evaluate(dspex.Predict("question -> answer"))
    assert caught.value.result.errors == 3
    assert len(caught.value.result.results) == 3


class _CountingProgram(dspex.Module):
    """Tracks how many calls are in flight at once."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0

    async def aforward(self, **kwargs):
        self.active += 1
        self.peak = max(self.peak, self.active)
        await asyncio.sleep(0.02)
        self.active -= 1
        return dspex.Prediction(answer=CAPITALS[kwargs["question"]])


def test_num_threads_bounds_the_examples_in_flight():
    program = _CountingProgram()
    result = dspex.Evaluate(devset=_devset() * 4, metric=dspex.answer_exact_match, num_threads=3)(program)
    assert result.score == 100.0
    assert program.peak == 3


def test_the_progress_callback_sees_every_example():
    seen = []
    evaluate = dspex.Evaluate(
        devset=_devset(),
        metric=dspex.answer_exact_match,
        progress=lambda done, total, mean: seen.append((done, total)),
    )
    evaluate(_CountingProgram())
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_display_progress_draws_a_bar_on_stderr(capsys):
    dspex.Evaluate(devset=_devset(), metric=dspex.answer_exact_match, display_progress=True)(
        _CountingProgram()
    )
    assert "4/4  average 100.0%" in capsys.readouterr().err


async def test_the_synchronous_call_also_works_inside_a_running_event_loop():
    result = dspex.Evaluate(devset=_devset(), metric=dspex.answer_exact_match)(_CountingProgram())
    assert result.score == 100.0


async def test_acall_runs_on_the_callers_loop():
    result = await dspex.Evaluate(devset=_devset(), metric=dspex.answer_exact_match).acall(_CountingProgram())
    assert float(result) == 100.0
