"""The actions of datasets, declared once (see ``actions``)."""

from __future__ import annotations

from typing import IO, Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from actions import Action, Failure, GraphQLShape, Outcome, Shell
from actions.fields import as_upload, given_file_name
from core.parsers import BoundedFormParser, BoundedMultiPartParser
from core.rest import FirstRendererNegotiation
from core.users import Caller
from datasets.api.serializers import (
    DatasetImportInputSerializer,
    DatasetVersionSerializer,
    ImportErrorSerializer,
)
from datasets.errors import DatasetImportError, DatasetVersionMissing
from datasets.formats import FORMATS
from datasets.graphql.types import ExampleFileFormat, ImportExamplesError
from datasets.graphql.types import Split as SplitEnum
from datasets.models import Dataset, DatasetVersion, Split
from datasets.selectors import dataset_version_list
from datasets.services import DatasetExport, dataset_export_version, dataset_import, dataset_split

__all__ = [
    "EXPORT_DATASET",
    "IMPORT_DATASET",
    "SPLIT_DATASET",
    "DatasetExportArguments",
    "DatasetSplitArguments",
    "declared",
]


MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


class DatasetSplitArguments(serializers.Serializer):
    """How to draw the splits of the new version."""

    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version number to split again (default: the latest)"
    )
    train = serializers.FloatField(min_value=0, max_value=1, default=0.6, help_text="Fraction in train")
    dev = serializers.FloatField(min_value=0, max_value=1, default=0.2, help_text="Fraction in dev")
    test = serializers.FloatField(min_value=0, max_value=1, default=0.2, help_text="Fraction in test")
    seed = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, default=0, help_text="The same seed draws the same split"
    )

    def validate_version(self, number: int) -> DatasetVersion:
        dataset: Dataset = self.context["target"]
        version = dataset.versions.filter(number=number).first()
        if version is None:
            raise serializers.ValidationError(f"dataset {dataset.name!r} has no version {number}")
        return version

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        total = attrs["train"] + attrs["dev"] + attrs["test"]
        if abs(total - 1.0) > 1e-6:
            raise serializers.ValidationError(
                {"train": f"train + dev + test must be 1 (they are {total:g})"}, code="invalid"
            )
        return attrs


def _split(*, target: Dataset, user: Caller | None, **arguments: Any) -> DatasetVersion:
    return dataset_split(dataset=target, created_by=user, **arguments)


SPLIT_DATASET = Action(
    resource="datasets.Dataset",
    name="split",
    summary="Split the examples again as a new version",
    description="A new version with the examples of a version (default: the latest) and their "
    "train/dev/test splits drawn again, seeded: the same seed and fractions give the same split. "
    "The old version is unchanged.",
    service=_split,
    arguments=DatasetSplitArguments,
    result=Outcome(serializer=DatasetVersionSerializer, status=201, model="datasets.DatasetVersion"),
)


class DatasetExportArguments(serializers.Serializer):
    """Which examples to export, and how."""

    format = serializers.ChoiceField(choices=FORMATS, default="jsonl")
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Version number (default: latest)"
    )
    split = serializers.ChoiceField(choices=Split.choices, required=False)


def _export(*, target: Dataset, user: Caller | None, **arguments: Any) -> DatasetExport:
    return dataset_export_version(dataset=target, **arguments)


def _download(export: DatasetExport) -> HttpResponse:
    response = HttpResponse(export.text, content_type=f"{MEDIA_TYPES[export.format]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name -> list of messages")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="Missing, or not yours")

EXPORT_DATASET = Action(
    resource="datasets.Dataset",
    name="export",
    summary="Export a version as JSONL or CSV",
    description="The examples of a version (default: the latest) in the flat layout `import` "
    "reads, so an export imports again unchanged.",
    service=_export,
    arguments=DatasetExportArguments,
    safe=True,
    result=Outcome(
        http_response=_download,
        openapi={
            (200, MEDIA_TYPES["jsonl"]): OpenApiTypes.STR,
            (200, MEDIA_TYPES["csv"]): OpenApiTypes.STR,
            (400, "application/json"): ERROR,
            (404, "application/json"): NOT_FOUND,
        },
    ),
    failures=(
        Failure(
            DatasetVersionMissing, code="not_found", status=404, rest_body=lambda exc: {"detail": str(exc)}
        ),
    ),
    rest_options={
        "renderer_classes": [JSONRenderer],  # errors; the export itself is a plain HttpResponse
        "content_negotiation_class": FirstRendererNegotiation,  # ?format= is ours, not DRF's
    },
    shell=Shell(result=lambda export: export.text),
)


