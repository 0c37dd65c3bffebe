"""A run whose program cannot be built, or whose every example fails, ends ``failed`` with why."""

from __future__ import annotations

import pytest

from core.runs import RunStatus
from evaluations.models import Evaluation
from evaluations.services import evaluation_create, evaluation_run
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_every_example_failing_fails_the_evaluation(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 3)
    openai_stub.set_default(None)
    openai_stub.responder = lambda request: {"status": 401}
    evaluation = evaluation_run(
        evaluation_id=evaluation_create(
            program_version=qa_program.current_version, dataset_version=version
        ).pk
    )
    assert evaluation.status == RunStatus.FAILED
    assert evaluation.error.startswith(
        "every example failed (3); the first: LM call failed (AuthenticationError)"
    )
    assert evaluation.results.count() == 3  # each failure is recorded with its error
    assert evaluation.score == 0.0


def test_a_program_that_cannot_be_built_fails_before_any_call(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 2)
    evaluation = evaluation_create(program_version=qa_program.current_version, dataset_version=version)
    Program.objects.filter(pk=qa_program.pk).update(module_type="no_such_module")  # changed behind its back
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.FAILED
    assert evaluation.error.startswith("cannot run: module_type: unknown module type 'no_such_module'")
    assert openai_stub.completion_requests() == []


def test_a_missing_evaluation_is_nothing_to_run():
    assert evaluation_run(evaluation_id=12345) is None
    assert not Evaluation.objects.exists()
