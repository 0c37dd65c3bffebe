"""A redelivered experiment resumes without duplicating trials; a cancel stops a running one."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from datasets.services import dataset_create, dataset_import
from experiments.models import Experiment, Trial
from experiments.services import (
    experiment_cancel,
    experiment_create,
    experiment_run,
    experiment_start,
    program_optimize,
    trial_record,
)


@pytest.mark.django_db
def test_a_replayed_run_keeps_stored_trials_and_adds_only_the_missing_ones(
    qa_program, capitals_version, demo_dependent_stub
):
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="bootstrap_few_shot",
        optimizer_params={"max_bootstrapped_demos": 2, "max_labeled_demos": 2},
    )
    # What the first worker stored before it was killed: the baseline and one bootstrap trial.
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="baseline: v1", kind="baseline", score=0.0)
    trial_record(experiment=experiment, candidate="bootstrap: example 0", kind="bootstrap", score=1.0)
    before = len(demo_dependent_stub.completion_requests())

    experiment = experiment_run(experiment_id=experiment.pk)

    assert experiment.status == "succeeded", experiment.error
    candidates = list(experiment.trials.values_list("candidate", flat=True))
    assert len(candidates) == len(set(candidates))
    assert candidates[:2] == ["baseline: v1", "bootstrap: example 0"]
    assert candidates[-1] == "compiled: result"
    assert experiment.trials_done == len(candidates)
    assert experiment.score_trajectory == [0.0, 100.0]
    # The baseline was not evaluated again: every request of the replay carried demos.
    replay = demo_dependent_stub.completion_requests()[before:]
    assert replay and all(len(r.json["messages"]) > 2 for r in replay if "Italy" in str(r.json))


@pytest.mark.django_db
def test_a_finished_experiment_is_left_alone(qa_program, capitals_version, openai_stub):
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="labeled_few_shot",
    )
    experiment_cancel(experiment=experiment)
    assert experiment_run(experiment_id=experiment.pk).status == "cancelled"
    assert openai_stub.completion_requests() == []
    assert experiment_run(experiment_id=10**9) is None


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_experiment_stops_it_at_the_next_trial(
    qa_signature, qa_program, user, openai_stub, django_capture_on_commit_callbacks
):
    dataset = dataset_create(name="many", signature=qa_signature, owner=user)
    lines = [json.dumps({"question": f"Question {i}?", "answer": "yes"}) for i in range(40)]
    version = dataset_import(dataset=dataset, file="\n".join(lines).encode())
    calls = []

    def cancel_from_another_client() -> None:
        experiment_cancel(experiment=Experiment.objects.get())
        connection.close()

    def respond(request):
        calls.append(1)
        if len(calls) == 3:
            canceller = threading.Thread(target=cancel_from_another_client)
            canceller.start()
            canceller.join()
        return "[[ ## answer ## ]]\nno\n\n[[ ## completed ## ]]"  # never right: bootstrap goes on

    openai_stub.responder = respond
    openai_stub.set_default(delay=0.05)
    with django_capture_on_commit_callbacks(execute=True):
        experiment = program_optimize(
            program=qa_program, dataset_version=version, evaluate_baseline=False, val_split=""
        )
    experiment.refresh_from_db()
    assert experiment.status == "cancelled"
    assert experiment.result_version is None
    assert 2 <= experiment.trials_done < 40  # the trials finished before the cancel
    assert Trial.objects.filter(experiment=experiment).count() == experiment.trials_done
    assert len(calls) < 40
