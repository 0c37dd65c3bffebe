"""``POST /api/programs/{id}/optimize/`` starts an experiment; ``/cancel/`` stops one."""

from __future__ import annotations

import pytest

from experiments.models import Experiment
from experiments.services import experiment_create

pytestmark = pytest.mark.django_db


def test_optimize_answers_202_and_the_experiment_produces_a_version(
    ada_api, qa_program, capitals_version, demo_dependent_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_api.post(
            f"/api/programs/{qa_program.pk}/optimize/",
            {
                "dataset_version": capitals_version.pk,
                "optimizer": "bootstrap_few_shot",
                "optimizer_params": {"max_bootstrapped_demos": 2, "max_labeled_demos": 2},
                "promote": True,
            },
            format="json",
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"].endswith(f"/api/experiments/{body['id']}/")
    detail = ada_api.get(f"/api/experiments/{body['id']}/").json()
    assert detail["status"] == "succeeded"
    assert (detail["baseline_score"], detail["best_score"]) == (0.0, 100.0)
    assert detail["trials_done"] == detail["trials_total"]
    assert detail["result_version_number"] == 2
    assert ada_api.get(f"/api/programs/{qa_program.pk}/").json()["current_version"] == 2
    trials = ada_api.get(f"/api/experiments/{body['id']}/trials/").json()["results"]
    assert trials[0]["kind"] == "baseline" and trials[-1]["kind"] == "compiled"


def test_the_202_comes_before_the_work_when_a_broker_runs_it(
    ada_api, qa_program, capitals_version, openai_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = ada_api.post(
            f"/api/programs/{qa_program.pk}/optimize/",
            {"dataset_version": capitals_version.pk},
            format="json",
        )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert len(callbacks) == 1
    assert openai_stub.completion_requests() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"optimizer": "nope"}, "optimizer"),
        ({"metric": "nope"}, "metric"),
        ({"optimizer_params": {"bogus": 1}}, "optimizer_params"),
        ({"optimizer_params": "not an object"}, "optimizer_params"),
        ({"train_split": "test"}, "train_split"),
        ({"version": 9}, "version"),
    ],
)
def test_bad_optimize_requests_are_400_naming_the_field(ada_api, qa_program, capitals_version, body, field):
    response = ada_api.post(
        f"/api/programs/{qa_program.pk}/optimize/",
        {"dataset_version": capitals_version.pk, **body},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Experiment.objects.exists()


def test_someone_elses_dataset_version_is_not_usable(grace_api, other_user, make_program, capitals_version):
    program = make_program(other_user)
    response = grace_api.post(
        f"/api/programs/{program.pk}/optimize/", {"dataset_version": capitals_version.pk}, format="json"
    )
    assert response.status_code == 400
    assert "dataset_version" in response.json()


def test_cancel_stops_a_pending_experiment_and_refuses_a_finished_one(
    ada_api, grace_api, user, qa_program, capitals_version
):
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="labeled_few_shot",
        owner=user,
    )
    assert grace_api.post(f"/api/experiments/{experiment.pk}/cancel/").status_code == 404
    response = ada_api.post(f"/api/experiments/{experiment.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = ada_api.post(f"/api/experiments/{experiment.pk}/cancel/")
    assert again.status_code == 400
    assert "cannot go from cancelled to cancelled" in str(again.json())
