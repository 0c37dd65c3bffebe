"""createProgram / updateProgram: validated by the services, errors in the payload naming the field."""

from __future__ import annotations

import pytest

from programs.models import Program
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: CreateProgramInput!) { createProgram(input: $input) {
    program { id name moduleType backend moduleConfig description
              lmConfig { endpoint model credential params } signature { name }
              currentVersion { number source } versions { totalCount } }
    errors { field message code } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateProgramInput!) { updateProgram(id: $id, input: $input) {
    program { name description moduleType backend lmConfig { endpoint model params } signature { name } }
    errors { field message code } } }"""


def test_it_creates_a_program_and_its_first_version(graphql, qa_signature, user):
    payload = graphql(
        CREATE,
        {
            "input": {
                "name": "qa",
                "signature": gid(qa_signature),
                "moduleType": "chain_of_thought",
                "description": "Answers questions.",
                "backend": "native",
                "lmConfig": {
                    "endpoint": "openai",
                    "model": "gpt-4o-mini",
                    "params": {"temperature": 0.2},
                },
            }
        },
    ).data["createProgram"]
    assert payload["errors"] == []
    program = payload["program"]
    assert program["name"] == "qa"
    assert program["moduleType"] == "chain_of_thought"
    assert program["backend"] == "native"
    assert program["lmConfig"] == {
        "endpoint": "openai",
        "model": "gpt-4o-mini",
        "credential": None,
        "params": {"temperature": 0.2},
    }
    assert program["signature"] == {"name": "qa"}
    assert program["currentVersion"] == {"number": 1, "source": "manual"}
    assert program["versions"] == {"totalCount": 1}
    row = Program.objects.get()
    assert row.owner == user
    assert row.lm_config == {"endpoint": "openai", "model": "gpt-4o-mini", "params": {"temperature": 0.2}}


def test_the_defaults_are_a_predict_module_on_auto_with_the_default_lm(graphql, qa_signature):
    program = graphql(CREATE, {"input": {"name": "qa", "signature": gid(qa_signature)}}).data[
        "createProgram"
    ]["program"]
    assert (program["moduleType"], program["backend"], program["moduleConfig"]) == ("predict", "auto", {})
    assert program["lmConfig"] == {"endpoint": None, "model": None, "credential": None, "params": {}}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"moduleType": "telepathy"}, "moduleType", "telepathy"),
        ({"backend": "quantum"}, "backend", "quantum"),
        ({"lmConfig": {"params": {"api_key": "sk-live-123"}}}, "lmConfig", "must not contain credentials"),
        ({"lmConfig": {"apiKeyEnv": "sk-live-0123456789"}}, "lmConfig", "api_key_env is not accepted"),
        ({"lmConfig": {"baseUrl": "http://127.0.0.1:9/v1"}}, "lmConfig", "base_url is not accepted"),
        ({"moduleConfig": {"password": "hunter2"}}, "moduleConfig", "must not contain credentials"),
        ({"moduleConfig": [1, 2]}, "moduleConfig", "must be a JSON object"),
        ({"name": ""}, "name", "blank"),
    ],
)
def test_bad_settings_are_errors_on_their_field(graphql, qa_signature, change, field, words):
    payload = graphql(CREATE, {"input": {"name": "qa", "signature": gid(qa_signature), **change}}).data[
        "createProgram"
    ]
    assert payload["program"] is None
    assert payload["errors"], payload
    assert payload["errors"][0]["field"] == field
    assert words in payload["errors"][0]["message"]
    assert not Program.objects.exists()


def test_a_duplicate_name_is_an_error_on_name(graphql, qa_signature, qa_program):
    payload = graphql(CREATE, {"input": {"name": "qa", "signature": gid(qa_signature)}}).data["createProgram"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", "UNIQUE_TOGETHER")]


def test_a_missing_signature_is_an_error_on_signature(graphql):
    payload = graphql(CREATE, {"input": {"name": "qa", "signature": "U2lnbmF0dXJlOjQ0"}}).data[
        "createProgram"
    ]
    assert payload["errors"] == [
        {"field": "signature", "message": "Signature 'U2lnbmF0dXJlOjQ0' was not found", "code": "NOT_FOUND"}
    ]


def test_it_updates_only_the_fields_given(graphql, qa_program):
    payload = graphql(
        UPDATE, {"id": gid(qa_program), "input": {"description": "Now documented.", "backend": "native"}}
    ).data["updateProgram"]
    assert payload["errors"] == []
    assert payload["program"]["description"] == "Now documented."
    assert payload["program"]["backend"] == "native"
    assert payload["program"]["lmConfig"]["model"] == "stub-model"
    qa_program.refresh_from_db()
    assert qa_program.backend == "native" and qa_program.name == "qa"


def test_the_lm_config_is_replaced_as_a_whole(graphql, qa_program):
    payload = graphql(UPDATE, {"id": gid(qa_program), "input": {"lmConfig": {"model": "openai/other"}}}).data[
        "updateProgram"
    ]
    assert payload["program"]["lmConfig"] == {"endpoint": None, "model": "openai/other", "params": {}}


def test_the_signature_can_be_changed_to_another_of_yours(graphql, qa_program, user):
    from programs.services import signature_create

    other = signature_create(name="qa2", spec="question -> answer, source", owner=user)
    payload = graphql(UPDATE, {"id": gid(qa_program), "input": {"signature": gid(other)}}).data[
        "updateProgram"
    ]
    assert payload["errors"] == []
    assert payload["program"]["signature"] == {"name": "qa2"}


def test_an_invalid_update_changes_nothing(graphql, qa_program):
    payload = graphql(UPDATE, {"id": gid(qa_program), "input": {"name": None}}).data["updateProgram"]
    assert payload["errors"] == [{"field": "name", "message": "name cannot be null", "code": "REQUIRED"}]
    payload = graphql(UPDATE, {"id": gid(qa_program), "input": {"backend": "nope", "description": "x"}}).data[
        "updateProgram"
    ]
    assert payload["errors"][0]["field"] == "backend"
    qa_program.refresh_from_db()
    assert (qa_program.backend, qa_program.description) == ("auto", "")
