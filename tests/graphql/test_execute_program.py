"""executeProgram: a real run against the stub OpenAI server, returning outputs, latency, usage, cost."""

from __future__ import annotations

import pytest

from programs.models import Execution
from programs.services import program_version_create
from tests.graphql.conftest import gid
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db

EXECUTE = """mutation($id: ID!, $inputs: JSON!, $version: ID) {
  executeProgram(id: $id, inputs: $inputs, version: $version) {
    execution { id status inputs outputs error latencyMs backend programVersion { number }
                lmCalls { totalCount edges { node { model response cacheHit usage } } } }
    outputs latencyMs usage { promptTokens completionTokens totalTokens } cost
    errors { field message code } } }"""
PARIS = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"


def test_a_program_created_over_graphql_runs_on_the_stub_server(graphql, openai_stub, stub_endpoint, user):
    signature = graphql(
        'mutation { createSignature(input: {name: "qa", spec: "question -> answer"}) { signature { id } } }'
    ).data["createSignature"]["signature"]
    program = graphql(
        "mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { id } } }",
        {
            "input": {
                "name": "qa",
                "signature": signature["id"],
                "lmConfig": {"endpoint": stub_endpoint, "model": "stub-model"},
            }
        },
    ).data["createProgram"]["program"]
    openai_stub.script(PARIS)

    payload = graphql(EXECUTE, {"id": program["id"], "inputs": {"question": "Capital of France?"}}).data[
        "executeProgram"
    ]

    assert payload["errors"] == []
    assert payload["outputs"] == {"answer": "Paris"}
    assert payload["latencyMs"] > 0
    usage = payload["usage"]
    assert (
        usage["promptTokens"] > 0
        and usage["totalTokens"] == usage["promptTokens"] + usage["completionTokens"]
    )
    assert payload["cost"] is None  # the stub model has no price
    execution = payload["execution"]
    assert execution["status"] == "succeeded"
    assert execution["inputs"] == {"question": "Capital of France?"}
    assert execution["outputs"] == {"answer": "Paris"}
    assert execution["programVersion"] == {"number": 1}
    assert execution["lmCalls"]["totalCount"] == 1
    call = execution["lmCalls"]["edges"][0]["node"]
    assert call["model"] == "openai/stub-model" and call["response"] == PARIS and call["cacheHit"] is False
    [request] = openai_stub.completion_requests()
    assert request.headers["authorization"] == f"Bearer {STUB_KEY}"
    assert Execution.objects.get().created_by == user


def test_a_priced_model_reports_its_cost_as_a_decimal(graphql, openai_stub, qa_program):
    qa_program.lm_config = {**qa_program.lm_config, "model": "openai/gpt-4o-mini"}
    qa_program.save()
    openai_stub.script(reply(answer="Paris"))
    payload = graphql(EXECUTE, {"id": gid(qa_program), "inputs": {"question": "q"}}).data["executeProgram"]
    assert payload["errors"] == []
    assert float(payload["cost"]) > 0


@pytest.mark.parametrize(
    ("inputs", "field", "words"),
    [
        ({}, "inputs.question", "question"),
        ({"question": "q", "context": "c"}, "inputs.context", "context"),
        ({"query": "q"}, "inputs.", "query"),
        (["question"], "inputs", "must be a JSON object"),
        ("question", "inputs", "must be a JSON object"),
    ],
    ids=["missing", "unknown", "misnamed", "a list", "a string"],
)
def test_bad_inputs_are_errors_naming_the_field_before_any_lm_call(
    graphql, openai_stub, qa_program, inputs, field, words
):
    payload = graphql(EXECUTE, {"id": gid(qa_program), "inputs": inputs}).data["executeProgram"]
    assert payload["execution"] is None and payload["outputs"] is None
    assert payload["errors"], payload
    assert payload["errors"][0]["field"].startswith(field)
    assert words in payload["errors"][0]["message"]
    assert payload["errors"][0]["code"] in {"INVALID", "INVALID_INPUT"}
    assert openai_stub.completion_requests() == []
    assert not Execution.objects.exists()


def test_a_mistyped_input_names_the_field_and_the_expected_type(graphql, openai_stub, user, stub_lm_config):
    from programs.services import program_create, signature_create

    signature = signature_create(name="add", spec="a: int, b: int -> total: int", owner=user)
    program = program_create(name="add", signature=signature, lm_config=stub_lm_config, owner=user)
    payload = graphql(EXECUTE, {"id": gid(program), "inputs": {"a": "three", "b": 4}}).data["executeProgram"]
    [error] = payload["errors"]
    assert error["field"] == "inputs.a"
    assert "int" in error["message"] and "three" in error["message"]
    assert openai_stub.completion_requests() == []


def test_a_failed_run_is_recorded_and_reported(graphql, openai_stub, qa_program):
    openai_stub.script({"status": 400})
    payload = graphql(EXECUTE, {"id": gid(qa_program), "inputs": {"question": "q"}}).data["executeProgram"]
    [error] = payload["errors"]
    assert error["code"] == "EXECUTION_FAILED"
    assert "BadRequestError" in error["message"]
    assert payload["execution"]["status"] == "failed"
    assert payload["execution"]["error"] == error["message"]
    assert payload["outputs"] is None
    assert Execution.objects.get().status == "failed"


def test_an_older_version_can_be_run(graphql, openai_stub, qa_program):
    first = qa_program.current_version
    program_version_create(program=qa_program, state=None, note="v2")
    openai_stub.script(reply(answer="Paris"))
    payload = graphql(
        EXECUTE, {"id": gid(qa_program), "inputs": {"question": "q"}, "version": gid(first)}
    ).data["executeProgram"]
    assert payload["errors"] == []
    assert payload["execution"]["programVersion"] == {"number": 1}


def test_a_version_of_another_program_is_refused(graphql, openai_stub, qa_program, make_program, user):
    other = make_program(user, "other")
    payload = graphql(
        EXECUTE, {"id": gid(qa_program), "inputs": {"question": "q"}, "version": gid(other.current_version)}
    ).data["executeProgram"]
    assert payload["errors"] == [
        {
            "field": "version",
            "message": f"{gid(other.current_version)!r} is not a version of this program",
            "code": "INVALID",
        }
    ]
    assert openai_stub.completion_requests() == []
