"""Viewsets of the experiments API. Experiments are started by ``POST /api/programs/{id}/optimize/``;
here they are read and cancelled."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.rest import ApiViewMixin
from experiments import selectors, services
from experiments.api.filters import ExperimentFilter
from experiments.api.serializers import ExperimentSerializer, TrialSerializer
from experiments.models import Trial

__all__ = ["ExperimentViewSet", "TrialViewSet"]


class ExperimentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Optimize runs: status, progress, best score and the resulting program version."""

    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter
    search_fields = ["optimizer"]
    ordering_fields = ["id", "created_at", "finished_at", "best_score", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return selectors.experiment_list(user=self.request.user)

    @extend_schema(
        summary="Cancel the experiment",
        description="Stop a pending or running experiment. A running one stops at its next trial and "
        "keeps the trials it recorded; no program version is created. A finished experiment "
        "cannot be cancelled (400, code `invalid_transition`).",
        request=None,
        responses={200: ExperimentSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        experiment = services.experiment_cancel(experiment=self.get_object())
        experiment = self.get_queryset().get(pk=experiment.pk)
        return Response(self.get_serializer(experiment).data, status=status.HTTP_200_OK)


EXPERIMENT_PK = OpenApiParameter(
    "experiment_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Experiment id"
)


@extend_schema_view(
    list=extend_schema(parameters=[EXPERIMENT_PK]), retrieve=extend_schema(parameters=[EXPERIMENT_PK])
)
class TrialViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The scored candidates of one experiment (``/api/experiments/{id}/trials/``)."""

    serializer_class = TrialSerializer
    ordering_fields = ["id", "created_at", "score"]
    ordering = ["created_at", "id"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Trial.objects.none()
        experiments = selectors.experiment_list(user=self.request.user)
        experiment = get_object_or_404(experiments, pk=self.kwargs["experiment_pk"])
        return selectors.trial_list(experiment=experiment)
