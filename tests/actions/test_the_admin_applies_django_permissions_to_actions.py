"""The admin runs a declared action only for a user with Django's permission on the resource: the
change permission for an action that writes, the view permission for a read."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="clerk", password="pw-clerk-123", is_staff=True)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_cancelling_an_evaluation_needs_the_change_permission(
    staff: Any, capitals_version: Any, qa_program: Any
):
    from evaluations.services import evaluation_create

    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=capitals_version, owner=staff
    )
    url = reverse("admin:evaluations_evaluation_action", args=[evaluation.pk, "cancel"])
    staff.user_permissions.add(Permission.objects.get(codename="view_evaluation"))
    assert _client(staff).post(url).status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == "pending"
    staff.user_permissions.add(Permission.objects.get(codename="change_evaluation"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per user object
    response = _client(staff).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    evaluation.refresh_from_db()
    assert evaluation.status == "cancelled"


def test_the_changelist_runs_an_argument_free_action_on_the_selected_rows(
    admin_client: Any,
    capitals_version: Any,
    qa_program: Any,
    openai_stub: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.contrib.admin import helpers

    from evaluations.services import evaluation_create
    from tests.platform_fixtures import reply

    openai_stub.responder = lambda request: reply(answer="Paris")
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=capitals_version, owner=qa_program.owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:evaluations_evaluation_changelist"),
            {"action": "run_selected", helpers.ACTION_CHECKBOX_NAME: [evaluation.pk]},
            follow=True,
        )
    assert "Run the evaluation: 1 done." in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "succeeded"  # queued on the generic task (eager here) and run


def test_a_changelist_action_needs_the_change_permission(staff: Any, capitals_version: Any, qa_program: Any):
    from django.contrib.admin import helpers

    from evaluations.services import evaluation_create

    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=capitals_version, owner=staff
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_evaluation"))
    response = _client(staff).post(
        reverse("admin:evaluations_evaluation_changelist"),
        {"action": "cancel_selected", helpers.ACTION_CHECKBOX_NAME: [evaluation.pk]},
    )
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == "pending"
