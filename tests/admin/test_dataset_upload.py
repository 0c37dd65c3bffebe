"""Uploading a JSONL or CSV file on a dataset's admin page imports it as a new version, or lists
every bad line and imports nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets.models import DatasetVersion, Example
from datasets.services import dataset_create

pytestmark = pytest.mark.django_db

GOOD_JSONL = b"""{"question": "Capital of France?", "answer": "Paris"}
{"question": "Capital of Italy?", "answer": "Rome", "split": "dev"}
"""
GOOD_CSV = b"question,answer,split\nCapital of Spain?,Madrid,test\nCapital of Peru?,Lima,\n"
BAD_JSONL = b"""{"question": "Capital of France?", "answer": "Paris"}
{"question": "Capital of Italy?"}
this is not json
{"question": "Capital of Spain?", "answer": "Madrid", "colour": "red"}
"""


@pytest.fixture
def dataset(qa_signature, user):
    return dataset_create(name="capitals", signature=qa_signature, owner=user)


def _url(dataset):
    return reverse("admin:datasets_dataset_upload", args=[dataset.pk])


def _upload(client, dataset, content, name="examples.jsonl", **fields):
    return client.post(
        _url(dataset), {"file": SimpleUploadedFile(name, content), "default_split": "train", **fields}
    )


def test_the_dataset_page_links_to_the_upload_form(admin_client, dataset):
    html = admin_client.get(reverse("admin:datasets_dataset_change", args=[dataset.pk])).content.decode()
    assert _url(dataset) in html
    page = admin_client.get(_url(dataset))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_a_good_jsonl_file_becomes_a_new_version(admin_client, dataset, admin_user):
    response = _upload(admin_client, dataset, GOOD_JSONL)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:datasets_dataset_change", args=[dataset.pk])
    version = DatasetVersion.objects.get(dataset=dataset)
    assert (version.number, version.train_count, version.dev_count) == (1, 1, 1)
    assert version.source == "examples.jsonl"
    assert version.created_by == admin_user
    page = admin_client.get(response["Location"])
    assert "Imported 2 examples as version 1" in page.content.decode()
    assert "Capital of Italy?" in page.content.decode()


def test_a_csv_file_is_recognised_by_its_name(admin_client, dataset):
    response = _upload(admin_client, dataset, GOOD_CSV, name="capitals.csv", default_split="dev")
    assert response.status_code == 302
    version = DatasetVersion.objects.get(dataset=dataset)
    assert (version.test_count, version.dev_count) == (1, 1)


def test_a_bad_file_lists_every_bad_line_and_imports_nothing(admin_client, dataset):
    response = _upload(admin_client, dataset, BAD_JSONL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    lines = sorted({error.line for error in response.context["line_errors"]})
    assert lines == [2, 3, 4]
    assert "missing label `answer`" in html
    assert "invalid JSON" in html
    assert "colour" in html
    assert html.count('class="line-error"') == len(response.context["line_errors"])
    assert not DatasetVersion.objects.exists()
    assert not Example.objects.exists()


def test_a_file_in_the_wrong_encoding_is_rejected(admin_client, dataset):
    response = _upload(admin_client, dataset, '{"question": "café", "answer": "x"}'.encode("latin-1"))
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not DatasetVersion.objects.exists()


def test_a_file_name_without_a_known_suffix_needs_a_format(admin_client, dataset):
    response = _upload(admin_client, dataset, GOOD_JSONL, name="examples.txt")
    assert response.status_code == 200
    assert "format" in response.context["form"].errors
    assert _upload(admin_client, dataset, GOOD_JSONL, name="examples.txt", format="jsonl").status_code == 302


def test_a_dataset_without_a_signature_asks_for_one(admin_client, qa_signature):
    bare = dataset_create(name="bare")
    response = _upload(admin_client, bare, GOOD_JSONL)
    assert response.status_code == 200
    assert "signature" in response.context["form"].errors
    response = _upload(admin_client, bare, GOOD_JSONL, signature=qa_signature.pk)
    assert response.status_code == 302
    assert bare.versions.count() == 1


def test_no_file_is_a_form_error(admin_client, dataset):
    response = admin_client.post(_url(dataset), {"default_split": "train"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_users_without_the_change_permission_cannot_upload(client, django_user_model, dataset):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(username="viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_dataset"))
    client.force_login(viewer)
    assert client.get(_url(dataset)).status_code == 403
    assert _upload(client, dataset, GOOD_JSONL).status_code == 403
    assert not DatasetVersion.objects.exists()
