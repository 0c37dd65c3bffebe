"""majority() picks the completion with the most common (normalised) value."""

from __future__ import annotations

import pytest

import dspex


def test_it_votes_on_the_last_field_after_normalising():
    pred = dspex.Prediction.from_completions(
        [
            {"reasoning": "a", "answer": "Paris"},
            {"reasoning": "b", "answer": "Lyon"},
            {"reasoning": "c", "answer": "the paris."},
            {"reasoning": "d", "answer": "Lyon"},
            {"reasoning": "e", "answer": "PARIS"},
        ]
    )
    winner = dspex.majority(pred)
    assert winner.to_dict() == {"reasoning": "a", "answer": "Paris"}


def test_ties_go_to_the_value_seen_first_and_a_field_can_be_named():
    completions = [{"a": "x", "b": "1"}, {"a": "y", "b": "2"}, {"a": "y", "b": "1"}, {"a": "x", "b": "2"}]
    assert dspex.majority(completions).b == "1"
    assert dspex.majority(completions, field="a").a == "x"


def test_empty_values_do_not_vote_unless_nothing_else_is_left():
    assert dspex.majority([{"a": ""}, {"a": "the"}, {"a": "b"}]).a == "b"
    assert dspex.majority([{"a": ""}, {"a": "the"}]).a == ""


def test_it_rejects_bad_input():
    with pytest.raises(ValueError, match="no field 'b'"):
        dspex.majority([{"a": "1"}], field="b")
    with pytest.raises(TypeError):
        dspex.majority("abc")
