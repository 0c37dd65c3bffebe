"""Celery tasks: thin wrappers that take ids and call services.

New runs are queued on the action layer's generic task (``actions.run_action``, ``evaluation.run``); this
task stays registered so that messages queued before that change still run.
"""

from __future__ import annotations

from celery import shared_task

from evaluations.services import evaluation_run

__all__ = ["run_evaluation"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_evaluation(evaluation_id: int) -> None:
    """Run (or, when redelivered after a worker died, resume) an evaluation; its progress, results
    and outcome are written to its rows."""
    evaluation_run(evaluation_id=evaluation_id)
