"""Admin pages of the experiments app render."""

from __future__ import annotations

import pytest
from django.urls import reverse

from experiments.services import experiment_create, experiment_start, trial_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def experiment(qa_program, qa_dataset_version):
    experiment = experiment_create(
        program_version=qa_program.current_version, dataset_version=qa_dataset_version, optimizer="COPRO"
    )
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="c0", score=0.5)
    return experiment


@pytest.mark.parametrize("model", ["experiment", "trial"])
def test_the_changelist_renders_with_rows(admin_client, experiment, model):
    url = reverse(f"admin:experiments_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "c0"}).status_code == 200


def test_experiments_can_be_filtered_by_status(admin_client, experiment):
    url = reverse("admin:experiments_experiment_changelist")
    response = admin_client.get(url, {"status__exact": "running", "q": "qa"})
    assert response.status_code == 200
    assert "COPRO" in response.content.decode()


def test_an_experiment_page_shows_its_trials(admin_client, experiment):
    response = admin_client.get(reverse("admin:experiments_experiment_change", args=[experiment.pk]))
    assert response.status_code == 200
    assert "c0" in response.content.decode()
