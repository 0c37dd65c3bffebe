"""``Evaluation.objects.create(...).run()`` and ``evaluation.run(background=True)`` work from
``manage.py shell``."""

from __future__ import annotations

import pytest

from core.runs import RunStatus
from evaluations.models import Evaluation
from tests.evaluations.helpers import answering

pytestmark = pytest.mark.django_db


def test_create_then_run_scores_it_in_this_process(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 3)
    answering(openai_stub)
    evaluation = Evaluation.objects.create(
        program_version=qa_program.current_version, dataset_version=version
    )
    assert evaluation.examples_total is None  # made without the service: counted when it runs
    evaluation = evaluation.run()
    assert evaluation.status == RunStatus.SUCCEEDED
    assert (evaluation.examples_done, evaluation.examples_total, evaluation.score) == (3, 3, 1.0)
    assert evaluation.metric_scores == {"exact_match": 1.0}


def test_run_in_the_background_enqueues_it(
    openai_stub, qa_program, make_questions, user, django_capture_on_commit_callbacks
):
    version = make_questions(user, 2)
    answering(openai_stub)
    evaluation = Evaluation.objects.create(
        program_version=qa_program.current_version, dataset_version=version
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        returned = evaluation.run(background=True)
        assert returned.status == RunStatus.PENDING
        assert openai_stub.completion_requests() == []
    assert len(callbacks) == 1
    evaluation.refresh_from_db()
    assert evaluation.status == RunStatus.SUCCEEDED
    assert evaluation.results.count() == 2


def test_compare_and_cancel_are_there_too(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 2)
    answering(openai_stub)
    done = Evaluation.objects.create(
        program_version=qa_program.current_version, dataset_version=version
    ).run()
    other = Evaluation.objects.create(program_version=qa_program.current_version, dataset_version=version)
    assert other.cancel().status == RunStatus.CANCELLED
    assert done.compare(other).missing == 2
