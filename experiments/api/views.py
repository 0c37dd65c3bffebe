"""Viewsets of the experiments API. Experiments are started by ``POST /api/programs/{id}/optimize/``;
here they are read and cancelled."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from core.rest import ApiViewMixin
from experiments import selectors
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
