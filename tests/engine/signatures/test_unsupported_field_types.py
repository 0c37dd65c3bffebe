"""A field whose values cannot be validated fails when the signature is built, naming the field,
not with a pydantic error at the first call."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import dspex
from dspex import FieldValidationError, SignatureError


class Opaque:
    """A class pydantic knows nothing about."""


def test_a_class_signature_with_an_opaque_type_is_a_signature_error():
    with pytest.raises(SignatureError, match=r"input field `thing` of Holder: type Opaque is not supported"):

        class Holder(dspex.Signature):
            thing: Opaque = dspex.InputField()
            answer: str = dspex.OutputField()


def test_a_string_signature_with_an_opaque_type_is_a_signature_error():
    with pytest.raises(SignatureError, match=r"input field `thing` of StringSignature: type Opaque"):
        dspex.Signature("thing: Opaque -> answer", custom_types={"Opaque": Opaque})


def test_a_constraint_value_of_the_wrong_kind_is_a_signature_error():
    with pytest.raises(SignatureError, match=r"field `k` .* with constraints \{'ge': 'one'\}.*'ge' must be"):

        class Bad(dspex.Signature):
            k: int = dspex.InputField(ge="one")
            answer: str = dspex.OutputField()


def test_an_output_type_without_a_json_schema_for_the_prompt_is_a_signature_error():
    with pytest.raises(SignatureError, match=r"output field `action` .*\(Cannot generate a JsonSchema"):
        dspex.Signature("goal -> action: Callable", custom_types={"Callable": Callable})


def test_an_input_type_without_a_json_schema_accepts_anything_in_the_input_schema():
    sig = dspex.Signature("action: Callable -> result", custom_types={"Callable": Callable})

    assert sig.input_schema()["properties"] == {"action": {}}
    assert sig.validate_inputs({"action": print}) == {"action": print}


def test_an_invalid_pattern_is_a_signature_error():
    with pytest.raises(SignatureError, match=r"invalid pattern '\(': missing \)"):
        dspex.InputField(pattern="(")


def test_a_constraint_that_does_not_apply_to_the_value_is_a_field_validation_error():
    class Lengthy(dspex.Signature):
        k: int = dspex.InputField(min_length=3)
        answer: str = dspex.OutputField()

    with pytest.raises(FieldValidationError, match=r"`k` expects int, got 5 \(Unable to apply constraint"):
        Lengthy.validate_inputs({"k": 5})
