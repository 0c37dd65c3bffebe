"""``Literal``, ``Optional`` and ``Union`` without arguments are not types: a SignatureError, as
dspy refuses them too (instead of a pydantic error at the first call)."""

from __future__ import annotations

import pytest

import dspex
from dspex import SignatureError


@pytest.mark.parametrize(
    ("spec", "position", "name"),
    [
        ("a: Literal -> b", 3, "Literal"),
        ("a -> b: Optional", 8, "Optional"),
        ("a: Union -> b", 3, "Union"),
        ("a: list[Optional] -> b", 8, "Optional"),
        ("a: dict[str, Union] -> b", 13, "Union"),
        ("a: typing.Optional -> b", 3, "typing.Optional"),
    ],
)
def test_it_rejects_a_special_form_without_arguments(spec, position, name):
    with pytest.raises(SignatureError) as info:
        dspex.Signature(spec)

    assert info.value.position == position
    assert info.value.reason.startswith(f"{name} needs type arguments, e.g. ")


@pytest.mark.dspy
@pytest.mark.parametrize("spec", ["a: Literal -> b", "a -> b: Optional", "a: list[Union] -> b"])
def test_dspy_refuses_the_same_specs(spec):
    import dspy

    with pytest.raises(Exception, match="Unable to generate pydantic-core schema"):
        dspy.Signature(spec)


def test_the_forms_with_arguments_still_parse():
    sig = dspex.Signature("a: Optional[int], b: Union[int, str] -> c: Literal['x'], d: list[int | None]")

    assert sig.validate_inputs({"a": None, "b": "s"}) == {"a": None, "b": "s"}
