"""The admin starts experiments from a program, shows their progress and chart, and cancels them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from experiments.models import Experiment
from experiments.services import experiment_create, experiment_start, trial_record

pytestmark = pytest.mark.django_db


def test_the_optimize_page_starts_an_experiment_and_shows_it(
    admin_client, qa_program, capitals_version, demo_dependent_stub, django_capture_on_commit_callbacks
):
    url = reverse("admin:programs_program_action", args=[qa_program.pk, "optimize"])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "capitals v1" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "dataset_version": capitals_version.pk,
                "optimizer": "bootstrap_few_shot",
                "optimizer_params": '{"max_bootstrapped_demos": 2, "max_labeled_demos": 2}',
                "metric": "exact_match",
                "train_split": "train",
                "val_split": "dev",
                "evaluate_baseline": "on",
            },
        )
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:experiments_experiment_change", args=[experiment.pk])
    shown = admin_client.get(response["Location"]).content.decode()
    assert experiment.status == "succeeded"
    assert 'role="progressbar"' in shown and 'aria-valuenow="100"' in shown
    assert "<svg" in shown and "scored trial 2: 100" in shown
    assert "qa v2" in shown


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1]", "JSON object"),
        ('{"bogus": 1}', "does not accept bogus"),
        ("[" * 1000 + "]" * 1000, "JSON nested deeper than 64 levels"),
        ('{"max_bootstrapped_demos": "\\u0000"}', "contains a NUL character"),
    ],
    ids=["not-json", "not-an-object", "unknown-param", "deep", "nul"],
)
def test_bad_parameters_are_shown_on_the_form(admin_client, qa_program, capitals_version, params, message):
    url = reverse("admin:programs_program_action", args=[qa_program.pk, "optimize"])
    response = admin_client.post(
        url,
        {
            "dataset_version": capitals_version.pk,
            "optimizer": "bootstrap_few_shot",
            "optimizer_params": params,
            "metric": "exact_match",
            "train_split": "train",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Experiment.objects.exists()


def test_the_program_list_action_leads_to_the_optimize_page(admin_client, qa_program):
    response = admin_client.post(
        reverse("admin:programs_program_changelist"),
        {"action": "optimize_action", "_selected_action": [qa_program.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:programs_program_action", args=[qa_program.pk, "optimize"])


@pytest.fixture
def running(qa_program, capitals_version):
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="bootstrap_few_shot",
        trials_total=4,
    )
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="baseline: v1", kind="baseline", score=25.0)
    return experiment


def test_a_running_experiment_page_reloads_and_can_be_cancelled(admin_client, running):
    page = admin_client.get(
        reverse("admin:experiments_experiment_change", args=[running.pk])
    ).content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'aria-valuenow="25"' in page
    assert 'id="experiment-cancel"' in page
    response = admin_client.post(reverse("admin:experiments_experiment_action", args=[running.pk, "cancel"]))
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == "cancelled"
    after = admin_client.get(
        reverse("admin:experiments_experiment_change", args=[running.pk])
    ).content.decode()
    assert 'http-equiv="refresh"' not in after and 'id="experiment-cancel"' not in after


def test_the_cancel_action_cancels_selected_experiments(admin_client, running):
    admin_client.post(
        reverse("admin:experiments_experiment_changelist"),
        {"action": "cancel_selected", "_selected_action": [running.pk]},
    )
    running.refresh_from_db()
    assert running.status == "cancelled"
