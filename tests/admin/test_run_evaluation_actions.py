"""Admin actions: "Run an evaluation" on program versions (a form, then one queued evaluation per
version), "Run again" and "Cancel" on evaluations."""

from __future__ import annotations

import html

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services import evaluation_create
from programs.services import program_version_create
from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db

VERSIONS = "admin:programs_programversion_changelist"


@pytest.fixture
def version(user, qa_program):
    return questions_version(user, qa_program.signature, 3)


def _action(admin_client, ids, **data):
    return admin_client.post(
        reverse(VERSIONS), {"action": "run_evaluation", helpers.ACTION_CHECKBOX_NAME: ids, **data}
    )


def test_choosing_the_action_shows_the_form(admin_client, qa_program):
    response = _action(admin_client, [qa_program.current_version.pk])
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "dataset_version",
        "split",
        "metrics",
        "concurrency",
        "limit",
    ]
    assert "qa v1" in response.content.decode()


def test_submitting_it_queues_one_evaluation_per_version(
    admin_client, admin_user, openai_stub, qa_program, version, django_capture_on_commit_callbacks
):
    second = program_version_create(program=qa_program, state=None)
    answering(openai_stub)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _action(
            admin_client,
            [qa_program.versions.get(number=1).pk, second.pk],
            _run="Run",
            dataset_version=version.pk,
            split="dev",
            metrics="exact_match, f1",
            concurrency=2,
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:evaluations_evaluation_changelist")
    assert len(callbacks) == 2
    evaluations = list(Evaluation.objects.order_by("program_version__number"))
    assert [e.program_version.number for e in evaluations] == [1, 2]
    assert all(e.status == "succeeded" and e.metrics == ["exact_match", "f1"] for e in evaluations)
    assert all(e.owner == admin_user and e.concurrency == 2 for e in evaluations)


def test_bad_settings_are_shown_and_nothing_is_created(admin_client, qa_program, version):
    response = _action(
        admin_client,
        [qa_program.current_version.pk],
        _run="Run",
        dataset_version=version.pk,
        split="test",
        metrics='[{"name": "accuracy"}]',
        concurrency=1,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "qa v1: questions v1 has no test examples" in errors["split"][0]
    assert "qa v1: metrics[0]: unknown metric 'accuracy'" in errors["metrics"][0]
    assert not Evaluation.objects.exists()


def test_run_again_queues_a_copy(
    admin_client, openai_stub, qa_program, version, user, django_capture_on_commit_callbacks
):
    answering(openai_stub)
    first = evaluated(qa_program, version, owner=user, metrics=["f1"], limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:evaluations_evaluation_changelist"),
            {"action": "run_again", helpers.ACTION_CHECKBOX_NAME: [first.pk]},
        )
    again = Evaluation.objects.exclude(pk=first.pk).get()
    assert (again.metrics, again.limit, again.status, again.score) == (["f1"], 2, "succeeded", 1.0)


def test_cancel_selected_cancels_what_has_not_finished(admin_client, openai_stub, qa_program, version, user):
    answering(openai_stub)
    done = evaluated(qa_program, version, owner=user)
    pending = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, owner=user
    )
    response = admin_client.post(
        reverse("admin:evaluations_evaluation_changelist"),
        {"action": "cancel_selected", helpers.ACTION_CHECKBOX_NAME: [done.pk, pending.pk]},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "Cancel an evaluation: 1 done, 1 refused (evaluation" in page
    assert "only a pending or running one can be cancelled" in page
    pending.refresh_from_db()
    done.refresh_from_db()
    assert (pending.status, done.status) == ("cancelled", "succeeded")
