"""Runs left ``running`` by a process that died (no heartbeat for ``DSPEX_STALE_RUN_AFTER``) are
finished by the reaper: executions fail with "worker lost"; experiments and evaluations, which
resume, are queued again while they have attempts left and a broker can take them. Live runs,
which beat, are never touched."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from core.heartbeat import Heartbeat
from core.reaper import reap_if_due, reap_stale_runs
from evaluations.models import Evaluation
from evaluations.services import evaluation_create
from experiments.models import Experiment
from experiments.services import experiment_create
from programs.models import Execution

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(minutes=10)


def running(model, row, *, beat_ago: timedelta | None, **fields):
    """Put ``row`` in ``running`` with its last heartbeat ``beat_ago`` (None: never beat)."""
    now = timezone.now()
    heartbeat = None if beat_ago is None else now - beat_ago
    model.objects.filter(pk=row.pk).update(
        status="running", started_at=now - LONG_AGO, heartbeat_at=heartbeat, **fields
    )
    return model.objects.get(pk=row.pk)


@pytest.fixture
def execution(qa_program):
    return Execution.objects.create(program_version=qa_program.current_version, inputs={"question": "q"})


@pytest.fixture
def evaluation(qa_program, capitals_version):
    return evaluation_create(program_version=qa_program.current_version, dataset_version=capitals_version)


@pytest.fixture
def experiment(qa_program, capitals_version):
    return experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="labeled_few_shot",
    )


def test_a_lost_execution_is_failed_with_when_it_was_last_seen(execution):
    running(Execution, execution, beat_ago=LONG_AGO)
    reaped = reap_stale_runs()
    execution.refresh_from_db()
    assert execution.status == "failed" and execution.finished_at is not None
    assert execution.error.startswith("worker lost: no heartbeat since ")
    assert "(stale after 120 s)" in execution.error
    assert [(r.model, r.pk, r.outcome) for r in reaped] == [("programs.Execution", execution.pk, "failed")]


def test_one_that_never_beat_counts_from_its_start(execution):
    running(Execution, execution, beat_ago=None)
    reap_stale_runs()
    assert Execution.objects.get(pk=execution.pk).status == "failed"


def test_live_pending_and_finished_runs_are_left_alone(execution, qa_program):
    running(Execution, execution, beat_ago=timedelta(seconds=5))
    pending = Execution.objects.create(program_version=qa_program.current_version, inputs={})
    Execution.objects.filter(pk=pending.pk).update(created_at=timezone.now() - LONG_AGO)
    done = Execution.objects.create(program_version=qa_program.current_version, inputs={}, status="succeeded")
    assert reap_stale_runs() == []
    statuses = dict(Execution.objects.values_list("pk", "status"))
    assert statuses == {execution.pk: "running", pending.pk: "pending", done.pk: "succeeded"}


def test_without_a_broker_a_lost_evaluation_or_experiment_fails(evaluation, experiment):
    running(Evaluation, evaluation, beat_ago=LONG_AGO)
    running(Experiment, experiment, beat_ago=LONG_AGO, attempts=1)
    outcomes = {r.model: r.outcome for r in reap_stale_runs()}
    assert outcomes == {"evaluations.Evaluation": "failed", "experiments.Experiment": "failed"}
    for row in (Evaluation.objects.get(pk=evaluation.pk), Experiment.objects.get(pk=experiment.pk)):
        assert row.status == "failed" and row.error.startswith("worker lost")


def test_with_a_broker_they_are_queued_again_to_resume(
    settings, evaluation, experiment, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    running(Evaluation, evaluation, beat_ago=LONG_AGO, attempts=1)
    running(Experiment, experiment, beat_ago=LONG_AGO, attempts=2)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        outcomes = {r.model: r.outcome for r in reap_stale_runs()}
    assert outcomes == {"evaluations.Evaluation": "requeued", "experiments.Experiment": "requeued"}
    assert len(queued) == 2  # actions.run_action.delay() for each, once committed
    for row in (Evaluation.objects.get(pk=evaluation.pk), Experiment.objects.get(pk=experiment.pk)):
        assert row.status == "running"
        assert timezone.now() - row.heartbeat_at < timedelta(seconds=5)  # not stale again at once
    assert reap_stale_runs() == []


def test_a_run_out_of_attempts_fails_saying_so(settings, experiment, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    running(Experiment, experiment, beat_ago=LONG_AGO, attempts=3)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reap_stale_runs()
    assert queued == []
    experiment.refresh_from_db()
    assert experiment.status == "failed"
    assert "gave up after 3 attempts" in experiment.error


def test_the_command_lists_or_reaps(execution):
    running(Execution, execution, beat_ago=LONG_AGO)
    out = StringIO()
    call_command("dspex_reap", "--dry-run", stdout=out)
    assert f"programs.Execution {execution.pk}: last heartbeat" in out.getvalue()
    assert out.getvalue().rstrip().endswith("1 stale run(s) (no heartbeat for more than 120 s)")
    assert Execution.objects.get(pk=execution.pk).status == "running"
    out = StringIO()
    call_command("dspex_reap", "--older-than", "3600", stdout=out)
    assert "0 stale run(s)" in out.getvalue()
    call_command("dspex_reap", stdout=StringIO())
    assert Execution.objects.get(pk=execution.pk).status == "failed"


def test_opportunistic_reaping_runs_at_most_once_per_interval(execution, qa_program):
    cache.clear()
    running(Execution, execution, beat_ago=LONG_AGO)
    assert [r.pk for r in reap_if_due()] == [execution.pk]
    other = Execution.objects.create(program_version=qa_program.current_version, inputs={})
    running(Execution, other, beat_ago=LONG_AGO)
    assert reap_if_due() == []  # within DSPEX_REAP_INTERVAL of the last pass
    cache.clear()
    assert [r.pk for r in reap_if_due()] == [other.pk]


@pytest.mark.django_db(transaction=True)
def test_a_running_run_beats_until_it_ends(settings, execution):
    settings.DSPEX_HEARTBEAT_INTERVAL = 0.05
    running(Execution, execution, beat_ago=timedelta(seconds=60))  # old, not yet stale
    with Heartbeat(Execution, execution.pk):
        deadline = time.monotonic() + 5
        while Execution.objects.get(pk=execution.pk).heartbeat_at < timezone.now() - timedelta(seconds=5):
            assert time.monotonic() < deadline, "no heartbeat was written"
            time.sleep(0.02)
        assert reap_stale_runs() == []  # a beating run is alive, however long it runs
    last = Execution.objects.get(pk=execution.pk).heartbeat_at
    time.sleep(0.2)
    assert Execution.objects.get(pk=execution.pk).heartbeat_at == last  # it stopped with the run
