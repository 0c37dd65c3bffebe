"""Ensemble: several programs, one reduced prediction."""

from __future__ import annotations

import asyncio
import functools

import pytest

import dspex


class Fixed(dspex.Module):
    """Always predicts ``label`` (no LM); counts its calls and how many run at once."""

    active = 0
    peak = 0

    def __init__(self, label: str, note: str = ""):
        self.label = label
        self.note = note
        self.calls = 0

    def forward(self, **inputs):
        self.calls += 1
        return dspex.Prediction(note=self.note, label=self.label)

    async def aforward(self, **inputs):
        Fixed.active += 1
        Fixed.peak = max(Fixed.peak, Fixed.active)
        await asyncio.sleep(0.01)
        Fixed.active -= 1
        return self.forward(**inputs)


def test_by_default_it_returns_the_majority_of_the_last_output_field():
    programs = [Fixed("negative", "a"), Fixed("positive", "b"), Fixed("positive", "c")]
    pred = dspex.Ensemble().compile(programs)(sentence="fine")
    assert (pred.label, pred.note) == ("positive", "b")
    assert [p.calls for p in programs] == [1, 1, 1]


def test_another_reduce_function_can_be_given():
    programs = [Fixed("negative", "x"), Fixed("positive", "x"), Fixed("positive", "y")]
    by_note = dspex.Ensemble(reduce_fn=functools.partial(dspex.majority, field="note")).compile(programs)
    assert by_note(sentence="s").label == "negative"
    everything = dspex.Ensemble(reduce_fn=list).compile(programs)(sentence="s")
    assert [p.label for p in everything] == ["negative", "positive", "positive"]


def test_size_runs_a_seeded_random_subset():
    programs = [Fixed(str(i)) for i in range(5)]
    ensemble = dspex.Ensemble(reduce_fn=list, size=2, seed=3).compile(programs)
    picks = [tuple(p.label for p in ensemble(sentence="s")) for _ in range(5)]
    assert all(len(pick) == 2 for pick in picks) and len(set(picks)) > 1
    again = dspex.Ensemble(reduce_fn=list, size=2, seed=3).compile(programs)
    assert [tuple(p.label for p in again(sentence="s")) for _ in range(5)] == picks


def test_deterministic_ensembles_pick_the_programs_from_the_inputs():
    programs = [Fixed(str(i)) for i in range(6)]
    ensemble = dspex.Ensemble(reduce_fn=list, size=3, deterministic=True).compile(programs)

    def picked(sentence):
        return [p.label for p in ensemble(sentence=sentence)]

    assert picked("a gem") == picked("a gem") == picked("a gem")
    assert len({tuple(picked(f"sentence {i}")) for i in range(10)}) > 1


async def test_the_async_call_runs_the_programs_concurrently():
    Fixed.peak = 0
    ensemble = dspex.Ensemble().compile([Fixed("positive"), Fixed("positive"), Fixed("negative")])
    pred = await ensemble.acall(sentence="s")
    assert pred.label == "positive" and Fixed.peak == 3


def test_the_ensemble_exposes_every_programs_predictors():
    programs = [dspex.Predict("question -> answer"), dspex.ChainOfThought("question -> answer")]
    ensemble = dspex.Ensemble().compile(programs)
    assert [name for name, _ in ensemble.named_predictors()] == ["programs[0]", "programs[1].predict"]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one program"):
        dspex.Ensemble().compile([])
    with pytest.raises(ValueError, match="size"):
        dspex.Ensemble(size=0)
