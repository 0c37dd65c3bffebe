"""Shared cases for the adapter parity tests: the same signature built with dspy and with dspex."""

from __future__ import annotations

import enum
from typing import Any

import pydantic
import pytest


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


class Point(pydantic.BaseModel):
    x: int
    y: float = 0.0
    tags: list[str] = []


class Person(pydantic.BaseModel):
    """A person."""

    name: str = pydantic.Field(description="full name")
    age: int | None = None
    home: Point | None = None


CUSTOM_TYPES: dict[str, Any] = {"Color": Color, "Level": Level, "Point": Point, "Person": Person}

QA_DEMOS = [
    {"question": "q1", "answer": "a1"},
    {"question": "q2"},  # inputs only: dropped
    {"question": "q3", "answer": None},  # None output: incomplete
    {"answer": "only an answer"},  # outputs only: dropped
    {"question": "q4", "answer": "a4", "extra": "ignored"},  # extra key
]

# (id, signature string, inputs, demos)
FORMAT_CASES: list[Any] = [
    pytest.param("question -> answer", {"question": "What is 2+2?"}, [], id="untyped"),
    pytest.param("a: int, b: float -> c: bool", {"a": 3, "b": 2.5}, [], id="int-float-in-bool-out"),
    pytest.param("x -> y: int, z: float", {"x": "q"}, [], id="int-and-float-outputs"),
    pytest.param("x -> y: Literal['yes', 'no', \"it's\"]", {"x": "q"}, [], id="literal-strings"),
    pytest.param("x -> y: Literal[1, 2, 3]", {"x": "q"}, [], id="literal-numbers"),
    pytest.param("x: list[str] -> y: list[int]", {"x": ["a", "b"]}, [], id="typed-lists"),
    pytest.param("x: dict[str, int] -> y: dict[str, list[float]]", {"x": {"a": 1, "é": 2}}, [], id="dicts"),
    pytest.param(
        "x: list[dict[str, int]] -> y: list[dict[str, int]]", {"x": [{"a": 1}, {"b": 2}]}, [], id="nested"
    ),
    pytest.param("x: Optional[str] -> y: Optional[int]", {"x": None}, [], id="optional-none-input"),
    pytest.param("x: str | None -> y: int | None, z: float", {"x": "v"}, [], id="pep604-optional"),
    pytest.param("x -> y: Color", {"x": "v"}, [], id="enum-output"),
    pytest.param("x -> level: Level", {"x": "v"}, [], id="int-enum-output"),
    pytest.param(
        "p: Person -> q: Person, pts: list[Point]",
        {"p": Person(name="Ann", age=3, home=Point(x=1))},
        [],
        id="pydantic-in-and-out",
    ),
    pytest.param("p: Point -> q: Point", {"p": {"x": 1, "y": 2}}, [], id="pydantic-input-as-dict"),
    pytest.param(
        "context: str, question -> answer",
        {"context": ["one", "two", "three"], "question": "q"},
        [],
        id="str-field-given-a-list",
    ),
    pytest.param("context -> answer", {"context": []}, [], id="empty-list"),
    pytest.param("context -> answer", {"context": ["only"]}, [], id="one-item-list"),
    pytest.param(
        "context -> answer", {"context": ["multi\nline", "has «quote»", "plain"]}, [], id="list-items-special"
    ),
    pytest.param("context -> answer", {"context": ["multi\nline"]}, [], id="one-multiline-item"),
    pytest.param("x -> y", {"x": "Ünïcødé ✓ 日本語 — ½"}, [], id="non-ascii"),
    pytest.param("x -> y", {"x": "  spaces  \n\n trailing\n"}, [], id="whitespace"),
    pytest.param("x -> y", {"x": {"k": [1, 2], "ü": None}}, [], id="dict-input-untyped"),
    pytest.param("x -> y", {"x": 42}, [], id="int-for-untyped"),
    pytest.param("x: tuple[int, str] -> y: tuple[int, str]", {"x": (1, "a")}, [], id="tuples"),
    pytest.param("x: bool -> y: bool", {"x": True}, [], id="bools"),
    pytest.param("x -> y", {}, [], id="no-inputs-given"),
    pytest.param("x, y -> z", {"x": "given", "unused": "zzz"}, [], id="partial-and-extra-inputs"),
    pytest.param("question -> answer", {"question": "Q"}, QA_DEMOS, id="demos-mixed"),
    pytest.param(
        "question, context -> answer, score: float",
        {"question": "Q", "context": "C"},
        [
            {"question": "q1", "context": "c", "answer": "a1", "score": 0.5},
            {"question": "q2", "answer": "a2"},
            {"question": "q3", "context": "c3", "score": 1.0},
        ],
        id="demos-missing-fields",
    ),
    pytest.param(
        "a: int -> b: list[str]",
        {"a": 1},
        [{"a": 2, "b": ["x", "y"]}, {"a": 3, "b": []}],
        id="demos-typed",
    ),
    pytest.param(
        "p: Point -> q: Point",
        {"p": Point(x=1)},
        [{"p": Point(x=2), "q": Point(x=3, tags=["t"])}],
        id="demos-pydantic",
    ),
    pytest.param("x -> y: Color", {"x": "a"}, [{"x": "b", "y": Color.RED}], id="demos-enum"),
    pytest.param(
        "context, question -> answer",
        {"context": ["c1", "c2"], "question": "q"},
        [{"context": ["d1", "d2\nmore"], "question": "dq", "answer": "da"}],
        id="demos-with-list-values",
    ),
]


def dspy_demos(demos: list[dict[str, Any]], kind: str) -> list[Any]:
    import dspy

    if kind == "example":
        return [dspy.Example(**demo) for demo in demos]
    return [dict(demo) for demo in demos]


def dspex_demos(demos: list[dict[str, Any]], kind: str) -> list[Any]:
    import dspex

    if kind == "example":
        return [dspex.Example(**demo) for demo in demos]
    return [dict(demo) for demo in demos]


def signatures(spec: str) -> tuple[Any, Any]:
    """(dspy signature, dspex signature) for ``spec``."""
    import dspy

    import dspex

    return (
        dspy.Signature(spec, custom_types=CUSTOM_TYPES),
        dspex.Signature(spec, custom_types=CUSTOM_TYPES),
    )
