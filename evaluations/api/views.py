"""Viewsets of the evaluations API. Thin: validate the request's shape, call a service or
selector, render the result. Every queryset starts from a selector scoped to the requesting user,
so other users' evaluations are 404."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.rest import ApiViewMixin, InputOutputMixin
from evaluations import selectors, services
from evaluations.api.filters import EvaluationFilter, EvaluationResultFilter
from evaluations.api.serializers import (
    EvaluationInputSerializer,
    EvaluationResultSerializer,
    EvaluationSerializer,
)
from evaluations.models import Evaluation, EvaluationResult

__all__ = ["EvaluationResultViewSet", "EvaluationViewSet"]

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")
CONFLICT = OpenApiResponse(OpenApiTypes.OBJECT, description="It has already finished")

CREATE_DESCRIPTION = """Create an evaluation and start it: a worker runs the program version on
every example of the split and scores each with the metrics.

- **202**: the evaluation, pending (or further along); follow it with `GET /api/evaluations/{id}/`
  (`status`, `examples_done`/`examples_total`, running `score`) and its `results/`.
- **400**: keyed by field: `program`, `program_version_number`, `dataset`,
  `dataset_version_number`, `split` (unknown, or no examples), `metrics` (unknown names or
  options, e.g. `metrics[1]: unknown metric 'acc'`), `concurrency`, `limit`.
"""


@extend_schema_view(
    create=extend_schema(
        summary="Create and start an evaluation",
        description=CREATE_DESCRIPTION,
        request=EvaluationInputSerializer,
        responses={202: EvaluationSerializer, 400: ERROR},
    )
)
class EvaluationViewSet(
    ApiViewMixin,
    InputOutputMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Scored runs of a program version over one split of a dataset version."""

    serializer_class = EvaluationSerializer
    input_serializer_class = EvaluationInputSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["id", "created_at", "finished_at", "score", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return selectors.evaluation_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input()
        program_version, dataset_version = selectors.evaluation_versions(
            program=data["program"],
            dataset=data["dataset"],
            program_version_number=data.get("program_version_number"),
            dataset_version_number=data.get("dataset_version_number"),
        )
        with transaction.atomic():
            evaluation = services.evaluation_create(
                program_version=program_version,
                dataset_version=dataset_version,
                split=data["split"],
                metrics=data.get("metrics"),
                concurrency=data.get("concurrency"),
                limit=data.get("limit"),
                owner=request.user,
            )
            services.evaluation_enqueue(evaluation=evaluation)
        evaluation = self.get_queryset().get(pk=evaluation.pk)  # eager tasks may have run already
        location = reverse("evaluation-detail", args=[evaluation.pk], request=request)
        return Response(
            self.output(evaluation), status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


EVALUATION_PK = OpenApiParameter(
    "evaluation_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Evaluation id"
)


@extend_schema_view(
    list=extend_schema(parameters=[EVALUATION_PK]), retrieve=extend_schema(parameters=[EVALUATION_PK])
)
class EvaluationResultViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """One row per example of an evaluation (``/api/evaluations/{id}/results/``): filter with
    ``failed=true`` (errors only), ``min_score``/``max_score``; order with ``ordering=score``."""

    serializer_class = EvaluationResultSerializer
    filterset_class = EvaluationResultFilter
    ordering_fields = ["id", "score", "latency_ms", "example__position"]
    ordering = ["example__position"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return EvaluationResult.objects.none()
        evaluations = selectors.evaluation_list(user=self.request.user)
        evaluation: Evaluation = get_object_or_404(evaluations, pk=self.kwargs["evaluation_pk"])
        return selectors.evaluation_result_list(evaluation=evaluation)
