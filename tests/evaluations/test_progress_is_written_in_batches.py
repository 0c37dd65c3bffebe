"""On a big set the runner writes progress every 1% of the examples (or every interval), not per
example; on a small one after every example."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create, evaluation_run
from tests.evaluations.helpers import answering

pytestmark = pytest.mark.django_db


def test_progress_writes_are_throttled_on_a_big_set(openai_stub, qa_program, make_questions, user, settings):
    settings.DSPEX_EVALUATION_PROGRESS_FRACTION = 0.1
    settings.DSPEX_EVALUATION_PROGRESS_INTERVAL = 3600  # only the fraction decides here
    version = make_questions(user, 120)
    answering(openai_stub)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, concurrency=8
    )
    writes = []
    evaluation = evaluation_run(
        evaluation_id=evaluation.pk, on_progress=lambda row: writes.append((row.examples_done, row.score))
    )
    assert evaluation.results.count() == 120
    assert 2 <= len(writes) <= 11  # one per 12 examples (10%), plus the last
    done = [count for count, _ in writes]
    assert done == sorted(done) and done[-1] == 120
    assert all(score == 1.0 for _, score in writes)  # the running score is on the row


def test_a_small_set_reports_every_example(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 5)
    answering(openai_stub)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, concurrency=1
    )
    writes = []
    evaluation_run(evaluation_id=evaluation.pk, on_progress=lambda row: writes.append(row.examples_done))
    assert writes == [1, 2, 3, 4, 5]
