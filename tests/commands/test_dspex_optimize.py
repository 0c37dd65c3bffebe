"""``manage.py dspex_optimize``: runs an experiment in the foreground with progress, or enqueues it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from experiments.models import Experiment

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("dspex_optimize", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_optimizes_in_the_foreground_and_prints_both_scores(
    qa_program, capitals_version, demo_dependent_stub
):
    out, err = _run(
        "qa",
        "--dataset",
        "capitals",
        "--param",
        "max_bootstrapped_demos=2",
        "--param",
        "max_labeled_demos=2",
        "--promote",
    )
    assert "exact_match on the dev split: baseline 0.0 -> optimized 100.0" in out
    assert "New version: qa v2 (now current)" in out
    experiment = Experiment.objects.get()
    assert f"optimizing (best 100.0) [{'#' * 30}] {experiment.trials_done}/{experiment.trials_done}" in err
    qa_program.refresh_from_db()
    assert qa_program.current_version.number == 2


def test_background_only_enqueues(
    qa_program, capitals_version, openai_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out, _ = _run("qa", "--dataset", "capitals", "--background")
    assert "is pending; follow it at /api/experiments/" in out
    assert len(callbacks) == 1
    assert openai_stub.completion_requests() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizer", "nope"], "optimizer: unknown optimizer 'nope'"),
        (["--param", "nonsense"], "--param takes NAME=VALUE"),
        (["--param", "bogus=1"], "does not accept bogus"),
        (["--dataset-version", "7"], "has no version 7"),
    ],
)
def test_bad_arguments_are_clear_errors(qa_program, capitals_version, args, message):
    with pytest.raises(CommandError, match=message):
        _run("qa", "--dataset", "capitals", *args)
    assert not Experiment.objects.exists()


def test_a_failed_experiment_is_a_command_error_with_the_reason(qa_program, capitals_version, openai_stub):
    openai_stub.responder = lambda request: {"status": 400, "body": {"error": {"message": "exploded"}}}
    with pytest.raises(CommandError, match=r"failed: .*exploded"):
        _run("qa", "--dataset", "capitals", "--optimizer", "labeled_few_shot")
