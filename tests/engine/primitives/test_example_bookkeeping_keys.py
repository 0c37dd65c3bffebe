"""Example: ``dspy_*`` bookkeeping keys, DSPy's ``base=`` keyword, equality with mappings, repr."""

from __future__ import annotations

import pydantic

import dspex


def test_dspy_keys_are_readable_but_not_counted_or_listed():
    example = dspex.Example(a=1, dspy_uuid="x")

    assert example.dspy_uuid == "x"
    assert len(example) == 1
    assert example.keys() == ["a"]
    assert example.values() == [1]
    assert example.items() == [("a", 1)]
    assert example.keys(include_dspy=True) == ["a", "dspy_uuid"]
    assert repr(example) == "Example({'a': 1}) (input_keys=None)"


def test_the_base_record_can_be_given_as_the_base_keyword():
    base = dspex.Example(a=1).with_inputs("a")

    assert dspex.Example(base=base, b=2).to_dict() == {"a": 1, "b": 2}
    assert dspex.Example(base={"a": 1}, b=2).to_dict() == {"a": 1, "b": 2}
    assert dspex.Example(base="text").to_dict() == {"base": "text"}  # not a record: a field


def test_an_example_equals_a_mapping_of_the_same_fields():
    example = dspex.Example(a=1, b=[2])

    assert example == {"a": 1, "b": [2]}
    assert example != {"a": 1}
    assert example != "a"


def test_dspys_to_dict_turns_nested_examples_and_models_into_plain_data_ours_keeps_them():
    class Point(pydantic.BaseModel):
        x: int

    example = dspex.Example(inner=[dspex.Example(q="1")], point=Point(x=3), table={"p": Point(x=4)})

    assert example.toDict() == {"inner": [{"q": "1"}], "point": {"x": 3}, "table": {"p": {"x": 4}}}
    assert example.to_dict()["point"] is example.point


def test_repr_shows_the_input_keys_as_a_set():
    assert repr(dspex.Example(a=1).with_inputs("a")) == "Example({'a': 1}) (input_keys={'a'})"
