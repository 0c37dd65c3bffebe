"""Errors raised by program services."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from programs.models import Execution

__all__ = ["ExecutionFailed"]


class ExecutionFailed(Exception):
    """A program run failed (LM error, unparseable response, ...); its Execution row says why.

    ``execution`` is the failed row (status ``failed``, ``error`` set, LM calls traced).
    """

    def __init__(self, execution: Execution, message: str):
        super().__init__(f"Execution {execution.pk} of {execution.program_version} failed: {message}")
        self.execution = execution
