"""``GET /api/evaluations/{id}/results/``: one row per example, paginated, filtered to the errors
only or to a score range, ordered by score."""

from __future__ import annotations

import pytest

from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(user, openai_stub, qa_program):
    version = questions_version(user, qa_program.signature, 8)
    answering(openai_stub, wrong={"q1", "q2"}, fail={"q3"})
    return evaluated(qa_program, version, owner=user, metrics=["f1"])


def _positions(response):
    return [row["position"] for row in response.json()["results"]]


def test_pages_follow_each_other(ada_api, evaluation):
    url = f"/api/evaluations/{evaluation.pk}/results/"
    first = ada_api.get(url, {"page_size": 5}).json()
    assert first["count"] == 8 and len(first["results"]) == 5 and first["next"]
    second = ada_api.get(first["next"]).json()
    assert [r["position"] for r in first["results"] + second["results"]] == list(range(8))


def test_errors_only(ada_api, evaluation):
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/results/", {"failed": "true"})
    assert _positions(response) == [3]
    [row] = response.json()["results"]
    assert "ServerError" in row["error"] and row["prediction"] is None and row["score"] is None
    assert (
        len(_positions(ada_api.get(f"/api/evaluations/{evaluation.pk}/results/", {"failed": "false"}))) == 7
    )


def test_a_score_range(ada_api, evaluation):
    url = f"/api/evaluations/{evaluation.pk}/results/"
    assert _positions(ada_api.get(url, {"max_score": 0.5})) == [1, 2]
    assert _positions(ada_api.get(url, {"min_score": 0.5})) == [0, 4, 5, 6, 7]
    assert _positions(ada_api.get(url, {"min_score": 0.5, "max_score": 0.5})) == []
    ordered = ada_api.get(url, {"ordering": "score", "failed": "false"}).json()["results"]
    assert [row["score"] for row in ordered][:2] == [0.0, 0.0]


def test_another_users_results_are_not_found(grace_api, evaluation):
    assert grace_api.get(f"/api/evaluations/{evaluation.pk}/results/").status_code == 404
