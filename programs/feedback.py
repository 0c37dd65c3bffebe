"""Feedback on executions: a user's score, label, correction and comment for one run.

One row per user and execution: giving feedback again replaces the user's earlier feedback, so
a retried request (or a changed mind) never counts twice. A correction names output fields of
the program's signature, with the values the run should have given; the feedback of production
traffic becomes training data through it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from core.users import Caller
from programs.gateway.signatures import signature_from_row
from programs.models import Execution, ExecutionFeedback

__all__ = ["execution_feedback_give"]


def _check_correction(execution: Execution, correction: Any) -> None:
    if not isinstance(correction, dict) or not correction:
        raise ValidationError({"correction": ["a correction is an object of output field values"]})
    outputs = set(signature_from_row(execution.program_version.program.signature).output_fields)
    unknown = sorted(set(correction) - outputs)
    if unknown:
        raise ValidationError(
            {"correction": [f"not output fields of the program: {', '.join(unknown)} (its outputs: "
                            f"{', '.join(sorted(outputs))})"]}
        )  # fmt: skip


def execution_feedback_give(
    *,
    execution: Execution,
    user: Caller | None,
    score: float | None = None,
    label: str = "",
    correction: dict[str, Any] | None = None,
    comment: str = "",
) -> ExecutionFeedback:
    """Record ``user``'s feedback on ``execution`` (replacing theirs, if any)."""
    if user is None or not user.is_authenticated:
        raise ValidationError("feedback comes from a signed-in user (the shell and commands: name one)")
    if score is None and not label and correction is None and not comment:
        raise ValidationError({"score": ["give a score, a label, a correction or a comment"]})
    if correction is not None:
        _check_correction(execution, correction)
    feedback, _ = ExecutionFeedback.objects.update_or_create(
        execution=execution,
        user=user,
        defaults={"score": score, "label": label, "correction": correction, "comment": comment},
    )
    return feedback
