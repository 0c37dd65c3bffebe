"""majority(): the most common answer among predictions or completions."""

from __future__ import annotations

import pytest

import dspex


def _preds(*answers: str) -> list[dspex.Prediction]:
    return [dspex.Prediction(reasoning=f"r{i}", answer=a) for i, a in enumerate(answers)]


def test_it_picks_the_most_common_value_of_the_last_field():
    winner = dspex.majority(_preds("Rome", "Paris", "Paris"))
    assert winner.answer == "Paris" and winner.reasoning == "r1"  # the first prediction with it


def test_values_are_compared_after_normalisation():
    winner = dspex.majority(_preds("Paris.", "Rome", "the paris"))
    assert winner.answer == "Paris."


def test_a_tie_goes_to_the_value_seen_first():
    assert dspex.majority(_preds("Rome", "Paris", "Paris", "Rome")).answer == "Rome"


def test_answers_that_normalise_to_nothing_are_ignored_unless_nothing_else_is_left():
    assert dspex.majority(_preds("", "...", "Paris")).answer == "Paris"
    assert dspex.majority(_preds("", "")).answer == ""


def test_it_counts_another_field_when_asked():
    preds = [dspex.Prediction(label=x, note=y) for x, y in [("pos", "x"), ("neg", "y"), ("neg", "x")]]
    assert dspex.majority(preds, field="label").note == "y"
    assert dspex.majority(preds, field="note").label == "pos"


def test_it_reads_the_completions_of_one_prediction():
    pred = dspex.Prediction.from_completions([{"answer": "1"}, {"answer": "2"}, {"answer": "2"}])
    assert dspex.majority(pred).answer == "2"


def test_without_normalisation_values_must_match_exactly():
    assert dspex.majority(_preds("Paris", "paris", "Rome", "Rome"), normalize=None).answer == "Rome"


def test_a_prediction_without_the_field_is_an_error_naming_it():
    with pytest.raises(ValueError, match="no field 'label'"):
        dspex.majority([dspex.Prediction(label="a"), dspex.Prediction(other="b")], field="label")
    with pytest.raises(ValueError, match="at least one"):
        dspex.majority([])
