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
