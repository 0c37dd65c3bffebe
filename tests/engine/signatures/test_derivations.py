"""Derived signatures (with_instructions, append, prepend, insert, delete, ...) leave the original alone."""

from __future__ import annotations

import pytest

import dspex
from dspex import SignatureError

SPEC = "question, context: list[str] -> answer: int"


def base():
    return dspex.Signature(SPEC, "Answer precisely.")


def snapshot(sig):
    return (
        sig.instructions,
        [(n, f.kind, f.annotation, f.desc, f.prefix, dict(f.constraints)) for n, f in sig.fields.items()],
    )


def test_with_instructions_replaces_only_the_instructions():
    sig = base()
    before = snapshot(sig)

    derived = sig.with_instructions("Answer in one word.")

    assert derived.instructions == "Answer in one word."
    assert snapshot(derived)[1] == before[1]
    assert snapshot(sig) == before


def test_append_instructions_adds_a_paragraph():
    sig = base()

    derived = sig.append_instructions("Cite your sources.")

    assert derived.instructions == "Answer precisely.\n\nCite your sources."
    assert sig.instructions == "Answer precisely."


def test_append_adds_an_input_after_the_other_inputs():
    sig = base()
    before = snapshot(sig)

    derived = sig.append("hint", dspex.InputField(desc="a hint"), int)

    assert list(derived.fields) == ["question", "context", "hint", "answer"]
    assert derived.fields["hint"].annotation is int
    assert derived.fields["hint"].desc == "a hint"
    assert derived.fields["hint"].prefix == "Hint:"
    assert snapshot(sig) == before


def test_append_adds_an_output_at_the_end():
    derived = base().append("confidence", dspex.OutputField(), float)

    assert list(derived.output_fields) == ["answer", "confidence"]


def test_prepend_puts_the_field_first_among_its_kind():
    sig = base()

    derived = sig.prepend("reasoning", dspex.OutputField(desc="${reasoning}"))

    assert list(derived.output_fields) == ["reasoning", "answer"]
    assert derived.fields["reasoning"].annotation is str
    assert derived.fields["reasoning"].type_undefined is True
    assert list(sig.output_fields) == ["answer"]


def test_insert_puts_the_field_at_the_index():
    derived = base().insert(1, "topic", dspex.InputField())

    assert list(derived.input_fields) == ["question", "topic", "context"]


def test_insert_rejects_an_index_out_of_range():
    with pytest.raises(
        SignatureError, match="invalid index 5 to insert input field 'x': must be between 0 and 2"
    ):
        base().insert(5, "x", dspex.InputField())


def test_adding_an_existing_name_is_an_error():
    with pytest.raises(SignatureError, match="already has a field 'answer'"):
        base().append("answer", dspex.InputField())


def test_delete_removes_a_field():
    sig = base()

    derived = sig.delete("context")

    assert list(derived.fields) == ["question", "answer"]
    assert list(sig.fields) == ["question", "context", "answer"]
    assert derived.instructions == "Answer precisely."


def test_with_updated_fields_changes_desc_prefix_and_constraints():
    sig = base()
    before = snapshot(sig)

    derived = sig.with_updated_fields("answer", desc="a count", prefix="Count:", ge=0)

    field = derived.fields["answer"]
    assert (field.desc, field.prefix, field.constraints) == ("a count", "Count:", {"ge": 0})
    assert snapshot(sig) == before


def test_with_updated_fields_can_change_the_type():
    derived = base().with_updated_fields("answer", float)

    assert derived.fields["answer"].annotation is float


def test_with_updated_fields_rejects_an_unknown_field():
    with pytest.raises(SignatureError, match="has no field 'nope'"):
        base().with_updated_fields("nope", desc="x")


def test_derived_signatures_keep_the_class_name():
    class Qa(dspex.Signature):
        """Answer."""

        question: str = dspex.InputField()
        answer: str = dspex.OutputField()

    assert Qa.with_instructions("x").__name__ == "Qa"
    assert Qa.append("hint", dspex.InputField()).__name__ == "Qa"


def test_setting_instructions_on_a_derived_copy_does_not_touch_the_original():
    sig = base()
    derived = sig.with_instructions("Copy.")

    derived.instructions = "Changed."

    assert sig.instructions == "Answer precisely."
    assert derived.instructions == "Changed."
