"""Feedback on an execution (score, label, correction, comment): one row per user and
execution, replaced when given again, on REST, GraphQL and the shell; strangers find nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from programs.models import ExecutionFeedback
from programs.services import program_execute
from tests.actions.conftest import gid
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def execution(openai_stub: Any, qa_program: Any, user: Any) -> Any:
    openai_stub.set_default(reply(answer="Lyon"))
    return program_execute(program=qa_program, inputs={"question": "Capital of France?"}, user=user)


def test_rest_records_feedback_and_giving_it_again_replaces_it(
    rest_as: Any, user: Any, execution: Any
) -> None:
    url = f"/api/executions/{execution.pk}/feedback/"
    first = rest_as(user).post(
        url, {"score": 0, "label": "wrong", "correction": {"answer": "Paris"}}, format="json"
    )
    assert first.status_code == 200, first.content
    assert first.json()["correction"] == {"answer": "Paris"} and first.json()["user"] == "ada"
    again = rest_as(user).post(url, {"score": 0.5, "comment": "closer"}, format="json")
    assert again.status_code == 200
    [row] = ExecutionFeedback.objects.filter(execution=execution)
    assert (row.score, row.label, row.correction, row.comment) == (0.5, "", None, "closer")
    detail = rest_as(user).get(f"/api/executions/{execution.pk}/").json()
    assert [f["score"] for f in detail["feedback"]] == [0.5]


def test_bad_feedback_names_the_field(rest_as: Any, user: Any, execution: Any) -> None:
    url = f"/api/executions/{execution.pk}/feedback/"
    client = rest_as(user)
    assert "score" in client.post(url, {"score": 1.5}, format="json").json()
    nothing = client.post(url, {}, format="json")
    assert nothing.status_code == 400 and "give a score" in nothing.json()["score"][0]
    wrong = client.post(url, {"correction": {"verdict": "x"}}, format="json")
    assert (
        wrong.status_code == 400
        and "not output fields of the program: verdict" in wrong.json()["correction"][0]
    )
    assert not ExecutionFeedback.objects.exists()


def test_a_stranger_cannot_see_or_rate_the_execution(rest_as: Any, other_user: Any, execution: Any) -> None:
    response = rest_as(other_user).post(
        f"/api/executions/{execution.pk}/feedback/", {"score": 1}, format="json"
    )
    assert response.status_code == 404
    assert rest_as(None).post(
        f"/api/executions/{execution.pk}/feedback/", {"score": 1}, format="json"
    ).status_code in (
        401,
        403,
    )
    assert not ExecutionFeedback.objects.exists()


def test_graphql_and_the_shell_give_feedback(graphql_as: Any, user: Any, execution: Any) -> None:
    payload = graphql_as(user)(
        'mutation($id: ID!) { giveExecutionFeedback(id: $id, score: 1.0, label: "good") '
        "{ executionFeedback { score label } errors { field message } } }",
        {"id": gid(execution)},
    )["data"]["giveExecutionFeedback"]
    assert payload == {"executionFeedback": {"score": 1.0, "label": "good"}, "errors": []}
    with pytest.raises(ValidationError):
        execution.give_feedback(score=1.0)  # the operator is no user: feedback needs one
    assert ExecutionFeedback.objects.get().label == "good"
