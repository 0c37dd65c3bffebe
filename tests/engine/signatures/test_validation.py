"""Signature.validate_inputs / validate_outputs: coercion, clear errors, constraints, defaults."""

from __future__ import annotations

from typing import Optional

import pydantic
import pytest

import dspex
from dspex import FieldValidationError


class Order(dspex.Signature):
    """Price an order."""

    quantity: int = dspex.InputField(ge=1, le=5)
    code: str = dspex.InputField(min_length=2, max_length=4, pattern=r"^[a-z]+$")
    note: Optional[str] = dspex.InputField()  # noqa: UP045
    tags: list[str] = dspex.InputField(default=["standard"])
    total: float = dspex.OutputField(gt=0)
    label: str = dspex.OutputField(max_length=3)
    coupon: int | None = dspex.OutputField()
    currency: str = dspex.OutputField(default="EUR")


def test_it_coerces_a_numeric_string_to_int():
    values = Order.validate_inputs({"quantity": "3", "code": "ab"})

    assert values["quantity"] == 3
    assert type(values["quantity"]) is int


def test_a_wrong_type_names_the_field_the_expected_type_and_the_value():
    with pytest.raises(FieldValidationError) as info:
        Order.validate_inputs({"quantity": "three", "code": "ab"})

    error = info.value
    assert (error.field, error.expected, error.received, error.kind) == ("quantity", "int", "three", "Input")
    assert str(error).startswith("Input field `quantity` expects int, got 'three' (")


def test_a_missing_required_input_is_an_error():
    with pytest.raises(
        FieldValidationError, match=r"`code` expects str, got None \(missing required input\)"
    ):
        Order.validate_inputs({"quantity": 1})


def test_an_unknown_input_is_an_error_listing_the_expected_inputs():
    with pytest.raises(FieldValidationError) as info:
        Order.validate_inputs({"quantity": 1, "code": "ab", "colour": "red"})

    assert info.value.field == "colour"
    assert "expected inputs: quantity, code, note, tags" in str(info.value)


def test_unknown_inputs_pass_through_when_allowed():
    values = Order.validate_inputs({"quantity": 1, "code": "ab", "trace_id": 7}, allow_extra=True)

    assert values["trace_id"] == 7


def test_optional_inputs_may_be_omitted_and_defaults_fill_in():
    values = Order.validate_inputs({"quantity": 2, "code": "xy"})

    assert values == {"quantity": 2, "code": "xy", "tags": ["standard"]}


def test_an_optional_input_accepts_none():
    assert Order.validate_inputs({"quantity": 2, "code": "xy", "note": None})["note"] is None


@pytest.mark.parametrize(
    ("inputs", "field", "detail"),
    [
        ({"quantity": 0, "code": "ab"}, "quantity", "greater than or equal to 1"),
        ({"quantity": 6, "code": "ab"}, "quantity", "less than or equal to 5"),
        ({"quantity": 1, "code": "a"}, "code", "at least 2 characters"),
        ({"quantity": 1, "code": "abcde"}, "code", "at most 4 characters"),
        ({"quantity": 1, "code": "AB"}, "code", "match pattern '^[a-z]+$'"),
    ],
)
def test_input_constraints_are_enforced(inputs, field, detail):
    with pytest.raises(FieldValidationError) as info:
        Order.validate_inputs(inputs)

    assert info.value.field == field
    assert detail in str(info.value)


def test_values_on_the_boundaries_pass():
    assert Order.validate_inputs({"quantity": 5, "code": "abcd"})["quantity"] == 5
    assert Order.validate_inputs({"quantity": 1, "code": "ab"})["code"] == "ab"


def test_valid_outputs_are_coerced():
    values = Order.validate_outputs({"total": "9.5", "label": "ok", "coupon": "12"})

    assert values == {"total": 9.5, "label": "ok", "coupon": 12, "currency": "EUR"}


@pytest.mark.parametrize(
    ("outputs", "field", "detail"),
    [
        ({"total": 0, "label": "ok"}, "total", "greater than 0"),
        ({"total": 1, "label": "long"}, "label", "at most 3 characters"),
        ({"total": "x", "label": "ok"}, "total", "valid number"),
    ],
)
def test_output_constraints_are_enforced(outputs, field, detail):
    with pytest.raises(FieldValidationError) as info:
        Order.validate_outputs(outputs)

    assert info.value.field == field
    assert info.value.kind == "Output"
    assert detail in str(info.value)


def test_a_missing_required_output_is_an_error():
    with pytest.raises(
        FieldValidationError, match=r"Output field `total` expects float.*missing required output"
    ):
        Order.validate_outputs({"label": "ok"})


def test_missing_optional_outputs_become_none():
    assert Order.validate_outputs({"total": 1, "label": "ok"})["coupon"] is None


def test_untyped_fields_accept_any_value_as_is():
    sig = dspex.Signature("question, context -> answer")
    context = {"k": [1, 2]}

    values = sig.validate_inputs({"question": 3, "context": context})

    assert values == {"question": 3, "context": {"k": [1, 2]}}
    assert values["context"] is context


def test_a_typed_str_field_accepts_a_list_for_numbered_formatting():
    sig = dspex.Signature("passages: str -> answer")

    assert sig.validate_inputs({"passages": ["a", "b"]}) == {"passages": ["a", "b"]}


def test_a_typed_str_field_rejects_a_number():
    sig = dspex.Signature("question: str -> answer")

    with pytest.raises(FieldValidationError, match="`question` expects str, got 3"):
        sig.validate_inputs({"question": 3})


def test_container_types_are_validated_item_by_item():
    sig = dspex.Signature("scores: dict[str, list[int]] -> best: str")

    assert sig.validate_inputs({"scores": {"a": ["1", 2]}}) == {"scores": {"a": [1, 2]}}
    with pytest.raises(FieldValidationError, match=r"expects dict\[str, list\[int\]\]"):
        sig.validate_inputs({"scores": {"a": ["x"]}})


def test_a_pydantic_input_is_built_from_a_dict():
    class Point(pydantic.BaseModel):
        x: int
        y: int

    sig = dspex.Signature("point: Point -> label")

    assert sig.validate_inputs({"point": {"x": "1", "y": 2}})["point"] == Point(x=1, y=2)
    with pytest.raises(FieldValidationError, match="`point` expects Point"):
        sig.validate_inputs({"point": {"x": 1}})


def test_a_literal_input_rejects_other_values():
    sig = dspex.Signature("mode: Literal['fast', 'slow'] -> out")

    assert sig.validate_inputs({"mode": "fast"}) == {"mode": "fast"}
    with pytest.raises(FieldValidationError, match=r"expects Literal\['fast', 'slow'\], got 'medium'"):
        sig.validate_inputs({"mode": "medium"})


def test_a_very_long_received_value_is_shortened_in_the_message():
    sig = dspex.Signature("n: int -> out")

    with pytest.raises(FieldValidationError) as info:
        sig.validate_inputs({"n": "x" * 1000})

    assert info.value.received == "x" * 1000
    assert len(str(info.value)) < 400
