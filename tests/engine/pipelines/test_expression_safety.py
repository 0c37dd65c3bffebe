"""Hostile expressions fail with an ExpressionError: no Python internals, no resource bombs."""

from __future__ import annotations

import pytest

from dspex.pipelines.expressions import MAX_DEPTH, MAX_LENGTH, Expression, ExpressionError

NAMES = {"draft": {"answer": "x", "items": [1, 2]}, "text": "abc"}


def fails(source: str, names: dict | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        Expression(source).evaluate(NAMES if names is None else names, {"q": "v"})
    return caught.value


@pytest.mark.parametrize(
    "source",
    [
        "draft.__class__",
        "draft.__class__.__mro__[1].__subclasses__()",
        "__import__('os')",
        "text.__len__",
        "__builtins__",
        "$.__dict__",
    ],
)
def test_dunder_names_are_rejected_before_anything_is_evaluated(source):
    error = fails(source)
    assert "names starting with '__' are not allowed" in error.reason


def test_dunder_keys_are_plain_lookups_that_find_nothing():
    error = fails("draft['__class__']")
    assert "no field '__class__'" in error.reason


def test_fields_are_never_python_attributes():
    class Secretive:
        token = "s3cret"

    error = fails("obj.token", {"obj": Secretive()})
    assert "cannot read field 'token' of a Secretive" in error.reason
    assert "s3cret" not in str(error)


@pytest.mark.parametrize(
    "source",
    ["eval('1')", "exec('x=1')", "open('/etc/passwd')", "getattr(draft, 'x')", "compile('1', '', 'eval')"],
)
def test_only_whitelisted_functions_exist(source):
    error = fails(source)
    assert "unknown function" in error.reason


@pytest.mark.parametrize("source", ["2 ** 100000000", "10 ** 10 ** 10", "pow(2, 99999999)"])
def test_there_is_no_exponent_operator_to_abuse(source):
    fails(source)


def test_number_literals_that_overflow_are_errors():
    assert "out of range" in fails("1e999999").reason
    assert "too long" in fails("1" * 150).reason


def test_huge_integers_from_multiplication_are_errors():
    big = "9" * 99
    source = " * ".join([big] * 12)
    assert "too large" in fails(source).reason


@pytest.mark.parametrize(
    "source",
    ["'a' * 100000000", "[0] * 100000000", "text * 1000000", "replace(text * 300000, 'a', 'aaaaaaaaaa')"],
)
def test_repetition_bombs_are_stopped_before_allocating(source):
    assert "too long" in fails(source).reason


def test_deeply_nested_parentheses_are_rejected_without_recursing():
    depth = 10_000
    error = fails("(" * 400 + "1" + ")" * 400)
    assert "nested too deeply" in error.reason
    error = fails("[" * depth)  # too long as well: length is checked first
    assert "too long" in error.reason


def test_long_operator_chains_count_as_nesting():
    assert "nested too deeply" in fails(" + ".join(["1"] * (MAX_DEPTH + 2))).reason
    assert "nested too deeply" in fails("not " * (MAX_DEPTH + 1) + "true").reason
    assert "nested too deeply" in fails("- " * (MAX_DEPTH + 1) + "1").reason


def test_long_index_chains_count_as_nesting():
    value: object = 1
    for _ in range(MAX_DEPTH + 5):
        value = [value]
    source = "v" + "[0]" * (MAX_DEPTH + 5)
    assert "nested too deeply" in fails(source, {"v": value}).reason


def test_overlong_expressions_are_rejected():
    error = fails("1 + " * (MAX_LENGTH // 4) + "1")
    assert f"at most {MAX_LENGTH}" in error.reason


def test_non_string_sources_are_rejected():
    with pytest.raises(ExpressionError, match="must be a string"):
        Expression(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("source", ["lambda: 1", "[x for x in draft.items]", "1 if true else 2", "{'a': 1}"])
def test_python_only_syntax_is_not_part_of_the_language(source):
    fails(source)
