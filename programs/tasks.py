"""Celery tasks: thin wrappers that take ids and call services.

New runs are queued on the action layer's generic task (``actions.run_action``, ``program.execute``);
``run_execution`` stays registered so that messages queued before that change still run.
"""

from __future__ import annotations

from celery import shared_task

from programs.services import execution_run

__all__ = ["run_execution"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_execution(execution_id: int) -> None:
    """Run a pending Execution; its status, outputs and error are written to the row."""
    execution_run(execution_id=execution_id)
