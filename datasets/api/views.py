"""Viewsets of the datasets API: datasets (+ import and export), versions, examples."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.rest import ApiViewMixin, GenericViewBase, InputOutputMixin
from datasets import selectors, services
from datasets.api.filters import DatasetFilter, ExampleFilter
from datasets.api.serializers import (
    DatasetInputSerializer,
    DatasetSerializer,
    DatasetVersionSerializer,
    ExampleSerializer,
)
from datasets.models import Dataset, DatasetVersion, Example

__all__ = ["DatasetVersionViewSet", "DatasetViewSet", "ExampleViewSet"]

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


@extend_schema_view(
    create=extend_schema(request=DatasetInputSerializer, responses={201: DatasetSerializer, 400: ERROR}),
    update=extend_schema(
        request=DatasetInputSerializer, responses={200: DatasetSerializer, 400: ERROR, 404: NOT_FOUND}
    ),
    partial_update=extend_schema(
        request=DatasetInputSerializer, responses={200: DatasetSerializer, 400: ERROR, 404: NOT_FOUND}
    ),
)
class DatasetViewSet(ApiViewMixin, InputOutputMixin, viewsets.ModelViewSet):
    """Datasets; their examples live in immutable versions created by ``import``."""

    serializer_class = DatasetSerializer
    input_serializer_class = DatasetInputSerializer
    filterset_class = DatasetFilter
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "created_at", "updated_at"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet:
        return selectors.dataset_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dataset = services.dataset_create(**self.validated_input(), owner=request.user)
        dataset = self.get_queryset().get(pk=dataset.pk)
        return Response(self.output(dataset), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dataset = self.get_object()
        data = self.validated_input(partial=kwargs.get("partial", False))
        dataset = services.dataset_update(dataset=dataset, **data)
        dataset = self.get_queryset().get(pk=dataset.pk)
        return Response(self.output(dataset))


DATASET_PK = OpenApiParameter("dataset_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Dataset id")
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number")
VERSION_NUMBER = OpenApiParameter(
    "version_number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number"
)
POSITION = OpenApiParameter("position", OpenApiTypes.INT, OpenApiParameter.PATH, description="0-based")


class _DatasetChildMixin(ApiViewMixin, GenericViewBase):
    def get_dataset(self) -> Dataset:
        if not hasattr(self, "_dataset"):
            datasets = selectors.dataset_list(user=self.request.user)
            self._dataset = get_object_or_404(datasets, pk=self.kwargs["dataset_pk"])
        return self._dataset


@extend_schema_view(
    list=extend_schema(parameters=[DATASET_PK]), retrieve=extend_schema(parameters=[DATASET_PK, NUMBER])
)
class DatasetVersionViewSet(_DatasetChildMixin, viewsets.ReadOnlyModelViewSet):
    """Immutable, numbered snapshots (``/api/datasets/{id}/versions/{number}/``)."""

    serializer_class = DatasetVersionSerializer
    ordering_fields = ["number", "created_at"]
    ordering = ["-number"]
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return DatasetVersion.objects.none()
        return selectors.dataset_version_list(dataset=self.get_dataset())


@extend_schema_view(
    list=extend_schema(parameters=[DATASET_PK, VERSION_NUMBER]),
    retrieve=extend_schema(parameters=[DATASET_PK, VERSION_NUMBER, POSITION]),
)
class ExampleViewSet(
    _DatasetChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The examples of one version (``?split=dev``), in file order."""

    serializer_class = ExampleSerializer
    filterset_class = ExampleFilter
    ordering_fields = ["position"]
    ordering = ["position"]
    lookup_field = "position"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Example.objects.none()
        versions = selectors.dataset_version_list(dataset=self.get_dataset())
        version = get_object_or_404(versions, number=self.kwargs["version_number"])
        return selectors.example_list(version=version)
