"""Celery dispatch of every background action through one generic task."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from actions.declaration import Action
from actions.registry import get

__all__ = ["enqueue", "run_action"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, name="actions.run_action")
def run_action(action_key: str, row_id: int) -> None:
    """Run the background part of ``action_key`` for its status row ``row_id`` (also when
    redelivered after a worker died: the run functions resume or skip finished rows)."""
    background = get(action_key).background
    if background is None:
        raise ValueError(f"action {action_key!r} has no background mode")
    background.run(row_id)


def enqueue(action: Action, row_id: int) -> None:
    """Queue ``run_action(action.key, row_id)`` once the current transaction commits (so the worker
    sees the row)."""
    transaction.on_commit(lambda: run_action.delay(action.key, row_id))
