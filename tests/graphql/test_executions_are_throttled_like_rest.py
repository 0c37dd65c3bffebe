"""Executions share the REST API's rate limit (scope ``execute``)."""

from __future__ import annotations

import pytest

from programs.models import Execution
from tests.graphql.conftest import gid
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

EXECUTE = """mutation($id: ID!) { executeProgram(id: $id, inputs: {question: "q"}) {
    outputs errors { field message code } } }"""


@pytest.fixture
def one_per_minute(settings):
    rates = {**settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "execute": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_the_second_execution_in_a_minute_is_throttled(graphql, openai_stub, qa_program, one_per_minute):
    openai_stub.script(reply(answer="Paris"), reply(answer="Rome"))
    assert graphql(EXECUTE, {"id": gid(qa_program)}).data["executeProgram"]["outputs"] == {"answer": "Paris"}
    payload = graphql(EXECUTE, {"id": gid(qa_program)}).data["executeProgram"]
    [error] = payload["errors"]
    assert error["code"] == "THROTTLED"
    assert error["message"].startswith("Too many requests: try again in ")
    assert Execution.objects.count() == 1
    assert len(openai_stub.completion_requests()) == 1


def test_the_budget_is_per_user(
    graphql, graphql_as, other_user, openai_stub, qa_program, make_program, one_per_minute
):
    theirs = make_program(other_user, "theirs")
    openai_stub.script(reply(answer="Paris"), reply(answer="Rome"))
    assert graphql(EXECUTE, {"id": gid(qa_program)}).data["executeProgram"]["errors"] == []
    assert graphql_as(other_user)(EXECUTE, {"id": gid(theirs)}).data["executeProgram"]["errors"] == []
