"""The answer metrics read ``pred.answer`` / ``pred.context`` (any object), or a dict's keys."""

from __future__ import annotations

from types import SimpleNamespace

import dspex


def test_answer_exact_match_reads_the_answer_attribute_of_any_object():
    example = dspex.Example(question="1+1?", answer=["2", "two"])
    holder = dspex.Predict("question -> answer")
    holder.answer = "Two"

    assert dspex.answer_exact_match(example, holder)
    assert not dspex.answer_exact_match(example, SimpleNamespace(answer="3"))


def test_the_metrics_still_read_dicts_and_predictions():
    example = dspex.Example(answer="Paris")

    assert dspex.answer_exact_match(example, {"answer": "paris"})
    assert dspex.answer_exact_match(example, dspex.Prediction(answer="Paris."))
    assert dspex.answer_passage_match(example, {"context": ["It is Paris."]})
    assert dspex.answer_passage_match(example, SimpleNamespace(context="in Paris"))
    assert not dspex.answer_passage_match(example, dspex.Prediction(context=["Rome"]))
