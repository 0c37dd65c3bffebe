"""``manage.py dspex_import_dataset``: import a JSONL or CSV file as a new version of a dataset.

    python manage.py dspex_import_dataset capitals capitals.jsonl --signature qa
    python manage.py dspex_import_dataset capitals capitals.csv --format csv --split dev
    cat more.jsonl | python manage.py dspex_import_dataset capitals - --format jsonl

The dataset is created when it does not exist (it then needs ``--signature``). Every record is
validated against the signature; a file with any bad line is rejected whole, every problem is
listed, and nothing is imported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.commands import find_owned, validation_text
from core.terminal_progress import Progress
from datasets.errors import DatasetImportError
from datasets.formats import FORMATS
from datasets.models import Dataset, Split
from datasets.services import dataset_create, dataset_import
from programs.models import Signature

FORMAT_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "Import a JSONL or CSV file as a new (immutable) version of a dataset; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the dataset's name (created when missing)")
        parser.add_argument("file", help="the file to import ('-' reads standard input)")
        parser.add_argument("--format", choices=FORMATS, help="jsonl or csv (default: from the file name)")
        parser.add_argument(
            "--signature",
            help="validate against this signature (default: the dataset's; required for a new one)",
        )
        parser.add_argument("--owner", help="the username owning the dataset (and the signature)")
        parser.add_argument(
            "--split", choices=Split.values, default=Split.TRAIN, help="the split of records without one"
        )
        parser.add_argument("--description", default="", help="the description of a new dataset")
        parser.add_argument(
            "--no-labels", action="store_true", help="accept records without labels (output fields)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        file_format = options["format"]
        if file_format is None:
            file_format = FORMAT_BY_SUFFIX.get(Path(path).suffix.lower()) if path != "-" else None
            if file_format is None:
                raise CommandError(f"cannot tell the format of {path!r}: give --format jsonl or --format csv")
        if path == "-":
            data: Any = sys.stdin.buffer.read()
        else:
            if not Path(path).is_file():
                raise CommandError(f"no such file: {path}")
            data = Path(path)

        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"no user named {options['owner']!r}")
        signature = None
        if options["signature"]:
            signatures = Signature.objects.all()
            if owner is not None and signatures.filter(name=options["signature"], owner=owner).exists():
                signatures = signatures.filter(owner=owner)
            signature = find_owned(signatures, "signature", options["signature"], None)

        datasets = Dataset.objects.filter(name=options["name"])
        if owner is not None:
            datasets = datasets.filter(owner=owner)
        created = False
        if datasets.exists():
            dataset = find_owned(datasets, "dataset", options["name"], None)
        else:
            if signature is None:
                raise CommandError(
                    f"dataset {options['name']!r} does not exist: give --signature to create it"
                )
            dataset = None
        if dataset is not None and signature is None and dataset.signature is None:
            raise CommandError(
                f"dataset {dataset.name!r} has no signature: give --signature to validate against"
            )

        bar: Progress | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = Progress(total, stream=self.stderr, label="validating")
            bar.update(done)

        try:
            with transaction.atomic():  # a new dataset is not kept when its file is rejected
                if dataset is None:
                    dataset = dataset_create(
                        name=options["name"],
                        description=options["description"],
                        signature=signature,
                        owner=owner,
                    )
                    created = True
                version = dataset_import(
                    dataset=dataset,
                    file=data,
                    format=file_format,
                    signature=signature,
                    default_split=options["split"],
                    require_labels=not options["no_labels"],
                    created_by=owner,
                    progress=progress,
                )
        except DatasetImportError as exc:
            if bar is not None:
                bar.close()
            errors = exc.line_errors
            for error in errors[:SHOWN_ERRORS]:
                self.stderr.write(f"  {error}")
            if len(errors) > SHOWN_ERRORS:
                self.stderr.write(f"  ... and {len(errors) - SHOWN_ERRORS} more")
            raise CommandError(exc.messages[0]) from None
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        if bar is not None:
            bar.close()
        previous = dataset.versions.filter(number=version.number - 1).first()
        same = (
            " (same content as the previous version)"
            if previous and previous.content_hash == version.content_hash
            else ""
        )
        self.stdout.write(
            f"Imported {version.example_count} examples into dataset '{dataset.name}'"
            f"{' (new)' if created else ''} as version {version.number}: {version.train_count} train, "
            f"{version.dev_count} dev, {version.test_count} test; "
            f"content hash {version.content_hash[:12]}{same}"
        )
