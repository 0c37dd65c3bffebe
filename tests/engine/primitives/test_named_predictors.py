"""Module.named_predictors: dotted paths through attributes, lists and dicts, as DSPy names them."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.primitives.programs import EXPECTED_NAMES, build


def test_paths_follow_attributes_lists_and_dicts():
    program = build(dspex)

    assert [name for name, _ in program.named_predictors()] == EXPECTED_NAMES


def test_a_predictor_reached_twice_is_listed_once():
    program = build(dspex)

    predictors = program.predictors()

    assert len(predictors) == len(EXPECTED_NAMES)
    assert predictors[0] is program.first is program.alias


def test_the_paths_lead_to_the_predictors():
    program = build(dspex)
    named = dict(program.named_predictors())

    assert named["inner.cot.predict"] is program.inner.cot.predict
    assert named["chain[0]"] is program.chain[0]
    assert named["by_name['y']"] is program.by_name["y"]
    assert all(isinstance(p, dspex.Predict) for p in named.values())


def test_a_predict_on_its_own_is_named_self():
    predict = dspex.Predict("question -> answer")

    assert predict.named_predictors() == [("self", predict)]


def test_a_module_without_predictors_has_none():
    class Empty(dspex.Module):
        def __init__(self):
            self.threshold = 0.5
            self.names = ["a", "b"]

    assert Empty().named_predictors() == []


def test_private_attributes_are_not_searched():
    class Hidden(dspex.Module):
        def __init__(self):
            self._cache = dspex.Predict("a -> b")
            self.visible = dspex.Predict("a -> b")

    assert [name for name, _ in Hidden().named_predictors()] == ["visible"]


@pytest.mark.dspy
def test_the_names_match_those_dspy_gives_the_same_program():
    import dspy

    ours = [name for name, _ in build(dspex).named_predictors()]
    theirs = [name for name, _ in build(dspy).named_predictors()]

    assert ours == theirs == EXPECTED_NAMES
