"""updateDataset changes name, description and signature; only the owner (or staff) may."""

from __future__ import annotations

import pytest

from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

UPDATE = """mutation($id: ID!, $input: UpdateDatasetInput!) { updateDataset(id: $id, input: $input) {
    dataset { name description signature { name } } errors { field message code } } }"""


@pytest.fixture
def dataset(qa_signature, user):
    from datasets.services import dataset_create

    return dataset_create(name="trivia", signature=qa_signature, owner=user)


def test_it_changes_only_the_fields_given(graphql, dataset):
    payload = graphql(UPDATE, {"id": gid(dataset), "input": {"description": "Capitals."}}).data[
        "updateDataset"
    ]
    assert payload["errors"] == []
    assert payload["dataset"] == {"name": "trivia", "description": "Capitals.", "signature": {"name": "qa"}}
    dataset.refresh_from_db()
    assert dataset.description == "Capitals."


def test_a_null_name_is_an_error_on_the_name(graphql, dataset):
    payload = graphql(UPDATE, {"id": gid(dataset), "input": {"name": None}}).data["updateDataset"]
    assert [e["field"] for e in payload["errors"]] == ["name"]
    dataset.refresh_from_db()
    assert dataset.name == "trivia"


def test_another_users_dataset_is_not_found(graphql_as, other_user, dataset):
    payload = graphql_as(other_user)(UPDATE, {"id": gid(dataset), "input": {"name": "mine"}}).data[
        "updateDataset"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "NOT_FOUND")]
    dataset.refresh_from_db()
    assert dataset.name == "trivia"
