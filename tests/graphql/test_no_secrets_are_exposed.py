"""Nothing resembling a key leaves the API: LM configs name endpoints, stored keys are write-only,
JSON is redacted."""

from __future__ import annotations

import json

import pytest

from programs.models import LMCallTrace, Program
from tests.graphql.conftest import gid
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db

EVERYTHING = """query($id: ID!) { program(id: $id) {
    lmConfig { endpoint model credential baseUrl apiKeyEnv params } moduleConfig
    currentVersion { state executions { edges { node { inputs outputs error
        lmCalls { edges { node { messages params outputs usage response } } } } } } } } }"""


@pytest.fixture(autouse=True)
def deep_queries_allowed(settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 20


def test_a_run_program_shows_its_endpoint_never_the_key_or_its_variable(graphql, openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    graphql(
        'mutation($id: ID!) { executeProgram(id: $id, inputs: {question: "q"}) { errors { message } } }',
        {"id": gid(qa_program)},
    )
    result = graphql(EVERYTHING, {"id": gid(qa_program)})
    text = json.dumps(result.data)
    assert result.data["program"]["lmConfig"]["endpoint"] == "stub"
    assert "DSPEX_STUB_API_KEY" not in text
    assert openai_stub.base_url not in text
    assert STUB_KEY not in text
    assert "sk-" not in text
    assert "Bearer" not in text


def test_credential_like_keys_that_reach_stored_json_are_redacted(graphql, qa_program):
    # The services refuse such keys; rows written some other way are still not shown as they are.
    Program.objects.filter(pk=qa_program.pk).update(
        lm_config={**qa_program.lm_config, "params": {"temperature": 0, "api_key": "sk-leak-1"}},
        module_config={"token": "sk-leak-2"},
    )
    execution = qa_program.current_version.executions.create(inputs={"question": "q"})
    LMCallTrace.objects.create(
        execution=execution, position=0, model="m", params={"Authorization": "sk-leak-3"}
    )
    result = graphql(EVERYTHING, {"id": gid(qa_program)})
    text = json.dumps(result.data)
    assert "sk-leak" not in text
    program = result.data["program"]
    assert program["lmConfig"]["params"] == {"temperature": 0, "api_key": "[redacted]"}
    assert program["moduleConfig"] == {"token": "[redacted]"}


# The one place a key goes in: the write-only input of createLmCredential.
WRITE_ONLY_KEY_INPUTS = {("CreateLMCredentialInput", "apikey")}


def test_the_schema_has_no_field_for_a_key_or_a_password_but_the_write_only_input(graphql):
    result = graphql("{ __schema { types { name fields { name } inputFields { name } } } }")
    outputs = {
        field["name"].lower()
        for kind in result.data["__schema"]["types"]
        if not kind["name"].startswith("__")
        for field in kind["fields"] or []
    }
    inputs = {
        (kind["name"], field["name"].lower())
        for kind in result.data["__schema"]["types"]
        if not kind["name"].startswith("__")
        for field in kind["inputFields"] or []
    }
    forbidden = {"apikey", "password", "secret", "token", "key"}
    assert not forbidden & outputs
    assert {item for item in inputs if item[1] in forbidden} == WRITE_ONLY_KEY_INPUTS


USER_KEY = "sk-grace-graphql-key-0123456789ab"
CREATE_CREDENTIAL = """mutation($input: CreateLMCredentialInput!) { createLmCredential(input: $input) {
    credential { id databaseId endpoint label fingerprint } errors { field message } } }"""


def test_a_stored_key_is_write_only(graphql, qa_program, openai_stub):
    created = graphql(
        CREATE_CREDENTIAL, {"input": {"endpoint": "stub", "label": "mine", "apiKey": USER_KEY}}
    ).data["createLmCredential"]
    assert created["errors"] == []
    credential = created["credential"]
    assert credential["fingerprint"].startswith("sha256:") and USER_KEY not in json.dumps(created)

    listed = graphql("{ lmCredentials { edges { node { label fingerprint endpoint owner { username } } } } }")
    assert [e["node"]["label"] for e in listed.data["lmCredentials"]["edges"]] == ["mine"]
    update = """mutation($id: ID!, $input: UpdateProgramInput!) { updateProgram(id: $id, input: $input) {
        program { lmConfig { endpoint credential } } errors { field message } } }"""
    config = {"endpoint": "stub", "model": "m", "credential": credential["databaseId"]}
    changed = graphql(update, {"id": gid(qa_program), "input": {"lmConfig": config}}).data["updateProgram"]
    assert changed["program"]["lmConfig"] == {"endpoint": "stub", "credential": credential["databaseId"]}
    openai_stub.script(reply(answer="Paris"))
    graphql(
        'mutation($id: ID!) { executeProgram(id: $id, inputs: {question: "q"}) { errors { message } } }',
        {"id": gid(qa_program)},
    )
    assert openai_stub.requests[0].headers["authorization"] == f"Bearer {USER_KEY}"
    everything = graphql(EVERYTHING, {"id": gid(qa_program)})
    assert USER_KEY not in json.dumps(everything.data) + json.dumps(listed.data)

    deleted = graphql(
        "mutation($id: ID!) { deleteLmCredential(id: $id) { deletedId errors { message } } }",
        {"id": credential["id"]},
    ).data["deleteLmCredential"]
    assert deleted == {"deletedId": credential["id"], "errors": []}


def test_another_users_credentials_are_not_visible(graphql, graphql_as, other_user, stub_endpoint):
    graphql(CREATE_CREDENTIAL, {"input": {"endpoint": "stub", "label": "mine", "apiKey": USER_KEY}})
    theirs = graphql_as(other_user)("{ lmCredentials { edges { node { label } } } }")
    assert theirs.data["lmCredentials"]["edges"] == []


def test_a_bad_key_is_a_payload_error_on_api_key(graphql, stub_endpoint):
    payload = graphql(
        CREATE_CREDENTIAL, {"input": {"endpoint": "stub", "label": "x", "apiKey": "has spaces in it"}}
    ).data["createLmCredential"]
    assert payload["credential"] is None
    assert payload["errors"][0]["field"] == "apiKey"
