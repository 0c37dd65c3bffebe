"""Writes for datasets: create, import (all or nothing, as a new immutable version), export."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from core.ownership import authenticated_or_none
from core.parsers import max_upload_bytes
from core.safe_input import BadText, check_text
from core.users import Caller
from datasets import formats, gateway
from datasets.errors import DatasetImportError, DatasetVersionMissing
from datasets.formats import LineError
from datasets.models import Dataset, DatasetVersion, Example, Split
from programs.gateway.signatures import signature_from_row
from programs.models import Signature

__all__ = [
    "DEFAULT_MAX_IMPORT_ROWS",
    "DatasetExport",
    "content_hash",
    "dataset_create",
    "dataset_export",
    "dataset_export_version",
    "dataset_import",
    "dataset_update",
    "dataset_version_create",
    "max_import_rows",
]

DEFAULT_MAX_IMPORT_ROWS = 100_000


def dataset_create(
    *, name: str, description: str = "", signature: Signature | None = None, owner: Caller | None = None
) -> Dataset:
    dataset = Dataset(
        name=name, description=description, signature=signature, owner=authenticated_or_none(owner)
    )
    dataset.full_clean()
    dataset.save()
    return dataset


def dataset_update(*, dataset: Dataset, **changes: Any) -> Dataset:
    """Change ``name``, ``description`` or ``signature`` (the examples change only by new versions)."""
    allowed = {"name", "description", "signature"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"dataset_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(dataset, name, value)
    dataset.full_clean()
    dataset.save()
    return dataset


def content_hash(examples: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
    """SHA-256 of ``(split, inputs, labels)`` items in order, over canonical JSON."""
    digest = hashlib.sha256()
    for split, inputs, labels in examples:
        digest.update(
            json.dumps(
                [split, inputs, labels], sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        )
        digest.update(b"\n")
    return digest.hexdigest()


def dataset_version_create(
    *,
    dataset: Dataset,
    examples: list[tuple[str, dict[str, Any], dict[str, Any]]],
    created_by: Caller | None = None,
    source: str = "",
) -> DatasetVersion:
    """Store ``(split, inputs, labels)`` items as the dataset's next immutable version."""
    counts = {split: 0 for split in Split.values}
    for split, _, _ in examples:
        counts[split] += 1
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).get()
        number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DatasetVersion.objects.create(
            dataset=dataset,
            number=number,
            content_hash=content_hash(examples),
            train_count=counts[Split.TRAIN],
            dev_count=counts[Split.DEV],
            test_count=counts[Split.TEST],
            source=source[:300],
            created_by=authenticated_or_none(created_by),
        )
        Example.objects.bulk_create(
            [
                Example(version=version, inputs=inputs, labels=labels, split=split, position=position)
                for position, (split, inputs, labels) in enumerate(examples)
            ],
            batch_size=1000,
        )
        Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now())
    return version


