"""Signature details DSPy code relies on: json_schema_extra, instances, union spellings, errors."""

from __future__ import annotations

from typing import Union

import pytest

import dspex
from dspex.signatures.errors import FieldDeclarationError, SignatureError


def test_json_schema_extra_is_dspys_layout_of_the_field():
    class QA(dspex.Signature):
        question: str = dspex.InputField(prefix="Q:")
        answer: str = dspex.OutputField(desc="short", min_length=2, max_length=9)

    assert QA.input_fields["question"].json_schema_extra == {
        "__dspy_field_type": "input",
        "prefix": "Q:",
        "desc": "${question}",
    }
    assert QA.output_fields["answer"].json_schema_extra == {
        "__dspy_field_type": "output",
        "prefix": "Answer:",
        "desc": "short",
        "constraints": "minimum length: 2, maximum length: 9",
    }


def test_changing_json_schema_extra_does_not_change_the_field():
    signature = dspex.Signature("q -> a")
    signature.output_fields["a"].json_schema_extra["prefix"] = "Changed:"

    assert signature.output_fields["a"].prefix == "A:"


def test_an_annotation_without_a_field_is_a_type_error_and_a_signature_error():
    with pytest.raises(FieldDeclarationError, match="must be declared with InputField") as info:

        class Broken(dspex.Signature):
            question: str
            answer: str = dspex.OutputField()

    assert isinstance(info.value, TypeError) and isinstance(info.value, SignatureError)


def test_a_signature_class_can_be_instantiated_with_its_field_values():
    class QA(dspex.Signature):
        question: str = dspex.InputField()
        answer: str = dspex.OutputField(default="unknown")

    value = QA(question="Why?")

    assert isinstance(value, QA)
    assert (value.question, value.answer) == ("Why?", "unknown")
    assert isinstance(dspex.Signature("a -> b")(a=1, b=2), dspex.Signature)


def test_pep604_and_typing_unions_make_equal_signatures():
    class Pep604(dspex.Signature):
        x: str | None = dspex.InputField()
        y: list[int | str] = dspex.OutputField()

    class Typing(dspex.Signature):
        x: Union[str, None] = dspex.InputField()  # noqa: UP007 - the other spelling on purpose
        y: list[Union[str, int]] = dspex.OutputField()  # noqa: UP007

    assert Pep604.equals(Typing)
    assert Pep604 == Typing


def test_a_string_signature_takes_parenthesised_unions():
    signature = dspex.Signature("x: str | (int | float) | None -> y")

    assert set(signature.input_fields["x"].annotation.__args__) == {str, int, float, type(None)}


def test_an_unclosed_parenthesis_names_where_it_opened():
    with pytest.raises(SignatureError, match=r"expected '\)' to close the '\(' at position 3"):
        dspex.Signature("x: (int | str -> y")


def test_the_same_name_on_both_sides_asks_for_distinct_names():
    with pytest.raises(SignatureError, match="distinct names"):
        dspex.Signature("value -> value")
