"""dspex.JSONAdapter().parse reads completions exactly as dspy's JSONAdapter does."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.adapters.parity_cases import Color, Person, Point, signatures

pytestmark = pytest.mark.dspy

ACCEPTED = [
    pytest.param("q -> a", '{"a": "hello"}', {"a": "hello"}, id="plain"),
    pytest.param("q -> a", 'Here you go: {"a": "hello"} thanks', {"a": "hello"}, id="text-around"),
    pytest.param("q -> a", '```json\n{"a": "hello"}\n```', {"a": "hello"}, id="json-fence"),
    pytest.param("q -> a", '```\n{"a": "hello"}\n```', {"a": "hello"}, id="bare-fence"),
    pytest.param("q -> a", "{'a': 'py'}", {"a": "py"}, id="python-dict"),
    pytest.param("q -> a", '{"a": 5}', {"a": "5"}, id="number-for-str"),
    pytest.param("q -> a", '{"a": null}', {"a": "None"}, id="null-for-str"),
    pytest.param("q -> a", '{"a": "x", "extra": 1}', {"a": "x"}, id="extra-key-dropped"),
    pytest.param("q -> a, b: Optional[int]", '{"a": "x"}', {"a": "x", "b": None}, id="missing-optional"),
    pytest.param("q -> n: int", '{"n": "42"}', {"n": 42}, id="int-as-string"),
    pytest.param("q -> n: int", '{"n": 42}', {"n": 42}, id="int"),
    pytest.param("q -> f: float", '{"f": 1}', {"f": 1.0}, id="float-from-int"),
    pytest.param("q -> b: bool", '{"b": "true"}', {"b": True}, id="bool-as-string"),
    pytest.param("q -> b: bool", '{"b": true}', {"b": True}, id="bool"),
    pytest.param("q -> l: list[int]", '{"l": [1, 2]}', {"l": [1, 2]}, id="list"),
    pytest.param("q -> l: list[int]", '{"l": "[1, 2]"}', {"l": [1, 2]}, id="list-as-string"),
    pytest.param("q -> c: Literal['yes', 'no']", '{"c": "yes"}', {"c": "yes"}, id="literal"),
    pytest.param("q -> c: Color", '{"c": "green"}', {"c": Color.GREEN}, id="enum"),
    pytest.param("q -> p: Point", '{"p": {"x": 1}}', {"p": Point(x=1)}, id="model"),
    pytest.param("q -> p: Point", '{"p": "{\\"x\\": 3}"}', {"p": Point(x=3)}, id="model-as-string"),
    pytest.param(
        "q -> who: Person",
        '```json\n{"who": {"name": "Ann", "home": {"x": 2, "tags": ["a"]}}}\n```',
        {"who": Person(name="Ann", home=Point(x=2, tags=["a"]))},
        id="nested-model-fenced",
    ),
    pytest.param("q -> a: str", '{"a": {"k": 1}}', {"a": "{'k': 1}"}, id="object-for-str"),
    pytest.param("q -> a: str", '{"a": [1, 2]}', {"a": "[1, 2]"}, id="array-for-str"),
    pytest.param(
        "q -> a, n: int", '{\n  "a": "multi\\nline",\n  "n": 3\n}', {"a": "multi\nline", "n": 3}, id="pretty"
    ),
]

REJECTED = [
    pytest.param("q -> a", '{"b": 1}', id="wrong-key"),
    pytest.param("q -> a", "[1, 2]", id="array"),
    pytest.param("q -> a", "not json", id="prose"),
    pytest.param("q -> n: int", '{"n": "x"}', id="int-word"),
    pytest.param("q -> c: Literal['yes', 'no']", '{"c": "maybe"}', id="literal-other"),
    pytest.param("q -> p: Point", '{"p": {"x": "bad"}}', id="model-bad-field"),
    pytest.param("q -> a, n: int", '{"a": "x"}', id="missing-required"),
]


@pytest.mark.parametrize(("spec", "completion", "expected"), ACCEPTED)
def test_parse_gives_the_same_fields_as_dspy(spec, completion, expected):
    import dspy

    theirs_sig, ours_sig = signatures(spec)

    assert dspex.JSONAdapter().parse(ours_sig, completion) == expected
    assert dspy.JSONAdapter().parse(theirs_sig, completion) == expected


@pytest.mark.parametrize(("spec", "completion"), REJECTED)
def test_completions_dspy_rejects_raise_adapter_parse_error_with_the_raw_text(spec, completion):
    import dspy
    from dspy.utils.exceptions import AdapterParseError as DspyAdapterParseError

    theirs_sig, ours_sig = signatures(spec)
    with pytest.raises(DspyAdapterParseError):
        dspy.JSONAdapter().parse(theirs_sig, completion)

    with pytest.raises(dspex.AdapterParseError) as info:
        dspex.JSONAdapter().parse(ours_sig, completion)

    assert info.value.lm_response == completion
    assert info.value.adapter_name == "JSONAdapter"
