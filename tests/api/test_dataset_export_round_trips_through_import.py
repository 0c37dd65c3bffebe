"""GET /api/datasets/{id}/export/?format=jsonl|csv gives the examples in the layout import reads:
exporting and importing again gives the same content hash."""

from __future__ import annotations

import io
import json

import pytest

from datasets.services import dataset_create, dataset_import
from programs.services import signature_create

pytestmark = pytest.mark.django_db

RECORDS = [
    {
        "question": "Capital of France?",
        "hints": ["Europe", "Seine"],
        "answer": "Paris",
        "year": 987,
        "split": "train",
    },
    {"question": 'Quotes "and", commas', "hints": [], "answer": "ok", "year": 1, "split": "dev"},
    {"question": "Ünïcode?", "hints": ["é"], "answer": "ü", "year": 2024, "split": "test"},
]


@pytest.fixture
def dataset(user):
    signature = signature_create(
        name="typed", spec="question: str, hints: list[str] -> answer: str, year: int", owner=user
    )
    dataset = dataset_create(name="Capitals of Europe", signature=signature, owner=user)
    text = "".join(json.dumps(r) + "\n" for r in RECORDS)
    dataset_import(dataset=dataset, file=text.encode(), format="jsonl", created_by=user)
    return dataset


def reimport(client, dataset, name, content):
    file = io.BytesIO(content)
    file.name = name
    response = client.post(f"/api/datasets/{dataset.pk}/import/", {"file": file})
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize("fmt, media_type", [("jsonl", "application/x-ndjson"), ("csv", "text/csv")])
def test_an_export_imports_again_with_the_same_content_hash(ada_api, dataset, fmt, media_type):
    response = ada_api.get(f"/api/datasets/{dataset.pk}/export/", {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="capitals-of-europe-v1.{fmt}"'
    version = reimport(ada_api, dataset, f"again.{fmt}", response.content)
    assert version["number"] == 2
    assert version["content_hash"] == dataset.versions.get(number=1).content_hash


def test_jsonl_is_the_default_and_records_are_flat(ada_api, dataset):
    response = ada_api.get(f"/api/datasets/{dataset.pk}/export/")
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    assert lines == RECORDS


def test_csv_has_a_header_in_signature_order(ada_api, dataset):
    text = ada_api.get(f"/api/datasets/{dataset.pk}/export/", {"format": "csv"}).content.decode()
    header, first = text.splitlines()[:2]
    assert header == "question,hints,answer,year,split"
    assert first == 'Capital of France?,"[""Europe"", ""Seine""]",Paris,987,train'


def test_one_split_of_one_version_can_be_exported(ada_api, dataset):
    reimport(ada_api, dataset, "v2.jsonl", json.dumps(RECORDS[0]).encode() + b"\n")
    latest = ada_api.get(f"/api/datasets/{dataset.pk}/export/").content.decode().splitlines()
    assert len(latest) == 1
    dev = ada_api.get(f"/api/datasets/{dataset.pk}/export/", {"version": 1, "split": "dev"})
    assert [json.loads(line)["split"] for line in dev.content.decode().splitlines()] == ["dev"]


def test_an_unknown_format_is_a_400_naming_format(ada_api, dataset):
    response = ada_api.get(f"/api/datasets/{dataset.pk}/export/", {"format": "xml"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ['"xml" is not a valid choice.']}


def test_a_missing_version_is_a_404(ada_api, dataset):
    response = ada_api.get(f"/api/datasets/{dataset.pk}/export/", {"version": 9})
    assert response.status_code == 404
    assert response.json() == {"detail": "dataset 'Capitals of Europe' has no version 9"}


def test_a_dataset_without_versions_has_nothing_to_export(ada_api):
    dataset_id = ada_api.post("/api/datasets/", {"name": "empty"}, format="json").json()["id"]
    response = ada_api.get(f"/api/datasets/{dataset_id}/export/", {"format": "csv"})
    assert response.status_code == 404
    assert "import a file first" in response.json()["detail"]


def test_an_accept_header_does_not_change_the_export(ada_api, dataset):
    response = ada_api.get(f"/api/datasets/{dataset.pk}/export/?format=csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
