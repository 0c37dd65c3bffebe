"""Value bombs fail fast, with bounded memory: an expression's value is sized (counting shared
sub-values every time they occur) before it is built, and its work and time are budgeted."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from dspex.pipelines.expressions import Budget, Expression, ExpressionError, Limits

# A million-element value made of one shared row (about 8 kB in memory).
ROW = [0] * 1000
SHARED = [ROW] * 999


def fails_fast(source: str, names: dict | None = None, limits: Limits | None = None) -> ExpressionError:
    """The error of ``source``; it must come within half a second and 20 MB of new memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ExpressionError) as caught:
            Expression(source).evaluate(names or {}, None, Budget(limits))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5, f"{source!r} took {elapsed:.2f} s"
    assert peak < 20_000_000, f"{source!r} allocated {peak / 1e6:.0f} MB"
    return caught.value


@pytest.mark.parametrize(
    ("source", "budget"),
    [
        ("[[1] * 100000] * 100000", "max_elements"),  # each level passes the per-level size checks
        ("[[[1] * 100] * 100] * 1000", "max_elements"),  # nested repeat
        ("[[[[1] * 10] * 10] * 10] * 10 * 10 * 10 * 10", "max_elements"),
        ("[[1] * 999] * 1000 + [[1] * 999] * 1000", "max_elements"),  # concatenating two halves
        ("[shared, shared]", "max_elements"),  # a list literal of big shared values
        ("[shared] * 2", "max_elements"),
        ("join([str([1] * 1000)] * 100000)", "max_chars"),  # joining a repeated text
        ("[['x' * 100000] * 10] * 100", "max_chars"),  # characters as JSON, not elements
    ],
)
def test_values_too_big_as_a_whole_are_refused_before_they_are_built(source, budget):
    error = fails_fast(source, {"shared": SHARED})
    assert error.budget == budget
    assert f"({budget})" in error.reason


@pytest.mark.parametrize(
    "source",
    [
        "str([[0] * 1000] * 999)",  # the text of a big shared value
        "join([[0] * 1000] * 999, ',')",
        "len(str(shared))",
        "split('a ' * 499999)",  # many parts from a short enough text
        "split('ab' * 499999, 'b')",
        "replace('a' * 999999, 'a', 'aa')",
        "'ab' * 300000 + 'ab' * 300000",  # string doubling
    ],
)
def test_text_and_list_functions_are_sized_before_they_run(source):
    error = fails_fast(source, {"shared": SHARED})
    assert "too long" in error.reason


def test_a_value_nested_deeper_than_the_budget_is_refused_without_recursing():
    deep: object = 1
    for _ in range(200_000):
        deep = [deep]
    for source in ("x", "str(x)", "[x]", "x == x"):
        error = fails_fast(source, {"x": deep})
        assert error.budget == "max_depth"


def test_huge_integers_and_non_finite_numbers_are_errors():
    big = "9" * 99
    assert "too large" in fails_fast(" * ".join([big] * 12)).reason
    assert "not a finite number" in fails_fast("1e308 * 10").reason
    assert "not a finite number" in fails_fast("float('inf')").reason
    assert "not a finite number" in fails_fast("float('nan') + 1").reason
    assert "not a finite number" in fails_fast(f"{big} * {big} * {big} / 1e-300").reason


def test_there_is_no_exponent_operator():
    with pytest.raises(ExpressionError, match="no \\*\\* operator"):
        Expression("10 ** 10 ** 10")


def test_repeated_comparisons_of_big_values_run_out_of_work():
    left, right = [[0] * 999] * 500, [[0] * 999] * 500  # equal, but no sub-value is shared
    source = " and ".join(["a == b"] * 40)
    error = fails_fast(source, {"a": left, "b": right})
    assert error.budget == "max_work"


def test_the_time_budget_stops_a_slow_evaluation():
    limits = Limits(max_seconds=0.001, max_work=10**12, max_run_work=10**12)
    source = " and ".join(["a == b"] * 150)
    error = fails_fast(source, {"a": [[0] * 999] * 500, "b": [[0] * 999] * 500}, limits)
    assert error.budget == "max_seconds"


def test_the_work_of_every_evaluation_of_a_run_adds_up():
    budget = Budget(Limits(max_run_work=2_000_000))
    names = {"a": [[0] * 999] * 500, "b": [[0] * 999] * 500}
    with pytest.raises(ExpressionError) as caught:
        for _ in range(100):
            Expression("a == b").evaluate(names, None, budget)
    assert caught.value.budget == "max_run_work"


def test_limits_can_be_lowered_and_raised():
    small = Limits(max_elements=10)
    assert fails_fast("[1] * 20", limits=small).budget == "max_elements"
    assert Expression("[1] * 9").evaluate({}, None, Budget(small)) == [1] * 9
    big = Limits(max_elements=20_000_000, max_chars=100_000_000)
    assert len(Expression("[[1] * 1000] * 2000").evaluate({}, None, Budget(big))) == 2000


def test_values_within_budget_still_work():
    assert Expression("[[1, 2], [3]] * 2").evaluate() == [[1, 2], [3], [1, 2], [3]]
    assert Expression("str([1, [2, 'a']])").evaluate() == '[1, [2, "a"]]'
    assert Expression("len(shared)").evaluate({"shared": SHARED}) == 999  # reading is not sizing
    assert Expression("join(split('a b c'), '-')").evaluate() == "a-b-c"


def test_limits_reject_unknown_names_and_non_positive_values():
    with pytest.raises(ValueError, match="unknown pipeline limit"):
        Limits.from_mapping({"max_cats": 3})
    with pytest.raises(ValueError, match="max_work must be a positive number"):
        Limits(max_work=0)
