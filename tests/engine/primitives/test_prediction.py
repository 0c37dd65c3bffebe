"""Prediction: the outputs of a call, with every completion kept."""

from __future__ import annotations

import pytest

import dspex


def test_the_first_completion_becomes_the_fields():
    pred = dspex.Prediction.from_completions([{"answer": "a", "score": 0.9}, {"answer": "b", "score": 0.1}])

    assert pred.answer == "a"
    assert pred.to_dict() == {"answer": "a", "score": 0.9}


def test_completions_are_readable_per_field_and_per_index():
    pred = dspex.Prediction.from_completions([{"answer": "a"}, {"answer": "b"}, {"answer": "c"}])

    assert len(pred.completions) == 3
    assert pred.completions.answer == ["a", "b", "c"]
    assert pred.completions[2].answer == "c"
    assert isinstance(pred.completions[1], dspex.Prediction)


def test_an_unknown_completion_field_is_an_attribute_error():
    pred = dspex.Prediction.from_completions([{"answer": "a"}])

    with pytest.raises(AttributeError, match="completions have no field 'nope'"):
        pred.completions.nope  # noqa: B018


def test_a_plain_prediction_has_itself_as_the_only_completion():
    pred = dspex.Prediction(answer="x", score=2)

    assert len(pred.completions) == 1
    assert pred.completions.answer == ["x"]


def test_a_prediction_is_an_example():
    pred = dspex.Prediction(answer="x")

    assert isinstance(pred, dspex.Example)
    assert pred["answer"] == "x"
    assert pred == dspex.Prediction(answer="x")


def test_a_prediction_with_a_score_converts_to_float():
    assert float(dspex.Prediction(score=3)) == 3.0
    with pytest.raises(ValueError, match="no `score`"):
        float(dspex.Prediction(answer="x"))


def test_the_repr_mentions_extra_completions():
    pred = dspex.Prediction.from_completions([{"answer": "a"}, {"answer": "b"}])

    assert repr(pred) == "Prediction(\n    answer='a'\n    (1 more completions)\n)"


def test_no_completions_gives_an_empty_prediction():
    pred = dspex.Prediction.from_completions([])

    assert pred.to_dict() == {}
    assert len(pred.completions) == 0
