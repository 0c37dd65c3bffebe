"""Viewsets of the evaluations API (read-only: the runner arrives with the optimization work)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from dspex_project.rest import ApiViewMixin
from evaluations import selectors
from evaluations.api.filters import EvaluationFilter, EvaluationResultFilter
from evaluations.api.serializers import EvaluationResultSerializer, EvaluationSerializer
from evaluations.models import EvaluationResult

__all__ = ["EvaluationResultViewSet", "EvaluationViewSet"]


class EvaluationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Scored runs of a program version over one split of a dataset version."""

    serializer_class = EvaluationSerializer
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
    """One row per example of an evaluation (``/api/evaluations/{id}/results/``)."""

    serializer_class = EvaluationResultSerializer
    filterset_class = EvaluationResultFilter
    ordering_fields = ["id", "score", "latency_ms", "example__position"]
    ordering = ["example__position"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return EvaluationResult.objects.none()
        evaluations = selectors.evaluation_list(user=self.request.user)
        evaluation = get_object_or_404(evaluations, pk=self.kwargs["evaluation_pk"])
        return selectors.evaluation_result_list(evaluation=evaluation)
