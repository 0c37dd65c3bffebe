"""A dataset's page shows its latest version's examples, read-only, one page at a time."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from datasets.services import dataset_create, dataset_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(qa_signature, user):
    dataset = dataset_create(name="capitals", signature=qa_signature, owner=user)
    dataset_import(dataset=dataset, file=b'{"question": "old question", "answer": "old"}\n')
    lines = [
        json.dumps(
            {"question": f"question {i}", "answer": f"answer {i}", "split": "dev" if i % 3 else "train"}
        )
        for i in range(40)
    ]
    dataset_import(dataset=dataset, file="\n".join(lines).encode())
    return dataset


def _page(client, dataset, **params):
    return client.get(reverse("admin:datasets_dataset_change", args=[dataset.pk]), params)


def test_the_first_page_of_the_latest_version_is_shown(admin_client, dataset):
    response = _page(admin_client, dataset)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Examples of version 2" in html
    assert "question 0" in html and "question 24" in html
    assert "question 25" not in html
    assert "old question" not in html
    assert "page 1 of 2" in html
    assert html.count('class="example-row"') == 25
    assert response.context["examples_input_columns"] == ["question"]
    assert response.context["examples_label_columns"] == ["answer"]


def test_the_next_page_shows_the_rest(admin_client, dataset):
    html = _page(admin_client, dataset, examples_page=2).content.decode()
    assert "question 39" in html and "question 24<" not in html
    assert html.count('class="example-row"') == 15


def test_examples_can_be_shown_for_one_split(admin_client, dataset):
    response = _page(admin_client, dataset, examples_split="train")
    assert {row["split"] for row in response.context["examples_rows"]} == {"train"}
    assert response.context["examples_page"].paginator.count == 14


def test_the_examples_are_read_only(admin_client, dataset):
    html = _page(admin_client, dataset).content.decode()
    assert 'name="examples' not in html  # no form fields for examples


def test_a_dataset_without_versions_says_so(admin_client, qa_signature):
    empty = dataset_create(name="empty", signature=qa_signature)
    assert "No versions yet." in _page(admin_client, empty).content.decode()


def test_a_version_page_shows_its_own_examples(admin_client, dataset):
    first = dataset.versions.get(number=1)
    response = admin_client.get(reverse("admin:datasets_datasetversion_change", args=[first.pk]))
    assert response.status_code == 200
    assert "old question" in response.content.decode()


def test_the_example_list_can_be_filtered_to_one_version(admin_client, dataset):
    latest = dataset.versions.get(number=2)
    response = admin_client.get(
        reverse("admin:datasets_example_changelist"), {"version__id__exact": latest.pk}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 40
