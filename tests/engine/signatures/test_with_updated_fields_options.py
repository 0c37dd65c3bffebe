"""``with_updated_fields`` accepts the options a field declaration accepts, and names any other."""

from __future__ import annotations

import pytest

import dspex
from dspex import SignatureError


def test_it_names_an_unknown_option():
    sig = dspex.Signature("question -> answer: int")

    with pytest.raises(SignatureError, match=r"unknown option\(s\) colour, size; expected desc"):
        sig.with_updated_fields("answer", colour="red", size=3)


def test_description_is_an_alias_of_desc_and_default_is_kept():
    sig = dspex.Signature("question -> answer: int")

    updated = sig.with_updated_fields("answer", description="the number", default=0)

    assert updated.fields["answer"].desc == "the number"
    assert updated.validate_outputs({}) == {"answer": 0}


def test_a_new_constraint_is_validated_and_rendered_like_a_declared_one():
    sig = dspex.Signature("question -> answer: int")

    updated = sig.with_updated_fields("answer", ge=1, le=5)

    class Declared(dspex.Signature):
        question: str = dspex.InputField()
        answer: int = dspex.OutputField(ge=1, le=5)

    adapter = dspex.ChatAdapter()
    assert adapter.format(updated, [], {"question": "q"}) == adapter.format(Declared, [], {"question": "q"})
    with pytest.raises(dspex.FieldValidationError, match="less than or equal to 5"):
        updated.validate_outputs({"answer": 9})


@pytest.mark.dspy
def test_a_new_description_formats_like_dspy():
    import dspy

    theirs = dspy.Signature("question, context: list[str] -> answer: int").with_updated_fields(
        "answer", desc="a whole number"
    )
    ours = dspex.Signature("question, context: list[str] -> answer: int").with_updated_fields(
        "answer", desc="a whole number"
    )
    inputs = {"question": "q", "context": ["a", "b"]}

    assert dspex.ChatAdapter().format(ours, [], inputs) == dspy.ChatAdapter().format(theirs, [], inputs)
