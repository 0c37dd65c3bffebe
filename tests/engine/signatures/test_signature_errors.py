"""Malformed signature strings raise SignatureError with the position and the reason."""

from __future__ import annotations

import pytest

import dspex
from dspex import SignatureError
from dspex.signatures.parser import parse_signature

# (spec, position of the offending character, words the reason must contain)
CASES = [
    pytest.param("a: list[str -> b", 7, "unbalanced '['", id="unclosed-bracket"),
    pytest.param("a: dict[str, list[int] -> b", 7, "unbalanced '['", id="unclosed-outer-bracket"),
    pytest.param("a: list[str]] -> b", 12, "unbalanced ']'", id="extra-closing-bracket"),
    pytest.param("a -> b: int]", 11, "unbalanced ']'", id="extra-closing-bracket-in-outputs"),
    pytest.param("a: list]str[ -> b", 7, "unbalanced ']'", id="brackets-reversed"),
    pytest.param("a: Foo -> b", 3, "unknown type 'Foo'", id="unknown-type"),
    pytest.param("a: list[Bar] -> b", 8, "unknown type 'Bar'", id="unknown-type-inside-generic"),
    pytest.param("a, a -> b", 3, "duplicate field 'a'", id="duplicate-input"),
    pytest.param("a -> b, b", 8, "duplicate field 'b'", id="duplicate-output"),
    pytest.param("question answer", 15, "missing '->'", id="missing-arrow"),
    pytest.param("", 0, "missing '->'", id="empty-string"),
    pytest.param("a -> b -> c", 7, "more than one '->'", id="two-arrows"),
    pytest.param("a -> a", 5, "on both sides of '->'", id="same-field-both-sides"),
    pytest.param("q, a: int -> b, a", 16, "'a' is on both sides", id="both-sides-later"),
    pytest.param(", a -> b", 0, "empty field name", id="leading-comma"),
    pytest.param("a, -> b", 3, "empty field name", id="trailing-comma-inputs"),
    pytest.param("a -> b,", 7, "empty field name", id="trailing-comma-outputs"),
    pytest.param("a,,b -> c", 2, "empty field name", id="double-comma"),
    pytest.param("class -> b", 0, "invalid field name 'class'", id="keyword-input"),
    pytest.param("a -> lambda", 5, "invalid field name 'lambda'", id="keyword-output"),
    pytest.param("a: 'x' -> b", 3, "only allowed inside Literal[...]", id="string-literal-as-type"),
    pytest.param("a: 3 -> b", 3, "only allowed inside Literal[...]", id="number-as-type"),
    pytest.param("a: Literal['x'] | 3 -> b", 18, "only allowed inside Literal[...]", id="literal-in-union"),
    pytest.param("a: Literal[x] -> b", 11, "Literal values must be", id="name-inside-literal"),
    pytest.param("a: -> b", 3, "expected a type", id="colon-without-type"),
    pytest.param("a: list[] -> b", 8, "expected a type", id="empty-generic"),
    pytest.param("a: dict[str] -> b", 3, "takes 2 type argument(s), got 1", id="dict-arity"),
    pytest.param("a: Optional[int, str] -> b", 3, "Optional takes exactly one type", id="optional-arity"),
    pytest.param("a: int[str] -> b", 3, "int does not take type arguments", id="int-subscripted"),
    pytest.param("a: Union[int, Literal] -> b", 3, "invalid Union[...]", id="bare-literal-in-union"),
    pytest.param("a: Literal | int -> b", 11, "invalid union with '|'", id="bare-literal-with-bar"),
    pytest.param("a: Union[int, ...] -> b", 3, "'...' is only allowed in tuple", id="ellipsis-outside-tuple"),
    pytest.param("a: 'open -> b", 3, "unterminated string literal", id="unterminated-string"),
    pytest.param("a$ -> b", 1, "unexpected character '$'", id="bad-character"),
    pytest.param("a : str = 3 -> b", 8, "unexpected character '='", id="default-value-syntax"),
    pytest.param("a: int str -> b", 7, "expected ',' or '->'", id="two-types"),
    pytest.param("a -> ", 5, "at least one output field", id="no-outputs"),
]


@pytest.mark.parametrize(("spec", "position", "reason"), CASES)
def test_it_reports_the_position_and_reason(spec, position, reason):
    with pytest.raises(SignatureError) as info:
        parse_signature(spec)

    error = info.value
    assert type(error) is SignatureError
    assert error.position == position
    assert reason in error.reason
    assert error.spec == spec


@pytest.mark.parametrize(("spec", "position", "reason"), CASES)
def test_the_message_quotes_the_spec_the_reason_and_a_caret(spec, position, reason):
    with pytest.raises(SignatureError) as info:
        dspex.Signature(spec)

    message = str(info.value)
    assert f"Invalid signature {spec!r} at position {position}: " in message
    assert reason in message
    assert message.endswith(f"\n    {spec}\n    {' ' * position}^")


def test_it_rejects_a_field_on_both_sides_of_the_arrow():
    with pytest.raises(SignatureError, match=r"field 'answer' is on both sides of '->'"):
        dspex.Signature("question, answer -> answer")


def test_it_rejects_a_keyword_as_a_field_name():
    with pytest.raises(SignatureError) as info:
        dspex.Signature("question, from -> answer")

    assert info.value.position == 10
    assert "must be a Python identifier" in info.value.reason


def test_a_signature_error_is_a_value_error():
    with pytest.raises(ValueError, match="missing '->'"):
        dspex.Signature("just words")


def test_a_non_string_spec_is_a_signature_error():
    with pytest.raises(SignatureError, match="a signature string was expected, got int"):
        parse_signature(42)  # type: ignore[arg-type]


def test_make_signature_rejects_a_dict_without_outputs():
    with pytest.raises(SignatureError, match="at least one output field"):
        dspex.make_signature({"question": dspex.InputField()})


def test_make_signature_rejects_a_value_that_is_not_a_field():
    with pytest.raises(SignatureError, match=r"field 'answer': expected InputField\(\)/OutputField\(\)"):
        dspex.make_signature({"question": dspex.InputField(), "answer": "str"})


def test_ensure_signature_rejects_other_objects():
    with pytest.raises(SignatureError, match="got int"):
        dspex.ensure_signature(3)  # type: ignore[arg-type]
