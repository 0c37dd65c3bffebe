"""Evaluate's DSPy defaults: num_threads from the settings, a short repr of the result."""

from __future__ import annotations

import dspex
from dspex.evaluate import Evaluate
from dspex.evaluate.evaluate import EvaluationResult
from dspex.utils import DummyLM


def test_num_threads_defaults_to_none_and_then_to_the_setting():
    devset = [dspex.Example(question="q", answer="a").with_inputs("question")]
    evaluate = Evaluate(devset=devset, metric=lambda e, p, t=None: 1.0)
    assert evaluate.num_threads is None
    with dspex.context(lm=DummyLM({"q": {"answer": "a"}}), num_threads=1):
        assert evaluate(dspex.Predict("question -> answer")).score == 100.0


def test_the_result_repr_counts_the_results_instead_of_printing_them():
    result = EvaluationResult(score=50.0, results=[object(), object()])
    assert repr(result) == "EvaluationResult(score=50.0, results=<list of 2 results>)"
