"""Date and number filters of every list (REST and GraphQL) answer bad values with a 400 naming
the filter, never a 500: UTC offsets no place uses (``+22:50``: PostgreSQL refuses more than
±15:59), dates that overflow in UTC, garbage, ids past 64 bits and infinite scores."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

BAD_DATES = {
    "2024-01-01T00:00:00+22:50": "The UTC offset +22:50 is not one any place uses",
    "2024-01-01T00:00:00-13:30": "The UTC offset -13:30 is not one any place uses",
    "0001-01-01T00:00:00+05:00": "The date/time is out of range",
    "9999-12-31T23:59:59-05:00": "The date/time is out of range",
    "2024-13-45T99:00:00": "Enter a valid date/time.",
    "yesterday": "Enter a valid date/time.",
}
ID_LISTS = {
    "/api/executions/": "program",
    "/api/datasets/": "signature",
    "/api/programs/": "signature",
    "/api/experiments/": "dataset_version",
    "/api/evaluations/": "program_version",
}


@pytest.mark.parametrize("value", list(BAD_DATES))
@pytest.mark.parametrize("name", ["created_after", "created_before"])
def test_a_bad_date_filter_is_a_400_naming_it(ada_api: Any, name: str, value: str) -> None:
    response = ada_api.get("/api/executions/", {name: value})
    assert response.status_code == 400, response.content
    assert BAD_DATES[value] in response.json()[name][0]


def test_a_real_offset_is_converted_to_utc(ada_api: Any, qa_program: Any, user: Any) -> None:
    from programs.models import Execution

    created = Execution.objects.create(program_version=qa_program.current_version, created_by=user).created_at
    for hours in (14, -12):  # the same instant, one second after the row, at the extreme offsets
        zone = datetime.timezone(datetime.timedelta(hours=hours))
        later = (created + datetime.timedelta(seconds=1)).astimezone(zone).isoformat()
        assert ada_api.get("/api/executions/", {"created_after": later}).json()["count"] == 0
        assert ada_api.get("/api/executions/", {"created_before": later}).json()["count"] == 1


@pytest.mark.parametrize(("path", "name"), list(ID_LISTS.items()))
@pytest.mark.parametrize("value", ["1e30", "99999999999999999999", "1.5", "-1e400"])
def test_an_id_filter_past_64_bits_or_not_an_integer_is_a_400(
    ada_api: Any, path: str, name: str, value: str
) -> None:
    response = ada_api.get(path, {name: value})
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_a_score_filter_on_a_real_evaluation_refuses_infinity(
    ada_api: Any, qa_program: Any, capitals_version: Any, user: Any
) -> None:
    from evaluations.services import evaluation_create

    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=capitals_version, owner=user
    )
    for value in ("1e400", "-inf", "nan"):
        response = ada_api.get(f"/api/evaluations/{evaluation.pk}/results/", {"min_score": value})
        assert response.status_code == 400, (value, response.content)
        assert "min_score" in response.json()


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00+22:50", "0001-01-01T00:00:00+05:00", "garbage"])
@pytest.mark.parametrize("connection", ["signatures", "programs", "datasets", "experiments", "evaluations"])
def test_a_bad_date_argument_in_graphql_is_an_error_naming_it(
    client: Any, user: Any, connection: str, value: str
) -> None:
    client.force_login(user)
    query = f"query Q($after: DateTime) {{ {connection}(createdAfter: $after) {{ totalCount }} }}"
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": {"after": value}}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code in (200, 400), response.content
    [error] = response.json()["errors"]
    assert "createdAfter" in error["message"] or "$after" in error["message"], error
