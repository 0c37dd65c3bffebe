"""``GET /api/evaluations/{id}/export/?format=csv|json`` streams every result."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(user, openai_stub, qa_program):
    version = questions_version(user, qa_program.signature, 4)
    answering(openai_stub, wrong={"q1"}, fail={"q2"})
    return evaluated(qa_program, version, owner=user, metrics=["exact_match", "f1"])


def _content(response):
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_csv_has_a_line_per_example_with_flat_columns(ada_api, evaluation):
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="qa-evaluation-{evaluation.pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(_content(response))))
    assert list(rows[0]) == [
        "position", "example_id", "input.question", "label.answer", "prediction.answer", "score",
        "metric.exact_match", "metric.f1", "error", "latency_ms", "prompt_tokens", "completion_tokens",
        "cost",
    ]  # fmt: skip
    assert [
        (r["position"], r["input.question"], r["label.answer"], r["prediction.answer"]) for r in rows
    ] == [
        ("0", "q0", "a0", "a0"),
        ("1", "q1", "a1", "nope"),
        ("2", "q2", "a2", ""),
        ("3", "q3", "a3", "a3"),
    ]
    assert [(r["score"], r["metric.exact_match"], r["metric.f1"]) for r in rows[:3]] == [
        ("1.0", "1.0", "1.0"),
        ("0.0", "0.0", "0.0"),
        ("", "", ""),
    ]
    assert "ServerError" in rows[2]["error"]
    assert int(rows[0]["prompt_tokens"]) > 0


def test_csv_is_the_default(ada_api, evaluation):
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/export/")
    assert response["Content-Type"].startswith("text/csv")


def test_json_has_the_summary_and_nested_results(ada_api, evaluation):
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/export/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(_content(response))
    summary = document["evaluation"]
    assert (summary["id"], summary["program"], summary["dataset"], summary["status"]) == (
        evaluation.pk,
        "qa",
        "questions",
        "succeeded",
    )
    assert summary["score"] == 0.5
    results = document["results"]
    assert len(results) == 4
    assert results[1]["inputs"] == {"question": "q1"}
    assert results[1]["labels"] == {"answer": "a1"}
    assert results[1]["prediction"] == {"answer": "nope"}
    assert results[1]["metric_scores"] == {"exact_match": 0.0, "f1": 0.0}
    assert results[2]["prediction"] is None and "ServerError" in results[2]["error"]


def test_a_big_export_comes_in_several_chunks(ada_api, user, openai_stub, qa_program):
    answering(openai_stub)
    evaluation = evaluated(
        qa_program, questions_version(user, qa_program.signature, 450, name="big"), owner=user
    )
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/export/", {"format": "json"})
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    assert len(json.loads(b"".join(chunks))["results"]) == 450
    lines = _content(ada_api.get(f"/api/evaluations/{evaluation.pk}/export/")).splitlines()
    assert len(lines) == 451


def test_an_unknown_format_is_a_400(ada_api, evaluation):
    response = ada_api.get(f"/api/evaluations/{evaluation.pk}/export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert "format" in response.json()


def test_another_users_export_is_not_found(grace_api, evaluation):
    assert grace_api.get(f"/api/evaluations/{evaluation.pk}/export/", {"format": "csv"}).status_code == 404
