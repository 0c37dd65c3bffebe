"""The expression language reads pipeline data: literals, paths, operators and functions."""

from __future__ import annotations

import pytest

import dspex
from dspex.pipelines.expressions import Expression, ExpressionError

NAMES = {
    "draft": {"answer": "Yes, Paris", "confidence": 0.8, "tags": ["geo", "europe"]},
    "split": {"items": ["a", "b", "c"]},
    "item": "b",
    "count": 3,
}
INPUTS = {"question": "What is the capital of France?", "k": 2}


def value(source: str) -> object:
    return Expression(source).evaluate(NAMES, INPUTS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("42", 42),
        ("-1.5e2", -150.0),
        ("'single' + \"double\"", "singledouble"),
        ("'it\\'s\\n'", "it's\n"),
        ("'\\u00e9'", "é"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("[1, 'two', [3]]", [1, "two", [3]]),
        ("[]", []),
        ("[1, 2,]", [1, 2]),
    ],
)
def test_it_reads_literals(source, expected):
    assert value(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("draft.answer", "Yes, Paris"),
        ("draft['confidence']", 0.8),
        ("draft.tags[-1]", "europe"),
        ("split.items[0]", "a"),
        ("$.question", INPUTS["question"]),
        ("$['k']", 2),
        ("item", "b"),
        ("draft.answer[0]", "Y"),
    ],
)
def test_it_follows_names_dotted_paths_and_indexes(source, expected):
    assert value(source) == expected


def test_it_reads_fields_of_predictions_and_examples():
    prediction = dspex.Prediction(answer="4", reasoning="2+2")
    assert Expression("p.answer + p['reasoning']").evaluate({"p": prediction}) == "42+2"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("draft.confidence > 0.5 and 'Yes' in draft.answer", True),
        ("draft.confidence > 0.9 or count == 3", True),
        ("not draft.confidence", False),
        ("1 < count <= 3", True),
        ("1 < count < 3", False),
        ("'geo' in draft.tags", True),
        ("'x' not in split.items", True),
        ("'answer' in draft", True),
        ("count != 3", False),
        ("'abc' < 'abd'", True),
        ("null == null", True),
        ("[1, 2] == [1, 2]", True),
    ],
)
def test_it_compares_and_combines_conditions(source, expected):
    assert value(source) is expected


def test_and_or_short_circuit_and_return_the_deciding_operand():
    assert value("null or 'fallback'") == "fallback"
    assert value("count and draft.answer") == "Yes, Paris"
    assert value("false and missing_name_never_read") is False
    assert value("true or missing_name_never_read") is True


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("10 - 2 - 3", 5),
        ("-count + 1", -2),
        ("'ab' * 2", "abab"),
        ("split.items + ['d']", ["a", "b", "c", "d"]),
        ("draft.confidence * 100", 80.0),
    ],
)
def test_it_does_arithmetic_with_precedence(source, expected):
    assert value(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("len(split.items)", 3),
        ("len(draft.answer)", 10),
        ("lower(draft.answer)", "yes, paris"),
        ("upper('a')", "A"),
        ("strip('  x ')", "x"),
        ("str(3) + str(true) + str(null)", "3truenull"),
        ("str(split.items)", '["a", "b", "c"]'),
        ("int('12') + int(2.9)", 14),
        ("float('0.25')", 0.25),
        ("bool('')", False),
        ("abs(-3)", 3),
        ("round(2.567, 1)", 2.6),
        ("max(split.items)", "c"),
        ("min(3, 1, 2)", 1),
        ("sum([1, 2, 3])", 6),
        ("contains(draft.tags, 'geo')", True),
        ("startswith(draft.answer, 'Yes')", True),
        ("endswith(draft.answer, 'Paris')", True),
        ("split('a, b, c', ', ')", ["a", "b", "c"]),
        ("split(' a  b ')", ["a", "b"]),
        ("join(split.items, '-')", "a-b-c"),
        ("replace('a-b', '-', '+')", "a+b"),
        ("coalesce(null, null, 'x')", "x"),
    ],
)
def test_it_calls_the_whitelisted_functions(source, expected):
    assert value(source) == expected


def test_it_lists_the_names_it_reads():
    assert Expression("draft.answer + lower(item) + $.question").names() == {"draft", "item"}


@pytest.mark.parametrize(
    ("source", "reason", "position"),
    [
        ("draft.answer ==", "unexpected the end of the expression", 15),
        ("draft.", "expected a field name after '.'", 6),
        ("(1 + 2", "expected ')' to close the parenthesis", 6),
        ("[1, 2", "expected ']' or ','", 5),
        ("'open", "unterminated string", 0),
        ("1 2", "unexpected '2' after a complete expression", 2),
        ("a = 1", "use == to compare", 2),
        ("a && b", "use `and`", 2),
        ("'\\q'", "unknown escape", 1),
        ("12abc", "malformed number", 0),
        ("", "empty expression", 0),
        ("draft.answer(1)", "only the built-in functions can be called", 12),
        ("len()", "len() got 0 arguments; usage: len(value)", 0),
    ],
)
def test_syntax_errors_say_what_and_where(source, reason, position):
    with pytest.raises(ExpressionError) as caught:
        Expression(source)
    assert reason in caught.value.reason
    assert caught.value.position == position
    assert f"at position {position}" in str(caught.value)


@pytest.mark.parametrize(
    ("source", "reason", "position"),
    [
        ("draft.missing", "no field 'missing'", 5),
        ("split.items[7]", "index 7 is out of range for a list of length 3", 11),
        ("count / 0", "division by zero", 6),
        ("'a' < 1", "cannot compare a string with a number", 6),
        ("1 in 'abc'", "needs a string on the left", 5),
        ("item.name", "cannot read field 'name' of a string", 4),
        ("count + 'x'", "cannot apply + to a number and a string", 6),
        ("nobody", "unknown name 'nobody'", 0),
        ("int('x')", "int() cannot read 'x' as a number", 0),
        ("-'x'", "unary - needs a number", 0),
    ],
)
def test_evaluation_errors_say_what_and_where(source, reason, position):
    with pytest.raises(ExpressionError) as caught:
        value(source)
    assert reason in caught.value.reason
    assert caught.value.position == position
    assert caught.value.expression == source
