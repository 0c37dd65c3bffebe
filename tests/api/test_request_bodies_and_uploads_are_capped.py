"""Request bodies and dataset files are capped (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
``DSPEX_MAX_UPLOAD_BYTES``, ``DSPEX_MAX_IMPORT_ROWS``) on every surface: the answer names the
limit, and a body announced as too large is refused before any of it is read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

EIGHTY_MB = str(80 * 1024 * 1024)


def jsonl(count: int) -> bytes:
    return "".join(json.dumps({"question": f"q{i}", "answer": f"a{i}"}) + "\n" for i in range(count)).encode()


def test_a_json_body_over_the_limit_is_a_413_naming_it(ada_api: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "s", "spec": "question -> answer", "instructions": "x" * 2000}
    response = ada_api.post("/api/signatures/", body, format="json")
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request body is larger than 1000 bytes, the most a JSON body or a form may have "
        "(DATA_UPLOAD_MAX_MEMORY_SIZE)."
    )


def test_an_eighty_megabyte_upload_is_refused_unread(ada_api: Any, capitals_version: Any) -> None:
    dataset = capitals_version.dataset
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": SimpleUploadedFile("big.jsonl", jsonl(3))},
        format="multipart",
        CONTENT_LENGTH=EIGHTY_MB,  # what the client announces; the body is never read
    )
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail.startswith(f"The request body is {EIGHTY_MB} bytes; the most accepted is")
    assert "DSPEX_MAX_UPLOAD_BYTES" in detail
    assert dataset.versions.count() == 1


def test_a_file_over_the_upload_limit_is_a_400_naming_it(
    ada_api: Any, capitals_version: Any, settings: Any
) -> None:
    settings.DSPEX_MAX_UPLOAD_BYTES = 100
    dataset = capitals_version.dataset
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": SimpleUploadedFile("big.jsonl", jsonl(10))},
        format="multipart",
    )
    assert response.status_code == 400
    [message] = response.json()["file"]
    assert message.endswith("bytes; the most accepted is 100 bytes (DSPEX_MAX_UPLOAD_BYTES)")
    assert dataset.versions.count() == 1


def test_the_service_reads_no_more_than_the_limit(capitals_version: Any, settings: Any) -> None:
    from datasets.errors import DatasetImportError
    from datasets.services import dataset_import

    settings.DSPEX_MAX_UPLOAD_BYTES = 100

    class Upload:
        read_sizes: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.read_sizes.append(size)
            return jsonl(1000)[: size if size >= 0 else None]

    upload = Upload()
    with pytest.raises(DatasetImportError) as caught:
        dataset_import(dataset=capitals_version.dataset, file=upload)
    assert upload.read_sizes == [101]
    assert caught.value.line_errors[0].message == (
        "the file is larger than 100 bytes (the limit is DSPEX_MAX_UPLOAD_BYTES)"
    )


def test_more_rows_than_the_limit_is_a_400_on_the_first_line_past_it(
    ada_api: Any, capitals_version: Any, settings: Any
) -> None:
    settings.DSPEX_MAX_IMPORT_ROWS = 3
    dataset = capitals_version.dataset
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": SimpleUploadedFile("rows.jsonl", jsonl(5))},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "line": 4,
            "field": None,
            "message": "the file has more than 3 examples (the limit is DSPEX_MAX_IMPORT_ROWS)",
        }
    ]
    settings.DSPEX_MAX_IMPORT_ROWS = 5
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": SimpleUploadedFile("rows.jsonl", jsonl(5))},
        format="multipart",
    )
    assert response.status_code == 201


def test_graphql_import_content_over_the_limit_is_a_payload_error(
    client: Any, user: Any, capitals_version: Any, settings: Any
) -> None:
    settings.DSPEX_MAX_UPLOAD_BYTES = 100
    client.force_login(user)
    query = """mutation M($input: ImportExamplesInput!) {
        importExamples(input: $input) { errors { field message code } } }"""
    variables = {
        "input": {"dataset": gid(capitals_version.dataset), "content": jsonl(10).decode(), "format": "JSONL"}
    }
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    [error] = response.json()["data"]["importExamples"]["errors"]
    assert error["field"] == "content"
    assert error["code"] == "TOO_LARGE"
    assert error["message"].endswith("the most accepted is 100 bytes (DSPEX_MAX_UPLOAD_BYTES)")


def test_a_graphql_body_announced_too_large_is_a_413(client: Any, user: Any) -> None:
    client.force_login(user)
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": "{ me { username } }"}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        CONTENT_LENGTH=EIGHTY_MB,
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}


def test_the_admin_upload_refuses_a_file_over_the_limit_with_a_400(
    admin_client: Client, capitals_version: Any, settings: Any
) -> None:
    settings.DSPEX_MAX_UPLOAD_BYTES = 100
    dataset = capitals_version.dataset
    url = reverse("admin:datasets_dataset_upload", args=[dataset.pk])
    response = admin_client.post(
        url, {"file": SimpleUploadedFile("big.jsonl", jsonl(10)), "default_split": "train"}
    )
    assert response.status_code == 400
    assert "the most accepted is 100 bytes (DSPEX_MAX_UPLOAD_BYTES)" in response.content.decode()
    assert dataset.versions.count() == 1
