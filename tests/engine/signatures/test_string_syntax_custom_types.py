"""Custom types in string signatures: ``custom_types=`` and models found in the caller's frames."""

from __future__ import annotations

import enum

import pydantic
import pytest

import dspex
from dspex import SignatureError


class Address(pydantic.BaseModel):
    street: str
    city: str


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


def test_it_resolves_a_model_passed_in_custom_types():
    class Hidden(pydantic.BaseModel):
        value: int

    types = {"Thing": Hidden}  # a name that exists nowhere else
    sig = dspex.Signature("thing: Thing -> things: list[Thing]", custom_types=types)

    assert sig.fields["thing"].annotation is Hidden
    assert sig.fields["things"].annotation == list[Hidden]


def test_it_finds_a_model_defined_in_the_calling_function():
    class Invoice(pydantic.BaseModel):
        total: float

    sig = dspex.Signature("text -> invoice: Invoice, history: list[Invoice] | None")

    assert sig.fields["invoice"].annotation is Invoice
    assert sig.fields["history"].annotation == list[Invoice] | None


def test_it_finds_module_level_models_and_enums():
    sig = dspex.Signature("address: Address -> mood: Mood")

    assert sig.fields["address"].annotation is Address
    assert sig.fields["mood"].annotation is Mood


def test_ensure_signature_finds_models_of_its_caller():
    class Ticket(pydantic.BaseModel):
        id: int

    sig = dspex.ensure_signature("text -> ticket: Ticket")

    assert sig.fields["ticket"].annotation is Ticket


def test_a_custom_type_shadows_a_model_of_the_caller():
    class Address(pydantic.BaseModel):  # shadows the module-level Address
        zip: str

    class Other(pydantic.BaseModel):
        x: int

    sig = dspex.Signature("a: Address -> b", custom_types={"Address": Other})

    assert sig.fields["a"].annotation is Other


def test_an_unknown_model_name_is_a_signature_error_naming_it():
    with pytest.raises(SignatureError) as info:
        dspex.Signature("x: NoSuchModel -> y")

    assert "NoSuchModel" in info.value.reason
    assert info.value.position == 3


@pytest.mark.dspy
def test_caller_models_resolve_to_the_same_annotations_as_dspy():
    import dspy

    class Receipt(pydantic.BaseModel):
        amount: int

    spec = "receipt: Receipt -> receipts: list[Receipt], address: Address"
    ours = dspex.Signature(spec)
    theirs = dspy.Signature(spec)

    assert [(n, f.annotation) for n, f in ours.fields.items()] == [
        (n, f.annotation) for n, f in theirs.fields.items()
    ]
    assert ours.fields["receipt"].annotation is Receipt
