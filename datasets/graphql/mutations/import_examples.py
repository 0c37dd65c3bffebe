"""``importExamples``: JSONL or CSV text as the next immutable version of a dataset, all or nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, PayloadErrors, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.parsers import max_upload_bytes
from core.users import Caller
from datasets.errors import DatasetImportError
from datasets.graphql.types import DatasetType, DatasetVersionType, ExampleFileFormat, Split
from datasets.services import dataset_import
from programs.graphql.types import SignatureType

__all__ = ["ImportExamples", "ImportExamplesError", "ImportExamplesInput"]


class ImportExamplesError(graphene.ObjectType):
    """A problem in the file (with its line) or in the other arguments (with their field)."""

    line = graphene.Int(description="1-based line of the file; null when about the file or another argument")
    field = graphene.String(description="The example field (e.g. `answer`) or the argument concerned")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="INVALID_LINE for problems in the file, ...")


class ImportExamplesInput(graphene.InputObjectType):
    dataset = graphene.ID(required=True, description="One of your datasets")
    content = graphene.String(required=True, description="The file's text: JSONL or CSV with a header row")
    format = ExampleFileFormat(required=True)
    file_name = graphene.String(description="Recorded as the version's source (default: the format)")
    signature = graphene.ID(description="Validate against this signature instead of the dataset's")
    default_split = Split(description="Split of records that name none (default TRAIN)")
    require_labels = graphene.Boolean(description="Every output field must have a value (default true)")


class ImportExamples(BaseMutation):
    dataset_version = graphene.Field(DatasetVersionType, description="The new version")
    errors = graphene.List(graphene.NonNull(ImportExamplesError), required=True)
    error_type = ImportExamplesError

    class Arguments:
        input = ImportExamplesInput(required=True)

    class Meta:
        description = (
            "Import examples as the dataset's next version, validated line by line against a "
            "signature. Any error rejects the whole file: every bad line is reported (code "
            "INVALID_LINE, with its line and field) and nothing is imported."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> ImportExamples:
        dataset = get_visible_or_error(DatasetType, input["dataset"], user=user, field="dataset")
        signature = None
        if input.get("signature"):
            signature = get_visible_or_error(SignatureType, input["signature"], user=user, field="signature")
        content = input["content"].encode("utf-8", "surrogatepass")
        limit = max_upload_bytes()
        if len(content) > limit:
            raise PayloadErrors(
                [
                    {
                        "field": "content",
                        "message": f"the file is {len(content)} bytes; the most accepted is {limit} bytes "
                        "(DSPEX_MAX_UPLOAD_BYTES)",
                        "code": "TOO_LARGE",
                    }
                ]
            )
        file = io.BytesIO(content)
        if input.get("file_name"):
            file.name = Path(input["file_name"]).name
        default_split = input.get("default_split")
        try:
            version = dataset_import(
                dataset=dataset,
                file=file,
                format=input["format"].value,
                signature=signature,
                default_split=default_split.value if default_split is not None else "train",
                require_labels=input.get("require_labels", True) is not False,
                created_by=user,
            )
        except DatasetImportError as exc:
            raise PayloadErrors(
                [
                    {
                        "line": error.line or None,
                        "field": error.field,
                        "message": error.message,
                        "code": "INVALID_LINE" if error.line else "INVALID_FILE",
                    }
                    for error in exc.line_errors
                ]
            ) from None
        return cls(dataset_version=version, errors=[])
