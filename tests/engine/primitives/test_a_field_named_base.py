"""A field may be called ``base``: it is never taken for the record an Example is built from."""

from __future__ import annotations

import dspex


def test_an_example_keeps_a_keyword_named_base_as_a_field():
    example = dspex.Example(base="the base", answer="a")

    assert example.base == "the base"
    assert example.to_dict() == {"base": "the base", "answer": "a"}


def test_an_example_still_copies_a_record_given_positionally():
    example = dspex.Example({"base": "b"}, extra=1)

    assert example.to_dict() == {"base": "b", "extra": 1}


def test_predictions_from_completions_with_a_base_field_keep_every_completion():
    pred = dspex.Prediction.from_completions([{"base": "x", "answer": "1"}, {"base": "y", "answer": "2"}])

    assert pred.base == "x"
    assert pred.completions.base == ["x", "y"]
    assert pred.completions[1].base == "y"


def test_predict_parses_an_output_named_base(openai_stub, stub_lm):
    openai_stub.script("[[ ## base ## ]]\nten\n\n[[ ## completed ## ]]")

    pred = dspex.Predict("number -> base")(number="10", lm=stub_lm)

    assert pred.base == "ten"
