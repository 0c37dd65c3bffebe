"""The actions of evaluations, declared once (see ``actions``)."""

from __future__ import annotations

from typing import Any

from actions import Action, Failure, Outcome
from core.runs import InvalidTransition
from evaluations.api.serializers import EvaluationSerializer
from evaluations.models import Evaluation
from evaluations.services import evaluation_cancel

__all__ = ["CANCEL_EVALUATION", "EvaluationFinished", "declared"]


class EvaluationFinished(Exception):
    """Only a pending or running evaluation can be cancelled."""

    def __init__(self, evaluation: Evaluation, current: str) -> None:
        super().__init__(
            f"evaluation {evaluation.pk} is {current}: only a pending or running one can be cancelled"
        )


def _cancel(*, target: Evaluation, user: Any) -> Evaluation:
    try:
        evaluation_cancel(evaluation=target)
    except InvalidTransition as exc:
        raise EvaluationFinished(target, exc.current) from None
    target.refresh_from_db()
    return target


CANCEL_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="cancel",
    summary="Cancel an evaluation",
    description="A pending evaluation never runs; a running one stops between examples and keeps the "
    "results it has (its aggregates are those over them). A finished one cannot be cancelled "
    "(code `finished`; REST answers 409).",
    service=_cancel,
    result=Outcome(serializer=EvaluationSerializer),
    failures=(
        Failure(
            EvaluationFinished,
            code="finished",
            status=409,
            field="id",
            rest_body=lambda exc: {"detail": str(exc)},
        ),
    ),
)


def declared() -> list[Action]:
    return [CANCEL_EVALUATION]