def _import(
    *,
    target: Dataset,
    user: Caller | None,
    file: IO[bytes],
    format: str,
    split: str,
    require_labels: bool,
    signature: Any = None,
) -> DatasetVersion:
    version = dataset_import(
        dataset=target,
        file=file,
        format=format,
        signature=signature,
        default_split=split,
        require_labels=require_labels,
        created_by=user,
        source=None if given_file_name(file) else format,  # a text without a file name
    )
    return dataset_version_list(dataset=target).get(pk=version.pk)


def _import_failed(exc: DatasetImportError) -> dict[str, Any]:
    return {
        "detail": exc.messages[0],
        "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in exc.line_errors],
    }


def _import_errors(exc: DatasetImportError) -> list[dict[str, Any]]:
    return [
        {
            "line": error.line or None,
            "field": error.field,
            "message": error.message,
            "code": "INVALID_LINE" if error.line else "INVALID_FILE",
        }
        for error in exc.line_errors
    ]


def _shell_import(dataset: Dataset, file: Any, **options: Any) -> dict[str, Any]:
    """``dataset.import_examples("caps.jsonl", split="dev")``: a path or an open binary file."""
    return {"file": as_upload(file), **options}


IMPORT_DATASET = Action(
    resource="datasets.Dataset",
    name="import",
    summary="Import a JSONL or CSV file as a new version",
    description="Every record is validated against the signature (the dataset's, unless "
    "`signature` is given). A file with any bad line is rejected as a whole: 400 with one "
    "entry per problem (line, field, message), and nothing is imported. A file larger than "
    "`DSPEX_MAX_UPLOAD_BYTES` (10 MiB by default) is a 400 naming the limit, or a 413 when the "
    "whole request is larger than that plus `DATA_UPLOAD_MAX_MEMORY_SIZE` (refused unread); a "
    "file with more than `DSPEX_MAX_IMPORT_ROWS` examples is a 400.",
    service=_import,
    arguments=DatasetImportInputSerializer,
    result=Outcome(
        serializer=DatasetVersionSerializer,
        status=201,
        model="datasets.DatasetVersion",
        location=lambda v: ("dataset-version-detail", {"dataset_pk": v.dataset_id, "number": v.number}),
    ),
    failures=(
        Failure(
            DatasetImportError,
            code="invalid_file",
            status=400,
            rest_body=_import_failed,
            rest_serializer=ImportErrorSerializer,
            graphql_errors=_import_errors,
        ),
    ),
    rest_options={"parser_classes": [BoundedMultiPartParser, BoundedFormParser]},
    rest_responses={
        413: OpenApiResponse(OpenApiTypes.OBJECT, description="The request is larger than the limit")
    },
    graphql_name="importExamples",
    graphql_description="Every record is validated against the signature (the dataset's, unless "
    "`signature` is given). Any error rejects the whole file: every bad line is reported (code "
    "INVALID_LINE, with its line and field) and nothing is imported.",
    graphql_shape=GraphQLShape(
        input="ImportExamplesInput",
        names={"file": "content", "split": "default_split"},
        types={"format": ExampleFileFormat, "split": SplitEnum},
        descriptions={
            "dataset": "One of your datasets",
            "file": "The file's text: JSONL or CSV with a header row",
            "file_name": "Recorded as the version's source (default: the format)",
            "format": "Default: from fileName (.jsonl/.ndjson/.csv)",
            "split": "Split of records that name none (default TRAIN)",
            "require_labels": "Every output field must have a value (default true)",
            "signature": "Validate against this signature instead of the dataset's",
        },
        error_type=ImportExamplesError,
    ),
    target_field="dataset",
    admin_view="admin:datasets_dataset_upload",
    shell=Shell(name="import_examples", arguments=_shell_import),
)


def declared() -> list[Action]:
    return [EXPORT_DATASET, IMPORT_DATASET, SPLIT_DATASET]
