"""dspex.ChatAdapter().parse reads completions exactly as dspy's ChatAdapter does."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.adapters.parity_cases import Color, Point, signatures

pytestmark = pytest.mark.dspy

# (signature, completion, expected parse result)
ACCEPTED = [
    pytest.param("q -> a", "[[ ## a ## ]]\nhello\n\n[[ ## completed ## ]]", {"a": "hello"}, id="well-formed"),
    pytest.param(
        "q -> a", "Sure! Here it is.\n[[ ## a ## ]]\nhello", {"a": "hello"}, id="text-before-header"
    ),
    pytest.param(
        "q -> a", "[[ ## a ## ]]\nfirst\n[[ ## a ## ]]\nsecond", {"a": "first"}, id="duplicate-header"
    ),
    pytest.param(
        "q -> a", "[[ ## a ## ]]   \n   padded value   \n\n", {"a": "padded value"}, id="whitespace"
    ),
    pytest.param("q -> a", "[[ ## a ## ]] inline value", {"a": "inline value"}, id="value-on-header-line"),
    pytest.param(
        "q -> a",
        "[[ ## a ## ]]\nline1\n\nline2\n[[ ## completed ## ]]\ntrailer",
        {"a": "line1\n\nline2"},
        id="multi-line-value",
    ),
    pytest.param("q -> a", "[[ ## a ## ]]\n\n", {"a": ""}, id="empty-value"),
    pytest.param("q -> a", "[[ ## q ## ]]\nQ\n[[ ## a ## ]]\nA", {"a": "A"}, id="input-header-ignored"),
    pytest.param("q -> a, b", "[[ ## b ## ]]\nB\n[[ ## a ## ]]\nA", {"a": "A", "b": "B"}, id="any-order"),
    pytest.param(
        "q -> a, b: Optional[int]", "[[ ## a ## ]]\nx", {"a": "x", "b": None}, id="missing-optional"
    ),
    pytest.param(
        "q -> a, b: int | None", "[[ ## a ## ]]\nx\n[[ ## b ## ]]\n7", {"a": "x", "b": 7}, id="optional"
    ),
    pytest.param("q -> n: int", "[[ ## n ## ]]\n42", {"n": 42}, id="int"),
    pytest.param("q -> n: int", "[[ ## n ## ]]\n 42 ", {"n": 42}, id="int-with-spaces"),
    pytest.param("q -> n: int", "[[ ## n ## ]]\n42.0", {"n": 42}, id="int-as-float-text"),
    pytest.param("q -> f: float", "[[ ## f ## ]]\n3.14", {"f": 3.14}, id="float"),
    pytest.param("q -> f: float", "[[ ## f ## ]]\n3", {"f": 3.0}, id="float-from-int"),
    pytest.param("q -> b: bool", "[[ ## b ## ]]\nTrue", {"b": True}, id="bool-python"),
    pytest.param("q -> b: bool", "[[ ## b ## ]]\ntrue", {"b": True}, id="bool-json"),
    pytest.param("q -> b: bool", "[[ ## b ## ]]\nFalse", {"b": False}, id="bool-false"),
    pytest.param("q -> l: list[str]", '[[ ## l ## ]]\n["a", "b"]', {"l": ["a", "b"]}, id="list-json"),
    pytest.param("q -> l: list[str]", "[[ ## l ## ]]\n['a', 'b']", {"l": ["a", "b"]}, id="list-python"),
    pytest.param("q -> l: list[int]", "[[ ## l ## ]]\n[1, 2, 3]", {"l": [1, 2, 3]}, id="list-int"),
    pytest.param("q -> l: list[int]", "[[ ## l ## ]]\n1, 2, 3", {"l": [1, 2, 3]}, id="list-bare-tuple"),
    pytest.param("q -> d: dict[str, int]", '[[ ## d ## ]]\n{"a": 1}', {"d": {"a": 1}}, id="dict-json"),
    pytest.param("q -> d: dict[str, int]", "[[ ## d ## ]]\n{'a': 1}", {"d": {"a": 1}}, id="dict-python"),
    pytest.param("q -> t: tuple[int, str]", '[[ ## t ## ]]\n[1, "a"]', {"t": (1, "a")}, id="tuple"),
    pytest.param("q -> c: Literal['yes', 'no']", "[[ ## c ## ]]\nyes", {"c": "yes"}, id="literal"),
    pytest.param("q -> c: Literal['yes', 'no']", "[[ ## c ## ]]\n'yes'", {"c": "yes"}, id="literal-quoted"),
    pytest.param("q -> c: Literal['yes', 'no']", '[[ ## c ## ]]\n"no"', {"c": "no"}, id="literal-dquoted"),
    pytest.param(
        "q -> c: Literal['yes', 'no']", "[[ ## c ## ]]\nLiteral['yes']", {"c": "yes"}, id="literal-wrapped"
    ),
    pytest.param("q -> c: Literal[1, 2]", "[[ ## c ## ]]\n2", {"c": 2}, id="literal-int"),
    pytest.param("q -> c: Color", "[[ ## c ## ]]\nred", {"c": Color.RED}, id="enum-value"),
    pytest.param("q -> c: Color", "[[ ## c ## ]]\nRED", {"c": Color.RED}, id="enum-name"),
    pytest.param("q -> p: Point", '[[ ## p ## ]]\n{"x": 1, "y": 2.5}', {"p": Point(x=1, y=2.5)}, id="model"),
    pytest.param("q -> p: list[Point]", '[[ ## p ## ]]\n[{"x": 1}]', {"p": [Point(x=1)]}, id="model-list"),
    pytest.param(
        "q -> p: Point", '[[ ## p ## ]]\n```json\n{"x": 1}\n```', {"p": Point(x=1)}, id="model-fenced"
    ),
    pytest.param("q -> o: Optional[str]", "[[ ## o ## ]]\nNone", {"o": "None"}, id="optional-str-none-text"),
    pytest.param("q -> o: Optional[int]", "[[ ## o ## ]]\nNone", {"o": None}, id="optional-int-none"),
    pytest.param("q -> o: Optional[int]", "[[ ## o ## ]]\nnull", {"o": None}, id="optional-int-null"),
    pytest.param("q -> a: str", "[[ ## a ## ]]\n[1,2]", {"a": "[1,2]"}, id="str-keeps-brackets"),
    pytest.param("q -> a", "  [[ ## a ## ]]  \nA", {"a": "]]\nA"}, id="indented-header-quirk"),
]

REJECTED = [
    pytest.param("q -> a", "no headers at all", id="no-headers"),
    pytest.param("q -> a, b", "[[ ## a ## ]]\nx", id="missing-required"),
    pytest.param("q -> a", "[[ ## A ## ]]\nA", id="wrong-case-header"),
    pytest.param("q -> n: int", "[[ ## n ## ]]\nforty", id="int-word"),
    pytest.param("q -> n: int", "[[ ## n ## ]]\n42.5", id="int-fraction"),
    pytest.param("q -> b: bool", "[[ ## b ## ]]\nmaybe", id="bool-word"),
    pytest.param("q -> l: list[int]", "[[ ## l ## ]]\n[1, 'x']", id="list-bad-item"),
    pytest.param("q -> c: Literal['yes', 'no']", "[[ ## c ## ]]\nmaybe", id="literal-other"),
    pytest.param("q -> c: Color", "[[ ## c ## ]]\nblue", id="enum-other"),
    pytest.param("q -> p: Point", '[[ ## p ## ]]\n{"x": "oops"}', id="model-bad-field"),
    pytest.param("q -> a: list[str]", "[[ ## a ## ]]\nnot a list", id="list-prose"),
]


@pytest.mark.parametrize(("spec", "completion", "expected"), ACCEPTED)
def test_parse_gives_the_same_fields_as_dspy(spec, completion, expected):
    import dspy

    theirs_sig, ours_sig = signatures(spec)

    assert dspex.ChatAdapter().parse(ours_sig, completion) == expected
    assert dspy.ChatAdapter().parse(theirs_sig, completion) == expected


@pytest.mark.parametrize(("spec", "completion"), REJECTED)
def test_completions_dspy_rejects_raise_adapter_parse_error_with_the_raw_text(spec, completion):
    import dspy
    from dspy.utils.exceptions import AdapterParseError as DspyAdapterParseError

    theirs_sig, ours_sig = signatures(spec)
    with pytest.raises(DspyAdapterParseError):
        dspy.ChatAdapter().parse(theirs_sig, completion)

    with pytest.raises(dspex.AdapterParseError) as info:
        dspex.ChatAdapter().parse(ours_sig, completion)

    assert info.value.lm_response == completion
    assert info.value.adapter_name == "ChatAdapter"
    assert info.value.signature is ours_sig
