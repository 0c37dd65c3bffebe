"""Experiments move pending -> running -> succeeded | failed | cancelled, and nowhere else."""

from __future__ import annotations

import pytest

from core.runs import InvalidTransition, RunStatus
from experiments.models import Experiment
from experiments.services import (
    experiment_cancel,
    experiment_create,
    experiment_fail,
    experiment_finish,
    experiment_start,
)
from programs.services import program_version_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def experiment(qa_program, qa_dataset_version, user):
    return experiment_create(
        program_version=qa_program.current_version,
        dataset_version=qa_dataset_version,
        optimizer="BootstrapFewShot",
        optimizer_params={"max_bootstrapped_demos": 4},
        trials_total=4,
        owner=user,
    )


def test_a_new_experiment_is_pending(experiment, user):
    assert experiment.status == RunStatus.PENDING
    assert experiment.owner == user
    assert (experiment.trials_done, experiment.progress) == (0, 0.0)


def test_it_runs_and_succeeds_with_a_result_version(experiment, qa_program):
    experiment_start(experiment=experiment)
    assert experiment.status == RunStatus.RUNNING and experiment.started_at is not None
    result = program_version_create(
        program=qa_program, state=qa_program.current_version.state, source="experiment"
    )
    experiment_finish(experiment=experiment, result_version=result)
    stored = Experiment.objects.get(pk=experiment.pk)
    assert stored.status == RunStatus.SUCCEEDED
    assert stored.result_version == result
    assert stored.finished_at >= stored.started_at


def test_it_can_fail_with_an_error(experiment):
    experiment_start(experiment=experiment)
    experiment_fail(experiment=experiment, error="metric raised")
    stored = Experiment.objects.get(pk=experiment.pk)
    assert (stored.status, stored.error) == (RunStatus.FAILED, "metric raised")


@pytest.mark.parametrize("started", [False, True])
def test_it_can_be_cancelled_before_or_while_running(experiment, started):
    if started:
        experiment_start(experiment=experiment)
    experiment_cancel(experiment=experiment)
    assert Experiment.objects.get(pk=experiment.pk).status == RunStatus.CANCELLED


def test_a_pending_experiment_cannot_succeed(experiment):
    with pytest.raises(InvalidTransition) as caught:
        experiment_finish(experiment=experiment)
    assert "cannot go from pending to succeeded" in caught.value.messages[0]
    assert Experiment.objects.get(pk=experiment.pk).status == RunStatus.PENDING


@pytest.mark.parametrize("finish", [experiment_finish, experiment_cancel])
def test_a_finished_experiment_never_changes_again(experiment, finish):
    experiment_start(experiment=experiment)
    finish(experiment=experiment)
    for action in (experiment_start, experiment_cancel):
        with pytest.raises(InvalidTransition) as caught:
            action(experiment=experiment)
        assert "allowed: none" in caught.value.messages[0]


def test_the_transition_checks_the_stored_status_not_a_stale_copy(experiment):
    stale = Experiment.objects.get(pk=experiment.pk)
    experiment_start(experiment=experiment)
    experiment_cancel(experiment=experiment)
    with pytest.raises(InvalidTransition):
        experiment_start(experiment=stale)
    assert stale.status == RunStatus.CANCELLED
