"""Trials are unique per candidate and advance the experiment's progress fields."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from experiments.models import Trial
from experiments.services import experiment_create, experiment_start, trial_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def experiment(qa_program, qa_dataset_version):
    return experiment_create(
        program_version=qa_program.current_version,
        dataset_version=qa_dataset_version,
        optimizer="BootstrapFewShot",
        trials_total=3,
    )


def test_trials_update_progress_best_score_and_trajectory(experiment):
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="c0", score=0.5)
    trial_record(experiment=experiment, candidate="c1", score=0.25, details={"demos": 2})
    trial_record(experiment=experiment, candidate="c2", score=0.75)
    assert experiment.trials_done == 3
    assert experiment.best_score == 0.75
    assert experiment.score_trajectory == [0.5, 0.5, 0.75]
    assert experiment.progress == 1.0
    assert [t.candidate for t in experiment.trials.all()] == ["c0", "c1", "c2"]


def test_a_candidate_is_recorded_once(experiment):
    experiment_start(experiment=experiment)
    first = trial_record(experiment=experiment, candidate="c0", score=0.5)
    again = trial_record(experiment=experiment, candidate="c0", score=0.9)  # a replayed run
    assert again.pk == first.pk and again.score == 0.5
    assert experiment.trials_done == 1
    assert experiment.score_trajectory == [0.5]


def test_the_database_refuses_a_second_row_for_a_candidate(experiment):
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="c0", score=0.5)
    with pytest.raises(IntegrityError):
        Trial.objects.create(experiment=experiment, candidate="c0", score=0.9)


def test_per_example_trials_do_not_move_the_best_score(experiment):
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="baseline: v1", kind="baseline", score=20.0)
    trial_record(experiment=experiment, candidate="bootstrap: example 0", kind="bootstrap", score=1.0)
    trial_record(experiment=experiment, candidate="compiled: result", kind="compiled", score=60.0)
    assert experiment.trials_done == 3
    assert experiment.baseline_score == 20.0
    assert experiment.best_score == 60.0
    assert experiment.score_trajectory == [20.0, 60.0]


def test_trials_are_refused_unless_the_experiment_runs(experiment):
    with pytest.raises(ValidationError) as caught:
        trial_record(experiment=experiment, candidate="c0", score=0.5)
    assert "only while it runs" in caught.value.messages[0]
