"""Experiments and evaluations (with trials and results) are readable; experiments cannot be
written through the API until their runner exists (evaluations are started with POST: see
test_evaluations_start_with_202_and_run_in_the_background.py)."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create, evaluation_result_record, evaluation_start
from experiments.services import experiment_create, experiment_start, trial_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def version_pair(user, qa_program, make_dataset):
    lines = [{"question": f"q{i}", "answer": f"a{i}", "split": "dev"} for i in range(3)]
    return qa_program.current_version, make_dataset(user, lines=lines).versions.get()


def test_an_experiment_shows_its_progress_and_trials(ada_api, user, version_pair):
    program_version, dataset_version = version_pair
    experiment = experiment_create(
        program_version=program_version,
        dataset_version=dataset_version,
        optimizer="BootstrapFewShot",
        optimizer_params={"max_bootstrapped_demos": 2},
        trials_total=4,
        owner=user,
    )
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="c0", score=0.5)
    trial_record(experiment=experiment, candidate="c1", score=0.75)
    body = ada_api.get(f"/api/experiments/{experiment.pk}/").json()
    assert body["status"] == "running"
    assert (body["trials_done"], body["trials_total"], body["progress"]) == (2, 4, 0.5)
    assert body["best_score"] == 0.75
    assert body["score_trajectory"] == [0.5, 0.75]
    assert (body["program"], body["program_version_number"]) == (program_version.program_id, 1)
    assert body["dataset_version_number"] == 1
    assert body["optimizer_params"] == {"max_bootstrapped_demos": 2}
    trials = ada_api.get(f"/api/experiments/{experiment.pk}/trials/", {"ordering": "-score"}).json()
    assert [t["candidate"] for t in trials["results"]] == ["c1", "c0"]
    assert ada_api.get("/api/experiments/", {"status": "running"}).json()["count"] == 1
    assert ada_api.get("/api/experiments/", {"status": "succeeded"}).json()["count"] == 0


def test_an_evaluation_shows_one_result_per_example(ada_api, user, version_pair):
    program_version, dataset_version = version_pair
    evaluation = evaluation_create(
        program_version=program_version, dataset_version=dataset_version, metrics=["exact_match"], owner=user
    )
    evaluation_start(evaluation=evaluation)
    examples = list(dataset_version.examples.order_by("position"))
    evaluation_result_record(
        evaluation=evaluation, example=examples[0], prediction={"answer": "a0"}, score=1.0
    )
    evaluation_result_record(
        evaluation=evaluation, example=examples[1], prediction=None, score=None, error="boom"
    )
    body = ada_api.get(f"/api/evaluations/{evaluation.pk}/").json()
    assert (body["split"], body["examples_done"], body["examples_total"]) == ("dev", 2, 3)
    results = ada_api.get(f"/api/evaluations/{evaluation.pk}/results/").json()["results"]
    assert [(r["position"], r["inputs"], r["score"]) for r in results] == [
        (0, {"question": "q0"}, 1.0),
        (1, {"question": "q1"}, None),
    ]
    failed = ada_api.get(f"/api/evaluations/{evaluation.pk}/results/", {"failed": "true"}).json()
    assert [r["error"] for r in failed["results"]] == ["boom"]
    assert ada_api.get("/api/evaluations/", {"split": "test"}).json()["count"] == 0


@pytest.mark.parametrize("url", ["/api/experiments/"])
def test_they_cannot_be_created_through_the_api(ada_api, url):
    assert ada_api.post(url, {}, format="json").status_code == 405
