"""Viewsets of the evaluations API. Thin: validate the request's shape, call a service or
selector, render the result. Every queryset starts from a selector scoped to the requesting user,
so other users' evaluations are 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.rest import ApiViewMixin, InputOutputMixin
from evaluations import selectors
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


class EvaluationViewSet(
    ApiViewMixin,
    InputOutputMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Scored runs of a program version over one split of a dataset version."""

    # POST to the collection is the declared action ``evaluation.start`` (evaluations/actions.py).

    serializer_class = EvaluationSerializer
    input_serializer_class = EvaluationInputSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["id", "created_at", "finished_at", "score", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return selectors.evaluation_list(user=self.request.user)


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
