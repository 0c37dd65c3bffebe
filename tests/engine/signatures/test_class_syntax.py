"""Class-syntax signatures: docstring instructions, descriptions, prefixes, constraints, inheritance."""

from __future__ import annotations

from typing import Literal, Optional

import pytest

import dspex
from dspex import SignatureError
from tests.engine.signatures import future_annotations_signature as future


class Summarize(dspex.Signature):
    """
    Summarize the document.

        Keep it short:
          - one sentence
    Use plain words.
    """

    document: str = dspex.InputField(desc="the text to summarize", prefix="Doc:")
    max_words: int = dspex.InputField(ge=1, le=50)
    summary: str = dspex.OutputField(min_length=3, max_length=200, pattern=r"^\S")
    score: float = dspex.OutputField(gt=0, lt=1, multiple_of=0.5)


def test_the_docstring_becomes_cleaned_up_instructions():
    assert Summarize.instructions == (
        "Summarize the document.\n\n    Keep it short:\n      - one sentence\nUse plain words."
    )


def test_fields_keep_declaration_order_inputs_first():
    assert list(Summarize.input_fields) == ["document", "max_words"]
    assert list(Summarize.output_fields) == ["summary", "score"]
    assert list(Summarize.fields) == ["document", "max_words", "summary", "score"]
    assert Summarize.signature == "document, max_words -> summary, score"


def test_desc_and_prefix_are_kept_and_defaults_are_inferred():
    document = Summarize.fields["document"]
    max_words = Summarize.fields["max_words"]

    assert (document.desc, document.prefix) == ("the text to summarize", "Doc:")
    assert (max_words.desc, max_words.prefix) == ("${max_words}", "Max Words:")


def test_constraints_are_recorded_per_field():
    assert Summarize.fields["max_words"].constraints == {"ge": 1, "le": 50}
    assert Summarize.fields["summary"].constraints == {"min_length": 3, "max_length": 200, "pattern": r"^\S"}
    assert Summarize.fields["score"].constraints == {"gt": 0, "lt": 1, "multiple_of": 0.5}
    assert Summarize.fields["score"].constraints_text() == (
        "greater than: 0, less than: 1, a multiple of the given number: 0.5"
    )


def test_annotations_become_field_types():
    class Typed(dspex.Signature):
        items: list[str] = dspex.InputField()
        maybe: Optional[int] = dspex.InputField()  # noqa: UP045
        label: Literal["a", "b"] = dspex.OutputField()

    assert Typed.fields["items"].annotation == list[str]
    assert Typed.fields["maybe"].annotation == Optional[int]  # noqa: UP045
    assert Typed.fields["label"].annotation == Literal["a", "b"]
    assert Typed.fields["items"].type_undefined is False


def test_without_a_docstring_the_default_instructions_are_used():
    class NoDoc(dspex.Signature):
        question: str = dspex.InputField()
        answer: str = dspex.OutputField()

    assert NoDoc.instructions == "Given the fields `question`, produce the fields `answer`."


def test_a_subclass_inherits_fields_and_instructions_and_adds_its_own():
    class WithCitations(Summarize):
        citations: list[str] = dspex.OutputField()

    assert list(WithCitations.fields) == ["document", "max_words", "summary", "score", "citations"]
    assert WithCitations.instructions == Summarize.instructions
    assert list(Summarize.fields) == ["document", "max_words", "summary", "score"]


def test_a_subclass_docstring_replaces_the_instructions():
    class Terse(Summarize):
        """Be terse."""

    assert Terse.instructions == "Be terse."
    assert Terse.fields == Summarize.fields


def test_a_subclass_can_add_an_input_that_goes_before_the_outputs():
    class WithAudience(Summarize):
        audience: str = dspex.InputField()

    assert list(WithAudience.input_fields) == ["document", "max_words", "audience"]
    assert list(WithAudience.fields)[-2:] == ["summary", "score"]


def test_a_module_with_postponed_annotations_resolves_its_types():
    sig = future.CitedAnswer

    assert sig.instructions == "Answer with citations."
    assert sig.fields["passages"].annotation == list[str]
    assert sig.fields["passages"].desc == "retrieved passages"
    assert sig.fields["citations"].annotation == list[future.Citation]
    assert sig.fields["confidence"].annotation == Optional[Literal["low", "high"]]  # noqa: UP045


def test_an_annotation_without_a_field_declaration_is_an_error():
    with pytest.raises(SignatureError, match="field `answer` in Broken must be declared with"):

        class Broken(dspex.Signature):
            question: str = dspex.InputField()
            answer: str


def test_an_underscore_field_name_is_an_error():
    with pytest.raises(SignatureError, match="'_hidden' in Hidden must not start with '_'"):

        class Hidden(dspex.Signature):
            _hidden: str = dspex.InputField()
            answer: str = dspex.OutputField()


def test_an_unknown_field_option_is_a_type_error():
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*colour"):
        dspex.InputField(colour="red")


def test_a_signature_class_instance_holds_one_value_per_field_and_needs_them_all():
    with pytest.raises(TypeError, match=r"missing values for the fields \['document', 'max_words'"):
        Summarize()
    with pytest.raises(TypeError, match=r"has no fields \['colour'\]"):
        Summarize(colour="red")
    with pytest.raises(TypeError, match="takes the field values as keywords"):
        Summarize("a document")


@pytest.mark.dspy
@pytest.mark.filterwarnings("ignore:The 'prefix' argument:DeprecationWarning")
def test_a_class_signature_has_the_same_state_and_instructions_as_dspy():
    import dspy

    class Theirs(dspy.Signature):
        """
        Summarize the document.

            Keep it short:
              - one sentence
        Use plain words.
        """

        document: str = dspy.InputField(desc="the text to summarize", prefix="Doc:")
        max_words: int = dspy.InputField(ge=1, le=50)
        summary: str = dspy.OutputField(min_length=3, max_length=200, pattern=r"^\S")
        score: float = dspy.OutputField(gt=0, lt=1, multiple_of=0.5)

    assert Summarize.instructions == Theirs.instructions
    assert Summarize.dump_state() == Theirs.dump_state()
    assert [(n, f.annotation) for n, f in Summarize.fields.items()] == [
        (n, f.annotation) for n, f in Theirs.fields.items()
    ]
