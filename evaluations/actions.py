"""The actions of evaluations, declared once (see ``actions``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from actions import Action, Failure, Outcome, Shell
from core.rest import FirstRendererNegotiation
from core.runs import InvalidTransition
from evaluations.api.serializers import EvaluationSerializer
from evaluations.exports import EXPORT_FORMATS, evaluation_export_response
from evaluations.models import Evaluation
from evaluations.services import evaluation_cancel

__all__ = ["CANCEL_EVALUATION", "EXPORT_EVALUATION", "EvaluationExport", "EvaluationFinished", "declared"]


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


class ExportArguments(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(EXPORT_FORMATS), default="csv")


@dataclass(frozen=True)
class EvaluationExport:
    """The results of an evaluation in one format, streamed when downloaded."""

    evaluation: Evaluation
    format: str

    def response(self) -> StreamingHttpResponse:
        return evaluation_export_response(self.evaluation, self.format)

    def text(self) -> str:
        """The whole export at once (the shell's answer)."""
        return b"".join(self.response().streaming_content).decode()  # type: ignore[arg-type]


def _export(*, target: Evaluation, user: Any, format: str) -> EvaluationExport:
    return EvaluationExport(target, format)


EXPORT_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="export",
    summary="Download the results as CSV or JSON",
    description="Streamed, one example per line (CSV: `input.*`, `label.*`, `prediction.*`, "
    "`score`, `metric.*`, `error`, latency, tokens, cost) or a JSON document "
    "`{evaluation: {...}, results: [...]}`.",
    service=_export,
    arguments=ExportArguments,
    safe=True,
    result=Outcome(
        http_response=lambda export: export.response(),
        openapi={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Field name -> list of messages"
            ),
            (404, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Missing, or not yours"
            ),
        },
    ),
    rest_options={
        "renderer_classes": [JSONRenderer],  # errors; the export itself is a streamed response
        "content_negotiation_class": FirstRendererNegotiation,  # ?format= is ours, not DRF's
    },
    shell=Shell(result=lambda export: export.text()),
)


def declared() -> list[Action]:
    return [CANCEL_EVALUATION, EXPORT_EVALUATION]
