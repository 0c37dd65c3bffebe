"""Celery tasks: thin wrappers that take ids and call services.

New runs are queued on the action layer's generic task (``actions.run_action``, ``program.optimize``); this
task stays registered so that messages queued before that change still run.
"""

from __future__ import annotations

from celery import shared_task

from experiments.services import experiment_run

__all__ = ["run_experiment"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_experiment(experiment_id: int) -> None:
    """Run (or, when redelivered after a worker died, resume) an Experiment; progress, trials and
    the resulting ProgramVersion are written to the database."""
    experiment_run(experiment_id=experiment_id)
