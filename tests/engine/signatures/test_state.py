"""dump_state / load_state round-trip, in DSPy's layout."""

from __future__ import annotations

import json

import pytest

import dspex

SPECS = [
    "question -> answer",
    "context: list[str], question: str -> answer: int",
    "text2number, HTMLText, snake_case -> camelCaseOut: bool",
    "-> greeting",
]


def test_dump_state_lists_instructions_and_fields_in_order():
    sig = dspex.Signature("question, n: int -> answer", "Do it.")

    assert sig.dump_state() == {
        "instructions": "Do it.",
        "fields": [
            {"prefix": "Question:", "description": "${question}"},
            {"prefix": "N:", "description": "${n}"},
            {"prefix": "Answer:", "description": "${answer}"},
        ],
    }


def test_load_state_round_trips_instructions_prefixes_and_descriptions():
    sig = dspex.Signature("question, context -> answer")
    state = {
        "instructions": "Loaded instructions.",
        "fields": [
            {"prefix": "Q:", "description": "the question"},
            {"prefix": "Ctx:", "description": "the context"},
            {"prefix": "A:", "description": "the answer"},
        ],
    }

    loaded = sig.load_state(json.loads(json.dumps(state)))

    assert loaded.dump_state() == state
    assert loaded.fields["context"].desc == "the context"
    assert list(loaded.fields) == ["question", "context", "answer"]


def test_load_state_returns_a_new_signature_and_keeps_the_original():
    sig = dspex.Signature("question -> answer")
    before = sig.dump_state()

    sig.load_state({"instructions": "New.", "fields": []})

    assert sig.dump_state() == before


def test_load_state_keeps_types_and_constraints():
    class Scored(dspex.Signature):
        """Score."""

        text: str = dspex.InputField()
        score: int = dspex.OutputField(ge=0, le=10)

    loaded = Scored.load_state({"instructions": "Rescore.", "fields": Scored.dump_state()["fields"]})

    assert loaded.fields["score"].annotation is int
    assert loaded.fields["score"].constraints == {"ge": 0, "le": 10}
    assert loaded.instructions == "Rescore."


@pytest.mark.dspy
@pytest.mark.parametrize("spec", SPECS)
def test_dump_state_has_the_layout_dspy_produces(spec):
    import dspy

    assert dspex.Signature(spec).dump_state() == dspy.Signature(spec).dump_state()


@pytest.mark.dspy
def test_state_dumped_here_loads_into_dspy_and_back():
    import dspy

    ours = dspex.Signature("question, context -> answer", "Be brief.").with_updated_fields(
        "context", desc="passages", prefix="Passages:"
    )

    theirs = dspy.Signature("question, context -> answer").load_state(ours.dump_state())

    assert theirs.dump_state() == ours.dump_state()
    assert theirs.instructions == "Be brief."
    assert dspex.Signature("question, context -> answer").load_state(theirs.dump_state()) == ours
