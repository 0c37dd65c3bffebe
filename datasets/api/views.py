"""Viewsets of the datasets API: datasets (+ import and export), versions, examples."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.parsers import BoundedFormParser, BoundedMultiPartParser
from core.rest import ApiViewMixin, InputOutputMixin
from datasets import selectors, services
from datasets.api.filters import DatasetFilter, ExampleFilter
from datasets.api.serializers import (
    DatasetImportInputSerializer,
    DatasetInputSerializer,
    DatasetSerializer,
    DatasetVersionSerializer,
    ExampleSerializer,
    ImportErrorSerializer,
)
from datasets.errors import DatasetImportError
from datasets.models import Dataset, DatasetVersion, Example

__all__ = ["DatasetVersionViewSet", "DatasetViewSet", "ExampleViewSet"]

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


def valid_data(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> Any:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _format_of(data: dict[str, Any]) -> str:
    if data.get("format"):
        return data["format"]
    name = data["file"].name or ""
    fmt = EXTENSIONS.get(PurePath(name).suffix.lower())
    if fmt is None:
        raise ValidationError(
            {"format": f"cannot tell the format of {name!r} from its name: give format=jsonl or format=csv"}
        )
    return fmt


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

    @extend_schema(
        summary="Import a JSONL or CSV file as a new version",
        description="Every record is validated against the signature (the dataset's, unless "
        "`signature` is given). A file with any bad line is rejected as a whole: 400 with one "
        "entry per problem (line, field, message), and nothing is imported. A file larger than "
        "`DSPEX_MAX_UPLOAD_BYTES` (10 MiB by default) is a 400 naming the limit, or a 413 when the "
        "whole request is larger than that plus `DATA_UPLOAD_MAX_MEMORY_SIZE` (refused unread); a "
        "file with more than `DSPEX_MAX_IMPORT_ROWS` examples is a 400.",
        request={"multipart/form-data": DatasetImportInputSerializer},
        responses={
            201: DatasetVersionSerializer,
            400: ImportErrorSerializer,
            404: NOT_FOUND,
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="The request is larger than the limit"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[BoundedMultiPartParser, BoundedFormParser],
    )
    def import_(self, request: Request, pk: str | None = None) -> Response:
        dataset = self.get_object()
        data = valid_data(DatasetImportInputSerializer, request)
        try:
            version = services.dataset_import(
                dataset=dataset,
                file=data["file"],
                format=_format_of(data),
                signature=data.get("signature"),
                default_split=data["split"],
                require_labels=data["require_labels"],
                created_by=request.user,
            )
        except DatasetImportError as exc:
            body = {
                "detail": exc.messages[0],
                "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in exc.line_errors],
            }
            return Response(ImportErrorSerializer(body).data, status=status.HTTP_400_BAD_REQUEST)
        version = selectors.dataset_version_list(dataset=dataset).get(pk=version.pk)
        location = reverse(
            "dataset-version-detail",
            kwargs={"dataset_pk": dataset.pk, "number": version.number},
            request=request,
        )
        return Response(
            DatasetVersionSerializer(version, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


DATASET_PK = OpenApiParameter("dataset_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Dataset id")
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number")
VERSION_NUMBER = OpenApiParameter(
    "version_number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number"
)
POSITION = OpenApiParameter("position", OpenApiTypes.INT, OpenApiParameter.PATH, description="0-based")


class _DatasetChildMixin(ApiViewMixin):
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
