"""Admin pages of the evaluations app render."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations.services import evaluation_create, evaluation_result_record, evaluation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(qa_program, qa_dataset_version):
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=qa_dataset_version, split="dev"
    )
    evaluation_start(evaluation=evaluation)
    example = qa_dataset_version.examples.filter(split="dev").first()
    evaluation_result_record(evaluation=evaluation, example=example, prediction={"answer": "Rome"}, score=1.0)
    return evaluation


@pytest.mark.parametrize("model", ["evaluation", "evaluationresult"])
def test_the_changelist_renders_with_rows(admin_client, evaluation, model):
    url = reverse(f"admin:evaluations_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "qa"}).status_code == 200


def test_an_evaluation_page_renders(admin_client, evaluation):
    response = admin_client.get(reverse("admin:evaluations_evaluation_change", args=[evaluation.pk]))
    assert response.status_code == 200
