"""``GET /api/evaluations/{id}/compare/?other=<id>``: example by example against a baseline on the
same dataset version; a mismatch is a 400 that says what differs."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create
from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(user, qa_program):
    return questions_version(user, qa_program.signature, 6)


@pytest.fixture
def pair(openai_stub, qa_program, version, user):
    """A baseline wrong on q0..q2 and a candidate wrong on q2..q3: 2 improved, 1 regressed."""
    answering(openai_stub, wrong={"q0", "q1", "q2"})
    baseline = evaluated(qa_program, version, owner=user)
    answering(openai_stub, wrong={"q2", "q3"})
    candidate = evaluated(qa_program, version, owner=user)
    return candidate, baseline


def test_counts_and_rows(ada_api, pair):
    candidate, baseline = pair
    body = ada_api.get(f"/api/evaluations/{candidate.pk}/compare/", {"other": baseline.pk}).json()
    assert (body["evaluation"], body["other"]) == (candidate.pk, baseline.pk)
    assert body["counts"] == {"improved": 2, "regressed": 1, "unchanged": 3, "missing": 0}
    assert (body["score"], body["other_score"]) == (pytest.approx(4 / 6), 0.5)
    assert body["count"] == 6
    changes = [(row["position"], row["change"]) for row in body["results"]]
    assert changes == [
        (0, "improved"), (1, "improved"), (2, "unchanged"),
        (3, "regressed"), (4, "unchanged"), (5, "unchanged"),
    ]  # fmt: skip
    row = body["results"][3]
    assert (row["score"], row["baseline_score"], row["delta"]) == (0.0, 1.0, -1.0)
    assert (row["prediction"], row["baseline_prediction"]) == ({"answer": "nope"}, {"answer": "a3"})
    assert row["inputs"] == {"question": "q3"} and row["labels"] == {"answer": "a3"}


def test_rows_are_filtered_by_change_and_paginated(ada_api, pair):
    candidate, baseline = pair
    url = f"/api/evaluations/{candidate.pk}/compare/"
    body = ada_api.get(url, {"other": baseline.pk, "change": "improved"}).json()
    assert [row["position"] for row in body["results"]] == [0, 1]
    assert body["counts"]["improved"] == 2 and body["count"] == 2
    first = ada_api.get(url, {"other": baseline.pk, "page_size": 4}).json()
    assert len(first["results"]) == 4 and first["next"]
    assert len(ada_api.get(first["next"]).json()["results"]) == 2


def test_examples_missing_on_one_side_are_counted(ada_api, openai_stub, qa_program, version, user, pair):
    candidate, _ = pair
    partial = evaluated(qa_program, version, owner=user, limit=2)
    body = ada_api.get(f"/api/evaluations/{candidate.pk}/compare/", {"other": partial.pk}).json()
    assert body["counts"]["missing"] == 4
    assert body["results"][5]["baseline_score"] is None and body["results"][5]["change"] == "missing"


def test_another_dataset_version_is_a_clear_400(ada_api, user, qa_program, pair):
    candidate, _ = pair
    elsewhere = evaluation_create(
        program_version=qa_program.current_version,
        dataset_version=questions_version(user, qa_program.signature, 2, name="elsewhere"),
        owner=user,
    )
    response = ada_api.get(f"/api/evaluations/{candidate.pk}/compare/", {"other": elsewhere.pk})
    assert response.status_code == 400
    assert response.json() == {
        "other": [
            f"evaluation {candidate.pk} is on questions v1 and evaluation {elsewhere.pk} on elsewhere v1: "
            "only evaluations of the same dataset version can be compared example by example"
        ]
    }


def test_another_split_is_a_400_too(ada_api, user, openai_stub, qa_program):
    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="both", signature=qa_program.signature, owner=user)
    version = dataset_import(
        dataset=dataset,
        file=b'{"question": "q0", "answer": "a0", "split": "dev"}\n'
        b'{"question": "q1", "answer": "a1", "split": "test"}\n',
    )
    dev = evaluation_create(program_version=qa_program.current_version, dataset_version=version, split="dev")
    test = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, split="test"
    )
    dev.owner = test.owner = user
    dev.save()
    test.save()
    response = ada_api.get(f"/api/evaluations/{dev.pk}/compare/", {"other": test.pk})
    assert response.status_code == 400
    assert "on the dev split and evaluation" in response.json()["other"][0]


def test_other_is_required_and_must_be_yours(ada_api, grace_api, user, other_user, pair):
    candidate, baseline = pair
    assert "other" in ada_api.get(f"/api/evaluations/{candidate.pk}/compare/").json()
    response = ada_api.get(f"/api/evaluations/{candidate.pk}/compare/", {"other": 99999})
    assert response.status_code == 400
    assert response.json() == {"other": ["there is no evaluation 99999 of yours"]}
    assert (
        grace_api.get(f"/api/evaluations/{candidate.pk}/compare/", {"other": baseline.pk}).status_code == 404
    )
