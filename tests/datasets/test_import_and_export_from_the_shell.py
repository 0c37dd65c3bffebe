"""``dataset.import_examples(path)`` and ``dataset.export()`` in ``manage.py shell`` are the
declared ``dataset.import`` / ``dataset.export`` actions: validated the same way, same errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datasets.errors import DatasetImportError

pytestmark = pytest.mark.django_db


def test_a_file_by_path_becomes_the_next_version_and_exports_again(
    capitals_version: Any, tmp_path: Path
) -> None:
    dataset = capitals_version.dataset
    path = tmp_path / "more.jsonl"
    path.write_text('{"question": "Capital of Peru?", "answer": "Lima"}\n')
    version = dataset.import_examples(path, split="test")
    assert (version.number, version.example_count, version.test_count) == (2, 1, 1)
    assert dataset.export(format="csv").splitlines() == [
        "question,answer,split",
        "Capital of Peru?,Lima,test",
    ]


def test_a_bad_line_rejects_the_file_and_a_bad_argument_names_its_field(
    capitals_version: Any, tmp_path: Path
) -> None:
    dataset = capitals_version.dataset
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "Capital of Peru?"}\n')
    with pytest.raises(DatasetImportError) as caught:
        dataset.import_examples(path)
    assert [e.line for e in caught.value.line_errors] == [1]
    with pytest.raises(ValidationError) as refused:
        dataset.import_examples(path, split="nowhere")
    assert "split" in refused.value.message_dict
    assert dataset.versions.count() == 1


def test_the_admin_button_opens_the_upload_page(admin_client: Any, capitals_version: Any) -> None:
    page = admin_client.get(reverse("admin:datasets_dataset_change", args=[capitals_version.dataset_id]))
    upload = reverse("admin:datasets_dataset_upload", args=[capitals_version.dataset_id])
    assert f'href="{upload}" class="dspex-action dspex-action-import"' in page.content.decode()
