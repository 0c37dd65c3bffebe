"""POST /api/datasets/{id}/import/ (multipart): a good file becomes a new immutable version (201);
a bad one is rejected as a whole with one error per problem (400) and nothing is imported."""

from __future__ import annotations

import io
import json

import pytest

from datasets.models import DatasetVersion, Example

pytestmark = pytest.mark.django_db


def upload(name: str, text: str) -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def jsonl(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def dataset(user, make_dataset):
    return make_dataset(user, name="capitals")


def test_a_good_jsonl_file_becomes_version_1(ada_api, dataset):
    text = jsonl(
        {"question": "Capital of France?", "answer": "Paris"},
        {"question": "Capital of Italy?", "answer": "Rome", "split": "dev"},
    )
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": upload("caps.jsonl", text)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert (body["train_count"], body["dev_count"], body["test_count"], body["example_count"]) == (1, 1, 0, 2)
    assert body["source"] == "caps.jsonl"
    assert body["created_by"] == "ada"
    assert len(body["content_hash"]) == 64
    assert response["Location"].endswith(f"/api/datasets/{dataset.pk}/versions/1/")
    listed = ada_api.get(f"/api/datasets/{dataset.pk}/").json()
    assert (listed["latest_version"], listed["version_count"]) == (1, 1)


def test_a_csv_file_is_read_by_its_extension_and_a_second_import_is_version_2(ada_api, dataset):
    ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": upload("a.jsonl", jsonl({"question": "q", "answer": "a"}))},
    )
    csv = "question,answer,split\nq1,a1,test\nq2,a2,\n"
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/", {"file": upload("b.csv", csv), "split": "dev"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    assert (response.json()["test_count"], response.json()["dev_count"]) == (1, 1)


def test_the_format_can_be_given_explicitly(ada_api, dataset):
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": upload("data.txt", jsonl({"question": "q", "answer": "a"})), "format": "jsonl"},
    )
    assert response.status_code == 201


def test_a_file_whose_format_cannot_be_told_is_a_400_naming_format(ada_api, dataset):
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": upload("data.txt", "x")})
    assert response.status_code == 400
    assert "give format=jsonl or format=csv" in response.json()["format"][0]


def test_every_bad_line_is_reported_and_nothing_is_imported(ada_api, dataset):
    text = (
        jsonl({"question": "fine", "answer": "ok"})
        + "{not json\n"
        + jsonl(
            {"question": "q"},
            {"question": "q", "answer": "a", "colour": "red"},
            {"question": "q", "answer": "a", "split": "holdout"},
        )
    )
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": upload("bad.jsonl", text)})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "nothing was imported: 4 error(s) on 4 line(s)"
    errors = {(e["line"], e["field"]): e["message"] for e in body["errors"]}
    assert errors[(2, None)].startswith("invalid JSON")
    assert errors[(3, "answer")] == "missing label `answer`"
    assert errors[(4, "colour")].startswith("unknown field")
    assert "must be one of train, dev, test" in errors[(5, "split")]
    assert not DatasetVersion.objects.exists()
    assert not Example.objects.exists()


def test_labels_may_be_optional(ada_api, dataset):
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": upload("q.jsonl", jsonl({"question": "q"})), "require_labels": "false"},
    )
    assert response.status_code == 201, response.json()


def test_labels_are_required_by_default_in_a_multipart_form(ada_api, dataset):
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/", {"file": upload("q.jsonl", jsonl({"question": "q"}))}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "answer"


def test_an_empty_file_is_rejected(ada_api, dataset):
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": upload("e.jsonl", "\n")})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"line": 0, "field": None, "message": "the file has no examples"}]


def test_a_file_that_is_not_utf8_is_rejected(ada_api, dataset):
    file = io.BytesIO(b'{"question": "caf\xe9", "answer": "x"}\n')
    file.name = "latin1.jsonl"
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": file})
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["errors"][0]["message"]


def test_a_dataset_without_a_signature_needs_one_for_the_import(ada_api, qa_signature):
    dataset_id = ada_api.post("/api/datasets/", {"name": "loose"}, format="json").json()["id"]
    file = upload("a.jsonl", jsonl({"question": "q", "answer": "a"}))
    response = ada_api.post(f"/api/datasets/{dataset_id}/import/", {"file": file})
    assert response.status_code == 400
    assert "give a signature" in response.json()["signature"][0]
    file = upload("a.jsonl", jsonl({"question": "q", "answer": "a"}))
    response = ada_api.post(
        f"/api/datasets/{dataset_id}/import/", {"file": file, "signature": qa_signature.pk}
    )
    assert response.status_code == 201


def test_the_file_is_required(ada_api, dataset):
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {})
    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_the_new_version_and_its_examples_are_readable(ada_api, dataset):
    text = jsonl({"question": "q0", "answer": "a0"}, {"question": "q1", "answer": "a1", "split": "test"})
    ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": upload("x.jsonl", text)})
    versions = ada_api.get(f"/api/datasets/{dataset.pk}/versions/").json()
    assert [v["number"] for v in versions["results"]] == [1]
    examples = ada_api.get(f"/api/datasets/{dataset.pk}/versions/1/examples/").json()["results"]
    assert [(e["position"], e["split"], e["inputs"], e["labels"]) for e in examples] == [
        (0, "train", {"question": "q0"}, {"answer": "a0"}),
        (1, "test", {"question": "q1"}, {"answer": "a1"}),
    ]
    assert ada_api.get(f"/api/datasets/{dataset.pk}/versions/2/").status_code == 404
