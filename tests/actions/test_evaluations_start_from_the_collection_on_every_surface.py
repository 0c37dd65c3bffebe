"""``evaluation.start`` is a collection action: the collection's own ``POST`` on REST, an input
object on GraphQL, a button on the admin's changelist, a class method in the shell."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from tests.platform_fixtures import reply


@pytest.mark.django_db
def test_the_admin_changelist_offers_the_form_and_it_starts_one(
    admin_client: Any,
    qa_program: Any,
    capitals_version: Any,
    openai_stub: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    changelist = admin_client.get(reverse("admin:evaluations_evaluation_changelist"))
    url = reverse("admin:evaluations_evaluation_collection_action", args=["start"])
    assert url.encode() in changelist.content and b"Create and start an evaluation" in changelist.content
    form = admin_client.get(url)
    assert form.status_code == 200 and b'name="program"' in form.content
    good = {"program": qa_program.pk, "dataset": capitals_version.dataset_id, "split": "dev"}
    bad = admin_client.post(url, {**good, "program_version_number": "7"})
    assert bad.status_code == 200 and b"has no version 7" in bad.content
    assert Evaluation.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):  # eager tasks run once it commits
        response = admin_client.post(
            url, {"program": qa_program.pk, "dataset": capitals_version.dataset_id, "split": "dev"}
        )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    assert evaluation.status == "succeeded"


@pytest.mark.django_db(transaction=True)  # commits really happen: eager tasks run at once
def test_without_a_broker_the_message_says_it_ran_inline(
    admin_client: Any, qa_program: Any, capitals_version: Any, openai_stub: Any
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    url = reverse("admin:evaluations_evaluation_collection_action", args=["start"])
    response = admin_client.post(
        url, {"program": qa_program.pk, "dataset": capitals_version.dataset_id, "split": "dev"}
    )
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "succeeded"
    page = admin_client.get(response["Location"]).content.decode()
    assert f"evaluation {evaluation.pk} ran in this request and succeeded: no Celery broker" in page


@pytest.mark.django_db
def test_with_a_broker_the_message_says_the_page_follows_the_run(
    admin_client: Any, qa_program: Any, capitals_version: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("admin:evaluations_evaluation_collection_action", args=["start"])
    with django_capture_on_commit_callbacks(execute=False):  # a worker would take it from here
        response = admin_client.post(
            url, {"program": qa_program.pk, "dataset": capitals_version.dataset_id, "split": "dev"}
        )
    evaluation = Evaluation.objects.get()
    page = admin_client.get(response["Location"]).content.decode()
    assert f"evaluation {evaluation.pk} is pending; its page follows it" in page


@pytest.mark.django_db
def test_the_shell_starts_one_from_rows(
    qa_program: Any,
    capitals_version: Any,
    openai_stub: Any,
    other_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = Evaluation.start(
            program=qa_program, dataset=capitals_version.dataset, split="dev", limit=1
        )
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.examples_total) == ("succeeded", 1)
    assert evaluation.program_version == qa_program.current_version
    with pytest.raises(Exception, match="was not found"):  # a user sees only their rows
        Evaluation.start(program=qa_program, dataset=capitals_version.dataset, user=other_user)


@pytest.mark.django_db
def test_rest_answers_202_with_the_row_and_its_location(
    rest_as: Any, user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    response = rest_as(user).post(
        "/api/evaluations/",
        {"program": qa_program.pk, "dataset": capitals_version.dataset_id, "program_version_number": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="eval-1",
    )
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(f"/api/evaluations/{response.json()['id']}/")
    again = rest_as(user).post(
        "/api/evaluations/",
        {"program": qa_program.pk, "dataset": capitals_version.dataset_id},
        format="json",
        HTTP_IDEMPOTENCY_KEY="eval-1",
    )
    assert again.json()["id"] == response.json()["id"] and Evaluation.objects.count() == 1
