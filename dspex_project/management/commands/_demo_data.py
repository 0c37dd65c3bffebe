"""The demos' shared rows: SST-2 datasets and predict programs, created once and reused."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.commands import validation_text
from datasets.models import Dataset, DatasetVersion
from datasets.selectors import dataset_version_latest
from datasets.services import content_hash, dataset_create, dataset_import
from programs.models import Program, Signature
from programs.services import program_create, program_update

Record = tuple[str, str, str]  # (split, sentence, label)


def sst2_dataset(
    name: str, description: str, signature: Signature, records: list[Record], upload_name: str = "sst2.jsonl"
) -> tuple[Dataset, DatasetVersion, bool]:
    """The shared dataset ``name`` holding ``records``: its latest version when that has exactly
    these records, else a new version imported from them. Returns (dataset, version, imported now)."""
    wanted = content_hash([(split, {"sentence": s}, {"label": label}) for split, s, label in records])
    dataset = Dataset.objects.filter(owner__isnull=True, name=name).first()
    if dataset is None:
        dataset = dataset_create(name=name, description=description, signature=signature)
    latest = dataset_version_latest(dataset=dataset)
    if latest is not None and latest.content_hash == wanted:
        return dataset, latest, False
    text = "".join(
        json.dumps({"sentence": s, "label": label, "split": split}, ensure_ascii=False) + "\n"
        for split, s, label in records
    )
    upload = io.BytesIO(text.encode())
    upload.name = upload_name
    try:
        version = dataset_import(dataset=dataset, file=upload, format="jsonl", signature=signature)
    except ValidationError as exc:
        raise CommandError(validation_text(exc)) from None
    return dataset, version, True


def demo_program(name: str, description: str, signature: Signature, lm_config: dict[str, Any]) -> Program:
    """The shared ``predict`` program ``name`` on ``signature`` and ``lm_config``: created, or
    updated where it drifted (e.g. another ``--model``)."""
    program = Program.objects.filter(owner__isnull=True, name=name).first()
    try:
        if program is None:
            return program_create(
                name=name,
                signature=signature,
                module_type="predict",
                description=description,
                lm_config=lm_config,
            )
        wanted = {
            "signature": signature,
            "module_type": "predict",
            "module_config": {},
            "lm_config": lm_config,
        }
        changes = {key: value for key, value in wanted.items() if getattr(program, key) != value}
        if changes:
            program = program_update(program=program, **changes)
    except ValidationError as exc:
        raise CommandError(validation_text(exc)) from None
    return program