def max_import_rows() -> int:
    """``DSPEX_MAX_IMPORT_ROWS``: the most examples one import may hold."""
    return int(getattr(settings, "DSPEX_MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS))


def dataset_import(
    *,
    dataset: Dataset,
    file: IO[bytes] | IO[str] | str | Path | bytes,
    format: str = "jsonl",
    signature: Signature | None = None,
    default_split: str = Split.TRAIN,
    require_labels: bool = True,
    created_by: Caller | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> DatasetVersion:
    """Import a JSONL or CSV file as a new version of ``dataset``, validated line by line against
    ``signature`` (default: the dataset's). Any error rejects the whole file
    (:class:`DatasetImportError` lists every bad line) and nothing is written.

    The version's ``source`` is the file's name unless given (the format when it has none).

    ``progress(done, total)`` is called as records are validated (for progress bars).

    Bounded: a file larger than ``DSPEX_MAX_UPLOAD_BYTES`` or with more than
    ``DSPEX_MAX_IMPORT_ROWS`` records is refused (read no further than the limit), and so is text
    holding a NUL character or an unpaired surrogate (an error of its line and field)."""
    if format not in formats.FORMATS:
        raise ValidationError(
            {"format": f"unknown format {format!r} (expected one of: {', '.join(formats.FORMATS)})"}
        )
    signature = signature or dataset.signature
    if signature is None:
        raise ValidationError(
            {"signature": "give a signature to validate against (the dataset has none)"}, code="required"
        )
    engine_signature = signature_from_row(signature)
    try:
        text = formats.read_text(file, max_bytes=max_upload_bytes())
    except formats.FileTooLarge as exc:
        raise DatasetImportError([LineError(0, str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise DatasetImportError([LineError(0, f"the file is not UTF-8 text ({exc.reason})")]) from None
    records, errors = formats.parse(text, format, max_rows=max_import_rows())
    examples: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for done, record in enumerate(records, start=1):
        if progress is not None:
            progress(done, len(records))
        try:
            inputs, labels, split = gateway.record_values(
                engine_signature,
                record.values,
                from_csv=format == "csv",
                require_labels=require_labels,
                default_split=default_split,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(LineError(record.line, message, field) for message in messages)
            continue
        try:  # CSV cells of typed fields were decoded as JSON: their strings are new text
            check_text({**inputs, **labels})
        except BadText as exc:
            errors.append(LineError(record.line, exc.message, str(exc.path[0]) if exc.path else None))
            continue
        examples.append((split, inputs, labels))
    if not errors and not examples:
        errors.append(LineError(0, "the file has no examples"))
    if errors:
        raise DatasetImportError(sorted(errors, key=lambda e: e.line))
    if source is None:
        name = getattr(file, "name", None) or (str(file) if isinstance(file, str | Path) else "")
        source = Path(name).name if name else format
    return dataset_version_create(dataset=dataset, examples=examples, created_by=created_by, source=source)


def dataset_export(*, version: DatasetVersion, format: str = "jsonl", split: str | None = None) -> str:
    """The version's examples as JSONL or CSV text, in the flat layout ``dataset_import`` reads."""
    rows = version.examples.order_by("position")
    if split is not None:
        rows = rows.filter(split=split)
    # Keys in the signature's field order (JSON columns need not keep the order they were given).
    order = {name: index for index, name in enumerate(gateway.field_names(version.dataset.signature))}
    records = []
    for row in rows:
        values = {**row.inputs, **row.labels}
        ordered = sorted(values, key=lambda key: (order.get(key, len(order)), key))
        records.append({**{key: values[key] for key in ordered}, "split": row.split})
    columns = None
    if format == "csv":
        columns = list(dict.fromkeys(key for record in records for key in record if key != "split"))
        columns.sort(key=lambda key: (order.get(key, len(order)), key))
        columns.append("split")
    return formats.write(records, format, columns)


@dataclass(frozen=True)
class DatasetExport:
    """One exported version: its text and how a download names it."""

    version: DatasetVersion
    format: str
    text: str

    @property
    def filename(self) -> str:
        name = slugify(self.version.dataset.name) or "dataset"
        return f"{name}-v{self.version.number}.{self.format}"


def dataset_export_version(
    *, dataset: Dataset, format: str = "jsonl", version: int | None = None, split: str | None = None
) -> DatasetExport:
    """Export version number ``version`` of ``dataset`` (default: the latest) as JSONL or CSV;
    :class:`DatasetVersionMissing` when there is no such version."""
    versions = dataset.versions.order_by("-number")
    found = versions.first() if version is None else versions.filter(number=version).first()
    if found is None:
        raise DatasetVersionMissing(
            f"dataset {dataset.name!r} has no version {version}"
            if version is not None
            else f"dataset {dataset.name!r} has no versions yet: import a file first"
        )
    return DatasetExport(found, format, dataset_export(version=found, format=format, split=split))


def dataset_split(
    *,
    dataset: Dataset,
    version: DatasetVersion | None = None,
    train: float = 0.6,
    dev: float = 0.2,
    test: float = 0.2,
    seed: int = 0,
    created_by: Caller | None = None,
) -> DatasetVersion:
    """A new version of ``dataset`` holding the examples of ``version`` (default: the latest) with
    their splits drawn again: shuffled with ``seed`` (the same seed gives the same split), then the
    first ``dev`` and ``test`` fractions (rounded) go to those splits and the rest to train."""
    if version is None:
        version = dataset.versions.order_by("-number").first()
        if version is None:
            raise ValidationError(
                {"version": f"dataset {dataset.name!r} has no versions yet: import a file first"}
            )
    examples = list(version.examples.order_by("position").values_list("inputs", "labels"))
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    dev_count, test_count = round(dev * len(order)), round(test * len(order))
    splits = {}
    for rank, index in enumerate(order):
        if rank < dev_count:
            splits[index] = Split.DEV
        elif rank < dev_count + test_count:
            splits[index] = Split.TEST
        else:
            splits[index] = Split.TRAIN
    items: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (splits[i], inputs, labels) for i, (inputs, labels) in enumerate(examples)
    ]
    source = f"v{version.number} split {train:g}/{dev:g}/{test:g}, seed {seed}"
    return dataset_version_create(dataset=dataset, examples=items, created_by=created_by, source=source)
