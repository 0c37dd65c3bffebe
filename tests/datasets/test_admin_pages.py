"""Admin pages of the datasets app render; versions and examples are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from datasets.services import dataset_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(math_dataset):
    return dataset_import(dataset=math_dataset, file=b'{"question": "q", "hints": [], "answer": 1}')


@pytest.mark.parametrize("model", ["dataset", "datasetversion", "example"])
def test_the_changelist_renders_with_rows(admin_client, version, model):
    url = reverse(f"admin:datasets_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "math"}).status_code == 200


def test_a_dataset_page_lists_its_versions(admin_client, version):
    response = admin_client.get(reverse("admin:datasets_dataset_change", args=[version.dataset_id]))
    assert response.status_code == 200
    assert version.content_hash in response.content.decode()


def test_versions_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:datasets_datasetversion_add")).status_code == 403
