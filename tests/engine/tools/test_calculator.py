"""The calculator tool evaluates arithmetic with its own parser (no eval) and clear errors."""

from __future__ import annotations

import math

import pytest

import dspex
from dspex.tools import CalculatorError, calculate


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-2 ** 2", -4),
        ("2 ** 3 ** 2", 512),
        ("2 ** -1", 0.5),
        ("-(3 - 5)", 2),
        ("+4 - -2", 6),
        ("7 // 2 + 7 % 2", 4),
        ("7 / 2", 3.5),
        ("1_000 * 1e-3", 1.0),
        (".5 + 0.25", 0.75),
        ("sqrt(16) + abs(-2) + max(1, 5, 3) - min(4, 2)", 9.0),
        ("log(8, 2) + log10(100) + floor(2.7) + ceil(2.1)", 10.0),
        ("round(2.567, 2)", 2.57),
        ("2 * pi", 2 * math.pi),
    ],
)
def test_it_evaluates_arithmetic_like_python(expression, expected):
    assert calculate(expression) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "the expression is empty"),
        ("1 / 0", "division by zero at position 2"),
        ("5 % (2 - 2)", "division by zero"),
        ("2 +", "expected a number at position 3, found the end of the expression"),
        ("(1 + 2", r"expected '\)' at position 6"),
        ("1 + 2)", r"unexpected '\)' at position 5"),
        ("2 ^ 3", r"use \*\* for powers"),
        ("x + 1", "unknown name 'x' at position 0"),
        ("__import__(1)", "unknown function '__import__'"),
        ("1 + 'a'", "unexpected character"),
        ("sqrt(-1)", r"sqrt\(\(-1\)\): math domain error"),
        ("sqrt", "sqrt is a function"),
        ("max()", r"max\(\) takes 1 to 64 argument\(s\), got 0"),
        ("9 ** 9 ** 9", "the exponent is too large"),
        ("10 ** 100000", "the exponent is too large"),
        ("(10 ** 1000) * (10 ** 1000)", "the result is too large"),
        ("1e308 * 10", "the result is too large"),
        ("(-8) ** 0.5", "not a real number"),
        ("((((((((((" * 20 + "1" + "))))))))))" * 20, "nested more than 100 levels"),
    ],
)
def test_bad_input_is_a_clear_error(expression, message):
    with pytest.raises(CalculatorError, match=message):
        calculate(expression)


def test_the_calculator_is_a_tool_with_a_described_expression_argument():
    tool = dspex.calculator
    assert tool.name == "calculator"
    assert tool.args["expression"]["type"] == "string"
    assert "(3 + 4) * 2" in tool.args["expression"]["description"]
    assert tool(expression="(3 + 4) * 2") == 14
    with pytest.raises(dspex.ToolArgumentError):
        tool(expr="1")
