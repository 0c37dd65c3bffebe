"""A worker SIGKILLed in the middle of an experiment loses nothing: Redis redelivers the task, a
second worker resumes the run, and no trial or program version is duplicated."""

from __future__ import annotations

import json
import signal
import time

import pytest

from datasets.services import dataset_create, dataset_import
from experiments.models import Experiment
from experiments.services import program_optimize
from programs.models import ProgramVersion
from tests.celery.conftest import worker_log

pytestmark = pytest.mark.django_db(transaction=True)

TRAIN = 16


def _wait(predicate, what: str, workers, timeout: float = 150.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    logs = "\n\n".join(worker_log(w) for w in workers)
    pytest.fail(f"timed out waiting for {what}:\n{logs}")


def test_the_redelivered_experiment_finishes_without_duplicates(
    openai_stub, qa_signature, qa_program, user, start_worker
):
    dataset = dataset_create(name="many", signature=qa_signature, owner=user)
    lines = [json.dumps({"question": f"Question {i}?", "answer": "yes"}) for i in range(TRAIN)]
    lines += [json.dumps({"question": f"Dev {i}?", "answer": "yes", "split": "dev"}) for i in range(2)]
    version = dataset_import(dataset=dataset, file="\n".join(lines).encode())
    # Never the right answer, so BootstrapFewShot tries every training example; slow enough to kill.
    openai_stub.set_default("[[ ## answer ## ]]\nno\n\n[[ ## completed ## ]]", delay=0.15)

    first = start_worker()  # the default visibility timeout: its task stays reserved while it runs
    experiment = program_optimize(program=qa_program, dataset_version=version)
    row = Experiment.objects.filter(pk=experiment.pk)
    _wait(lambda: row.get().trials_done >= 4, "the first worker's trials", [first])
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = row.get().trials_done
    assert row.get().status == "running"

    second = start_worker(CELERY_VISIBILITY_TIMEOUT="2")  # the dead worker's task is back after 2 s
    _wait(lambda: row.get().status != "running", "the redelivered experiment", [first, second])

    experiment = row.get()
    assert experiment.status == "succeeded", experiment.error
    assert experiment.attempts == 2
    candidates = list(experiment.trials.values_list("candidate", flat=True))
    assert len(candidates) == len(set(candidates)) == experiment.trials_done
    bootstrap = [c for c in candidates if c.startswith("bootstrap: ")]
    assert len(bootstrap) == TRAIN  # every example once: the ones before the kill were not redone
    assert killed_at < experiment.trials_done
    assert ProgramVersion.objects.filter(source="experiment", program=qa_program).count() == 1
