"""String signatures parse to the same fields, order and annotations as ``dspy.Signature``."""

from __future__ import annotations

import typing
from typing import Any, Literal, Optional, Union

import pytest

import dspex

SPECS = [
    "question -> answer",
    " question ,context->answer ",
    "a: str, b: int -> c: float",
    "flag: bool -> verdict: bool",
    "items: list[str] -> counts: list[int]",
    "table: dict[str, int] -> scores: dict[str, list[float]]",
    "rows: list[dict[str, int]] -> nested: dict[str, list[dict[str, float]]]",
    "pair: tuple[int, str] -> bare: tuple",
    "xs: tuple[int, ...] -> ys: Tuple[str, ...]",
    "raw: list, blob: dict -> anything: Any",
    "x -> choice: Literal['yes', 'no']",
    "x -> level: Literal[1, 2, 3]",
    "x -> mixed: Literal['a b', \"it's\", 0, 2.5, True, None]",
    "x: Optional[int] -> y: Optional[str]",
    "x: int | None -> y: str | None",
    "x: None | int -> y: list[str] | None",
    "x: Union[int, str] -> y: Union[int, str, None]",
    "x: int|str|float -> y",
    "x: Optional[list[str]] -> y: Optional[dict[str, Literal['p', 'q']]]",
    "x: List[str], y: Dict[str, int] -> z: Tuple[int, int]",
    "tags: set[str], frozen: frozenset[int] -> out: bytes",
    "context: list[str], question: str -> answer: str",
    "-> greeting",
    "x: typing.List[int] -> y: typing.Optional[int]",
    "snake_case, camelCase, HTMLText, text2number -> out_1",
]


def layout(signature: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    return (
        [(name, field.annotation) for name, field in signature.input_fields.items()],
        [(name, field.annotation) for name, field in signature.output_fields.items()],
    )


@pytest.mark.dspy
@pytest.mark.parametrize("spec", SPECS)
def test_it_gives_the_same_fields_order_and_types_as_dspy(spec):
    import dspy

    assert layout(dspex.Signature(spec)) == layout(dspy.Signature(spec))


@pytest.mark.dspy
@pytest.mark.parametrize("spec", SPECS)
def test_it_writes_the_same_default_instructions_as_dspy(spec):
    import dspy

    assert dspex.Signature(spec).instructions == dspy.Signature(spec).instructions


@pytest.mark.dspy
@pytest.mark.parametrize("spec", SPECS)
def test_it_infers_the_same_prefixes_and_descriptions_as_dspy(spec):
    import dspy

    assert dspex.Signature(spec).dump_state() == dspy.Signature(spec).dump_state()


def test_untyped_fields_are_str_and_remembered_as_untyped():
    sig = dspex.Signature("question, n: int -> answer")

    assert sig.fields["question"].annotation is str
    assert sig.fields["question"].type_undefined is True
    assert sig.fields["n"].type_undefined is False
    assert sig.fields["answer"].annotation is str


def test_it_writes_the_pep604_none_union_as_optional():
    sig = dspex.Signature("a: int | None, b: None | str -> c: int | str")

    assert sig.fields["a"].annotation == Optional[int]  # noqa: UP045
    assert sig.fields["b"].annotation == Optional[str]  # noqa: UP045
    assert sig.fields["c"].annotation == Union[int, str]  # noqa: UP007


def test_it_keeps_literal_values_with_their_python_types():
    sig = dspex.Signature("x -> y: Literal['a', 1, 2.5, True, None, -3]")

    assert sig.fields["y"].annotation == Literal["a", 1, 2.5, True, None, -3]
    assert typing.get_args(sig.fields["y"].annotation) == ("a", 1, 2.5, True, None, -3)


def test_it_uses_the_given_instructions_instead_of_the_default():
    sig = dspex.Signature("question -> answer", "Answer in French.")

    assert sig.instructions == "Answer in French."
    assert list(sig.fields) == ["question", "answer"]
