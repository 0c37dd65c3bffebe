"""Instructions: defaults and given text read exactly as DSPy reads them (through cleandoc)."""

from __future__ import annotations

import pytest

import dspex

TEXTS = [
    "Answer the question.",
    "Answer with a single number.\n  Show no work.",
    "\n\n    Indented block\n      more indented\n    back\n\n",
    "  Leading spaces on the first line\n\tand a tab",
    "Trailing spaces stay   \nsecond line",
]


def test_default_instructions_name_inputs_and_outputs_in_order():
    sig = dspex.Signature("context, question -> reasoning, answer")

    assert sig.instructions == (
        "Given the fields `context`, `question`, produce the fields `reasoning`, `answer`."
    )


def test_given_instructions_are_cleaned_like_a_docstring():
    sig = dspex.Signature("a -> b", "\n\n    First\n      indented\n    Last\n\n")

    assert sig.instructions == "First\n  indented\nLast"


def test_with_instructions_and_the_setter_clean_too():
    sig = dspex.Signature("a -> b").with_instructions("Line one.\n    Line two.")
    assert sig.instructions == "Line one.\nLine two."

    sig.instructions = "  x\n   y"
    assert sig.instructions == "x\ny"


@pytest.mark.dspy
@pytest.mark.parametrize("text", TEXTS)
def test_given_instructions_read_the_same_as_in_dspy(text):
    import dspy

    assert dspex.Signature("a -> b", text).instructions == dspy.Signature("a -> b", text).instructions
    assert (
        dspex.Signature("a -> b").with_instructions(text).instructions
        == dspy.Signature("a -> b").with_instructions(text).instructions
    )


@pytest.mark.dspy
@pytest.mark.parametrize("text", TEXTS)
def test_instructions_loaded_from_state_read_the_same_as_in_dspy(text):
    import dspy

    state = {"instructions": text, "fields": []}

    assert (
        dspex.Signature("a -> b").load_state(state).instructions
        == dspy.Signature("a -> b").load_state(state).instructions
    )
