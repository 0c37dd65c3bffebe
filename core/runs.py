"""The status machine shared by long runs (experiments, evaluations).

``pending -> running -> succeeded | failed | cancelled``; a pending run may also be cancelled or
fail before it starts. Terminal states never change. :func:`run_transition` is the one place that
moves a row between states (the services of each app call it).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

__all__ = ["TERMINAL", "TRANSITIONS", "InvalidTransition", "RunStatus", "run_transition"]


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.PENDING: frozenset({RunStatus.RUNNING, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.RUNNING: frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}
TERMINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


class InvalidTransition(ValidationError):
    """The requested status change is not allowed from the row's current status."""

    def __init__(self, row: models.Model, current: str, target: str):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none: it is finished"
        super().__init__(
            f"{type(row).__name__} {row.pk} cannot go from {current} to {target} (allowed: {allowed})",
            code="invalid_transition",
            params={"current": current, "target": target},
        )
        self.current = current
        self.target = target


Run = TypeVar("Run", bound=models.Model)


def run_transition(*, run: Run, to: str, **fields: Any) -> Run:
    """Move ``run`` to status ``to`` (setting ``fields`` too), or raise :class:`InvalidTransition`.

    The row is locked while it changes, so two workers can never both start or finish one run.
    ``started_at`` is set on entering ``running``; ``finished_at`` on entering a terminal state.
    """
    if to not in TRANSITIONS:
        raise ValidationError(f"unknown status {to!r}", code="invalid_status")
    model = type(run)
    with transaction.atomic():
        current = model._default_manager.select_for_update().values_list("status", flat=True).get(pk=run.pk)
        if to not in TRANSITIONS[current]:
            # Every run model has a status; to mypy a Run is any Model, hence setattr.
            setattr(run, "status", current)  # noqa: B010
            raise InvalidTransition(run, current, to)
        now = timezone.now()
        changes: dict[str, Any] = {"status": to, **fields}
        if to == RunStatus.RUNNING:
            changes["started_at"] = now
        if to in TERMINAL:
            changes["finished_at"] = now
        if hasattr(run, "updated_at"):
            changes["updated_at"] = now
        model._default_manager.filter(pk=run.pk).update(**changes)
        for name, value in changes.items():
            setattr(run, name, value)
    return run
