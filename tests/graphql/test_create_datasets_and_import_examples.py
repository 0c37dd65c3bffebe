"""createDataset and importExamples (JSONL/CSV text, all or nothing, every bad line reported)."""

from __future__ import annotations

import json

import pytest

from datasets.models import Dataset, DatasetVersion, Example
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: CreateDatasetInput!) { createDataset(input: $input) {
    dataset { id name description signature { name } owner { username } latestVersion { number } }
    errors { field message code } } }"""
IMPORT = """mutation($input: ImportExamplesInput!) { importExamples(input: $input) {
    datasetVersion { number source contentHash trainCount devCount testCount exampleCount
                     dataset { name } examples { edges { node { inputs labels split position } } } }
    errors { line field message code } } }"""


@pytest.fixture
def dataset(qa_signature, user):
    from datasets.services import dataset_create

    return dataset_create(name="trivia", signature=qa_signature, owner=user)


def jsonl(*records):
    return "".join(json.dumps(record) + "\n" for record in records)


def test_it_creates_a_dataset(graphql, qa_signature, user):
    payload = graphql(
        CREATE, {"input": {"name": "trivia", "description": "Capitals.", "signature": gid(qa_signature)}}
    ).data["createDataset"]
    assert payload["errors"] == []
    assert payload["dataset"]["name"] == "trivia"
    assert payload["dataset"]["signature"] == {"name": "qa"}
    assert payload["dataset"]["owner"] == {"username": "ada"}
    assert payload["dataset"]["latestVersion"] is None
    assert Dataset.objects.get().owner == user


def test_a_dataset_needs_no_signature_but_a_unique_name(graphql):
    assert graphql(CREATE, {"input": {"name": "raw"}}).data["createDataset"]["errors"] == []
    payload = graphql(CREATE, {"input": {"name": "raw"}}).data["createDataset"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", "UNIQUE_TOGETHER")]
    payload = graphql(CREATE, {"input": {"name": "x" * 201}}).data["createDataset"]
    assert payload["errors"][0]["field"] == "name"
    assert payload["errors"][0]["code"] == "MAX_LENGTH"


def test_it_imports_jsonl_as_a_new_version(graphql, dataset):
    content = jsonl(
        {"question": "Capital of France?", "answer": "Paris"},
        {"question": "Capital of Italy?", "answer": "Rome", "split": "dev"},
    )
    payload = graphql(
        IMPORT,
        {
            "input": {
                "dataset": gid(dataset),
                "content": content,
                "format": "JSONL",
                "fileName": "/tmp/../capitals.jsonl",
            }
        },
    ).data["importExamples"]
    assert payload["errors"] == []
    version = payload["datasetVersion"]
    assert (version["number"], version["source"], version["exampleCount"]) == (1, "capitals.jsonl", 2)
    assert (version["trainCount"], version["devCount"], version["testCount"]) == (1, 1, 0)
    assert len(version["contentHash"]) == 64
    assert [edge["node"] for edge in version["examples"]["edges"]] == [
        {
            "inputs": {"question": "Capital of France?"},
            "labels": {"answer": "Paris"},
            "split": "train",
            "position": 0,
        },
        {
            "inputs": {"question": "Capital of Italy?"},
            "labels": {"answer": "Rome"},
            "split": "dev",
            "position": 1,
        },
    ]


def test_it_imports_csv_with_a_default_split(graphql, dataset):
    content = "question,answer\nCapital of Spain?,Madrid\nCapital of Peru?,Lima\n"
    payload = graphql(
        IMPORT,
        {"input": {"dataset": gid(dataset), "content": content, "format": "CSV", "defaultSplit": "TEST"}},
    ).data["importExamples"]
    assert payload["errors"] == []
    assert payload["datasetVersion"]["testCount"] == 2
    assert payload["datasetVersion"]["source"] == "csv"


def test_every_bad_line_is_reported_and_nothing_is_imported(graphql, dataset):
    content = (
        jsonl({"question": "ok", "answer": "fine"})
        + "{not json\n"
        + jsonl(
            {"question": "no label"},
            {"question": "q", "answer": "a", "extra": 1},
            {"question": "q", "answer": "a", "split": "holdout"},
        )
    )
    payload = graphql(
        IMPORT, {"input": {"dataset": gid(dataset), "content": content, "format": "JSONL"}}
    ).data["importExamples"]
    assert payload["datasetVersion"] is None
    lines = sorted({error["line"] for error in payload["errors"]})
    assert lines == [2, 3, 4, 5]
    assert all(error["code"] == "INVALID_LINE" for error in payload["errors"])
    by_line = {error["line"]: error for error in payload["errors"]}
    assert "invalid JSON" in by_line[2]["message"]
    assert by_line[3]["field"] == "answer"
    assert not DatasetVersion.objects.exists()
    assert not Example.objects.exists()


def test_a_version_can_be_imported_without_labels_when_asked(graphql, dataset):
    payload = graphql(
        IMPORT,
        {
            "input": {
                "dataset": gid(dataset),
                "content": jsonl({"question": "q"}),
                "format": "JSONL",
                "requireLabels": False,
            }
        },
    ).data["importExamples"]
    assert payload["errors"] == []
    assert payload["datasetVersion"]["examples"]["edges"][0]["node"]["labels"] == {}


def test_an_empty_file_is_a_file_error(graphql, dataset):
    payload = graphql(IMPORT, {"input": {"dataset": gid(dataset), "content": "\n", "format": "JSONL"}}).data[
        "importExamples"
    ]
    assert payload["errors"] == [
        {"line": None, "field": None, "message": "the file has no examples", "code": "INVALID_FILE"}
    ]


def test_a_dataset_without_signature_needs_one_given(graphql, user, qa_signature):
    from datasets.services import dataset_create

    raw = dataset_create(name="raw", owner=user)
    content = jsonl({"question": "q", "answer": "a"})
    payload = graphql(IMPORT, {"input": {"dataset": gid(raw), "content": content, "format": "JSONL"}}).data[
        "importExamples"
    ]
    assert payload["errors"] == [
        {
            "line": None,
            "field": "signature",
            "message": "give a signature to validate against (the dataset has none)",
            "code": "INVALID",
        }
    ]
    payload = graphql(
        IMPORT,
        {
            "input": {
                "dataset": gid(raw),
                "content": content,
                "format": "JSONL",
                "signature": gid(qa_signature),
            }
        },
    ).data["importExamples"]
    assert payload["errors"] == []
    assert payload["datasetVersion"]["number"] == 1


def test_an_unknown_format_is_a_graphql_validation_error(graphql, dataset):
    result = graphql(IMPORT, {"input": {"dataset": gid(dataset), "content": "x", "format": "XML"}})
    assert result.status == 400
    assert "XML" in result.errors[0]["message"]


def test_another_users_dataset_is_not_found(graphql_as, other_user, dataset):
    payload = graphql_as(other_user)(
        IMPORT,
        {
            "input": {
                "dataset": gid(dataset),
                "content": jsonl({"question": "q", "answer": "a"}),
                "format": "JSONL",
            }
        },
    ).data["importExamples"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("dataset", "NOT_FOUND")]
