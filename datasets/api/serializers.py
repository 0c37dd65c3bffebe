"""Serializers of the datasets API (``*InputSerializer``: request shapes; the rest: rows)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from rest_framework import serializers

from actions.fields import VisibleRowField
from core.parsers import max_upload_bytes
from core.users import User
from datasets.formats import FORMATS
from datasets.models import Dataset, DatasetVersion, Example, Split
from programs.api.fields import VisiblePrimaryKeyField
from programs.models import Signature

__all__ = [
    "DatasetImportInputSerializer",
    "DatasetInputSerializer",
    "DatasetSerializer",
    "DatasetVersionSerializer",
    "ExampleSerializer",
    "ImportErrorSerializer",
]


class DatasetSerializer(serializers.ModelSerializer):
    signature_name = serializers.CharField(source="signature.name", read_only=True, allow_null=True)
    latest_version = serializers.IntegerField(
        source="latest_version_number", read_only=True, allow_null=True, help_text="Its number"
    )
    version_count = serializers.IntegerField(read_only=True)
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Dataset
        fields = [
            "id", "name", "description", "signature", "signature_name", "latest_version",
            "version_count", "owner", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DatasetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    signature = VisiblePrimaryKeyField(
        Signature, allow_null=True, default=None, help_text="Imported examples are validated against it"
    )


class DatasetVersionSerializer(serializers.ModelSerializer):
    example_count = serializers.IntegerField(read_only=True)
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = DatasetVersion
        fields = [
            "id", "dataset", "number", "content_hash", "train_count", "dev_count", "test_count",
            "example_count", "source", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ExampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Example
        fields = ["id", "position", "split", "inputs", "labels"]
        read_only_fields = fields


EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


class DatasetImportInputSerializer(serializers.Serializer):
    """A JSONL or CSV file, and how to read it."""

    file = serializers.FileField(help_text="JSONL (one object per line) or CSV with a header row")
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text="Default: from the file name (.jsonl/.ndjson/.csv)"
    )
    split = serializers.ChoiceField(
        choices=Split.choices, default=Split.TRAIN, help_text="Split of records that name none"
    )
    require_labels = serializers.BooleanField(default=True, help_text="Every output field must be given")
    signature = VisibleRowField(
        "programs.Signature",
        required=False,
        help_text="Validate against this signature (default: the dataset's)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The format defaults to the file name's."""
        if not attrs.get("format"):
            name = attrs["file"].name or ""
            fmt = EXTENSIONS.get(PurePath(name).suffix.lower())
            if fmt is None:
                reason = f"cannot tell the format of {name!r} from its name"
                raise serializers.ValidationError({"format": f"{reason}: give format=jsonl or format=csv"})
            attrs["format"] = fmt
        return attrs

    def validate_file(self, value: Any) -> Any:
        limit = max_upload_bytes()
        if value.size is not None and value.size > limit:
            raise serializers.ValidationError(
                f"the file is {value.size} bytes; the most accepted is {limit} bytes (DSPEX_MAX_UPLOAD_BYTES)"
            )
        return value


class LineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="1-based; 0: the whole file")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = LineErrorSerializer(many=True)  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
