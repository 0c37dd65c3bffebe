"""Programs start at version 1; versions are numbered, linked to their parent and immutable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.immutable import ImmutableRowError
from programs.models import ProgramVersion
from programs.services import program_create, program_version_create

pytestmark = pytest.mark.django_db


def test_creating_a_program_creates_version_1_from_a_fresh_module(qa_program, user):
    version = qa_program.current_version
    assert version.number == 1
    assert version.parent is None
    assert version.source == ProgramVersion.Source.MANUAL
    assert version.created_by == user
    assert version.state["demos"] == []  # a Predict's state is its own (DSPy's layout)
    assert version.state["lm"] is None
    assert version.state["signature"]["instructions"] == (
        "Given the fields `question`, produce the fields `answer`."
    )


def test_a_chain_of_thought_program_uses_dspys_predictor_path(qa_signature):
    program = program_create(name="cot", signature=qa_signature, module_type="chain_of_thought")
    assert list(program.current_version.state) == ["predict"]


def test_a_new_version_gets_the_next_number_and_the_current_one_as_parent(qa_program):
    first = qa_program.current_version
    state = {**first.state, "demos": [{"question": "2+2?", "answer": "4"}]}
    second = program_version_create(program=qa_program, state=state, note="one demo")
    qa_program.refresh_from_db()
    assert (second.number, second.parent) == (2, first)
    assert qa_program.current_version == second


def test_a_version_can_be_added_without_becoming_current(qa_program):
    first = qa_program.current_version
    program_version_create(program=qa_program, state=first.state, make_current=False)
    qa_program.refresh_from_db()
    assert qa_program.current_version == first


def test_a_state_that_does_not_fit_the_module_is_rejected(qa_program):
    with pytest.raises(ValidationError) as caught:
        program_version_create(program=qa_program, state={"generate.predict": {"demos": []}})
    assert "does not fit" in caught.value.message_dict["state"][0]
    assert qa_program.versions.count() == 1


def test_a_state_must_be_an_object(qa_program):
    with pytest.raises(ValidationError):
        program_version_create(program=qa_program, state=["not", "a", "dict"])


def test_saving_a_stored_version_raises(qa_program):
    version = qa_program.current_version
    version.state = {"demos": [{"question": "sneaky"}]}
    with pytest.raises(ImmutableRowError):
        version.save()
    version.refresh_from_db()
    assert version.state["demos"] == []


def test_updating_versions_through_a_queryset_raises(qa_program):
    with pytest.raises(ImmutableRowError):
        ProgramVersion.objects.filter(program=qa_program).update(note="changed")


def test_version_numbers_are_unique_per_program(qa_program):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.create(program=qa_program, number=1, state={})


def test_deleting_a_program_deletes_its_versions(qa_program):
    program_version_create(program=qa_program, state=qa_program.current_version.state)
    qa_program.delete()
    assert not ProgramVersion.objects.exists()
