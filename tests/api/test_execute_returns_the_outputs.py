"""POST /api/programs/{id}/execute/ runs the program against the LM and answers with its outputs."""

from __future__ import annotations

import pytest

from programs.models import Execution
from programs.services import program_version_create
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db


def execute(client, program, inputs, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return client.post(f"/api/programs/{program.pk}/execute/{suffix}", inputs, format="json")


def test_it_answers_200_with_outputs_latency_usage_and_cost(ada_api, openai_stub, qa_program, user):
    openai_stub.script("[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]")
    response = execute(ada_api, qa_program, {"question": "What is the capital of France?"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"execution_id", "outputs", "latency_ms", "usage", "cost"}
    assert body["outputs"] == {"answer": "Paris"}
    assert body["latency_ms"] > 0
    assert body["usage"]["prompt_tokens"] > 0
    assert (
        body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )
    assert body["cost"] is None  # the stub model has no price
    execution = Execution.objects.get(pk=body["execution_id"])
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.created_by == user
    assert execution.program_version == qa_program.current_version


def test_the_request_reached_the_lm_with_the_key_from_the_environment(ada_api, openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    execute(ada_api, qa_program, {"question": "Capital of France?"})
    [request] = openai_stub.completion_requests()
    assert request.headers["authorization"] == f"Bearer {STUB_KEY}"
    assert "Capital of France?" in request.json["messages"][-1]["content"]


def test_the_execution_is_then_readable_with_its_trace(ada_api, openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    execution_id = execute(ada_api, qa_program, {"question": "q"}).json()["execution_id"]
    body = ada_api.get(f"/api/executions/{execution_id}/").json()
    assert body["status"] == "succeeded"
    assert body["program"] == qa_program.pk
    assert body["version"] == 1
    assert body["inputs"] == {"question": "q"}
    assert body["outputs"] == {"answer": "Paris"}
    [call] = body["lm_calls"]
    assert call["model"] == "openai/stub-model"
    assert call["outputs"] == [reply(answer="Paris")]
    assert STUB_KEY not in str(body)


def test_typed_inputs_are_coerced_and_typed_outputs_returned(ada_api, openai_stub, make_program, user):
    program = make_program(user, name="add", spec="a: int, b: int -> total: int")
    openai_stub.script(reply(total="5"))
    response = execute(ada_api, program, {"a": "2", "b": 3})
    assert response.status_code == 200
    assert response.json()["outputs"] == {"total": 5}
    assert Execution.objects.get().inputs == {"a": 2, "b": 3}


def test_an_older_version_can_be_run(ada_api, openai_stub, qa_program):
    program_version_create(program=qa_program, state=qa_program.current_version.state)
    openai_stub.script(reply(answer="Paris"))
    response = execute(ada_api, qa_program, {"question": "q"}, version=1)
    assert response.status_code == 200
    assert Execution.objects.get().program_version.number == 1


def test_an_unknown_version_is_a_400_naming_version(ada_api, openai_stub, qa_program):
    response = execute(ada_api, qa_program, {"question": "q"}, version=7)
    assert response.status_code == 400
    assert response.json() == {"version": ["program 'qa' has no version 7"]}
    assert openai_stub.completion_requests() == []
