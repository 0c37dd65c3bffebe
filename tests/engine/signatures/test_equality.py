"""Signatures compare by fields and instructions."""

from __future__ import annotations

import dspex


def test_same_fields_and_instructions_are_equal():
    first = dspex.Signature("question, n: int -> answer: list[str]", "Do it.")
    second = dspex.Signature("question, n: int -> answer: list[str]", "Do it.")

    assert first == second
    assert first is not second
    assert hash(first) == hash(second)


def test_different_instructions_are_not_equal():
    sig = dspex.Signature("question -> answer")

    assert sig != sig.with_instructions("Something else.")


def test_different_types_are_not_equal():
    assert dspex.Signature("question -> answer: int") != dspex.Signature("question -> answer: float")


def test_different_field_order_is_not_equal():
    assert dspex.Signature("a, b -> c", "x") != dspex.Signature("b, a -> c", "x")


def test_different_descriptions_are_not_equal():
    sig = dspex.Signature("question -> answer")

    assert sig != sig.with_updated_fields("answer", desc="short")


def test_a_class_and_a_string_signature_with_the_same_content_are_equal():
    class Qa(dspex.Signature):
        """Given the fields `question`, produce the fields `answer`."""

        question = dspex.InputField()
        answer = dspex.OutputField()

    assert Qa == dspex.Signature("question -> answer")
    assert Qa.equals(dspex.Signature("question -> answer"))


def test_a_signature_is_not_equal_to_its_string():
    assert dspex.Signature("question -> answer") != "question -> answer"
