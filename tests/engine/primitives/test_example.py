"""Example: a dict-like record with attribute access and marked input keys."""

from __future__ import annotations

import copy

import pytest

import dspex


def make():
    return dspex.Example(question="What is 2+2?", answer="4", source="math").with_inputs("question")


def test_fields_read_as_attributes_and_items():
    example = make()

    assert example.question == "What is 2+2?"
    assert example["answer"] == "4"
    assert example.get("missing", "fallback") == "fallback"
    assert "source" in example
    assert len(example) == 3
    assert list(example) == ["question", "answer", "source"]


def test_a_missing_attribute_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="has no field 'nope'"):
        make().nope  # noqa: B018


def test_inputs_and_labels_split_the_record():
    example = make()

    assert example.inputs().to_dict() == {"question": "What is 2+2?"}
    assert example.labels().to_dict() == {"answer": "4", "source": "math"}
    assert example.inputs().input_keys == frozenset({"question"})


def test_inputs_without_input_keys_is_a_clear_error():
    with pytest.raises(ValueError, match=r"call example.with_inputs\('field', ...\) first"):
        dspex.Example(question="q").inputs()


def test_with_inputs_returns_a_copy():
    plain = dspex.Example(question="q", answer="a")

    marked = plain.with_inputs("question")

    assert plain.input_keys is None
    assert marked.input_keys == frozenset({"question"})
    assert marked == plain


def test_copy_applies_changes_and_keeps_input_keys():
    example = make()

    changed = example.copy(answer="four")

    assert changed.answer == "four"
    assert example.answer == "4"
    assert changed.input_keys == frozenset({"question"})


def test_without_drops_keys_from_a_copy():
    example = make()

    trimmed = example.without("source", "not-there")

    assert trimmed.to_dict() == {"question": "What is 2+2?", "answer": "4"}
    assert "source" in example


def test_to_dict_is_a_detached_plain_dict():
    example = make()

    data = example.to_dict()
    data["answer"] = "5"

    assert data == {"question": "What is 2+2?", "answer": "5", "source": "math"}
    assert example.answer == "4"
    assert example.toDict() == {"question": "What is 2+2?", "answer": "4", "source": "math"}


def test_setting_attributes_and_items_updates_the_record():
    example = make()

    example.answer = "four"
    example["extra"] = 1
    del example["source"]

    assert example.to_dict() == {"question": "What is 2+2?", "answer": "four", "extra": 1}


def test_examples_with_the_same_fields_are_equal_and_hash_alike():
    first = dspex.Example(a=1, b=[1, 2])
    second = dspex.Example({"a": 1}, b=[1, 2])

    assert first == second
    assert hash(first) == hash(second)
    assert first != dspex.Example(a=2, b=[1, 2])


def test_an_example_built_from_another_copies_its_fields_and_inputs():
    original = make()

    clone = dspex.Example(original, answer="four")

    assert clone.answer == "four"
    assert clone.input_keys == frozenset({"question"})
    assert original.answer == "4"


def test_a_deep_copy_is_independent():
    example = dspex.Example(numbers=[1, 2]).with_inputs("numbers")

    clone = copy.deepcopy(example)
    clone.numbers.append(3)

    assert example.numbers == [1, 2]
    assert clone.input_keys == frozenset({"numbers"})


@pytest.mark.dspy
def test_inputs_and_labels_match_dspy():
    import dspy

    data = {"question": "q", "context": "c", "answer": "a"}
    ours = dspex.Example(**data).with_inputs("question", "context")
    theirs = dspy.Example(**data).with_inputs("question", "context")

    assert ours.inputs().to_dict() == theirs.inputs().toDict()
    assert ours.labels().to_dict() == theirs.labels().toDict()
    assert ours.keys() == list(theirs.keys())
