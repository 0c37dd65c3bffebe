"""Errors of pipeline specs (validation) and runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dspex.pipelines.records import StepRecord

__all__ = ["PipelineError", "PipelineIssue", "PipelineValidationError"]


@dataclass(frozen=True, slots=True)
class PipelineIssue:
    """One problem in a spec: ``path`` points into it (``steps[2].then[0].signature``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PipelineValidationError(ValueError):
    """A pipeline spec is invalid; ``issues`` lists every problem found, each with its path."""

    def __init__(self, issues: list[PipelineIssue]):
        self.issues = list(issues)
        count = len(self.issues)
        lines = "\n".join(f"  {issue}".replace("\n", "\n  ") for issue in self.issues)
        super().__init__(f"invalid pipeline spec ({count} problem{'s' if count != 1 else ''}):\n{lines}")

    def as_dict(self) -> dict[str, list[str]]:
        """``{path: [messages]}`` (paths in spec order), e.g. for an API error body."""
        result: dict[str, list[str]] = {}
        for issue in self.issues:
            result.setdefault(issue.path, []).append(issue.message)
        return result


class PipelineError(RuntimeError):
    """A pipeline run failed in its own logic (an expression, a map over a non-list, ...).

    ``path`` and ``step_id`` name the step; ``steps`` holds the records of the steps that
    finished before the failure; ``budget`` names the budget the run would have exceeded
    (``max_elements``, ``max_step_runs``, ...; ``None`` for other failures). Errors raised by a
    step's module (LM errors, parse errors, input validation) are re-raised as they are, with a
    note naming the step and with the same ``pipeline_steps`` attribute.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str,
        step_id: str | None = None,
        cause: Any = None,
        budget: str | None = None,
    ):
        self.reason = reason
        self.path = path
        self.step_id = step_id
        self.budget = budget
        self.steps: list[StepRecord] = []
        super().__init__(f"{path}: {reason}" if path else reason)
        if cause is not None:
            self.__cause__ = cause
