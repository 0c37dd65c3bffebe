"""Internal slots of an Example or a Prediction are attributes, not fields of the record."""

from __future__ import annotations

import dspex


def test_setting_a_prediction_slot_does_not_add_a_field():
    pred = dspex.Prediction(answer="a")

    pred._input_keys = frozenset({"answer"})
    pred._completions = None

    assert pred.to_dict() == {"answer": "a"}
    assert pred.input_keys == frozenset({"answer"})


def test_other_underscore_names_are_fields_as_before():
    example = dspex.Example(answer="a")

    example._note = "kept"

    assert example["_note"] == "kept"
