"""The exfiltration test: an ordinary user tries every way to point a program at a server of their
own. Each attempt is a 400 (or a GraphQL payload error, or an admin form error), and running
programs afterwards sends requests only to the configured endpoint, with only the key configured
for it: the recording server never sees a request, and no secret ever leaves in a header."""

from __future__ import annotations

import json
from typing import Any

import pytest

from programs.models import Program, ProgramVersion
from tests.graphql.conftest import GraphQLClient
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db

SECRETS = {
    "OPENAI_API_KEY": "sk-operator-openai-0123456789abcdef",
    "ANTHROPIC_API_KEY": "sk-ant-operator-0123456789abcdef",
    "DSPEX_FAKE_SECRET_KEY": "django-insecure-fake-secret-key-value",
    "DSPEX_FAKE_DATABASE_URL": "postgres://dspex:db-password-123@10.0.0.5/dspex",
}


@pytest.fixture
def secrets(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


@pytest.fixture
def attacker(recording_server):
    return recording_server.base_url


def lm_configs(attacker: str) -> list[dict[str, Any]]:
    userinfo = attacker.replace("http://", "http://user:pass@")
    return [
        {"model": "openai/gpt-4o-mini", "base_url": attacker},
        {"model": "openai/gpt-4o-mini", "base_url": attacker, "api_key_env": "OPENAI_API_KEY"},
        {"model": "openai/gpt-4o-mini", "base_url": attacker, "api_key_env": "DSPEX_FAKE_SECRET_KEY"},
        {"endpoint": "stub", "model": "m", "api_key_env": "DSPEX_FAKE_DATABASE_URL"},
        {"model": "openai/gpt-4o-mini", "api_key_env": "ANTHROPIC_API_KEY"},
        {"endpoint": "attacker", "model": "m"},
        {"endpoint": "stub", "model": "m", "base_url": attacker},
        {"model": "openai/gpt-4o-mini", "base_url": userinfo},
        {"endpoint": "stub", "model": "m", "params": {"api_base": attacker}},
        {"endpoint": "stub", "model": "m", "params": {"base_url": attacker}},
        {"endpoint": "stub", "model": "m", "params": {"headers": {"X-Api-Key": "x"}}},
        {"endpoint": "stub", "model": "m", "params": {"custom_llm_provider": "openai"}},
        {"endpoint": "stub", "model": "m", "params": {"api_key_env": "OPENAI_API_KEY"}},
    ]


def module_configs(attacker: str) -> list[tuple[str, dict[str, Any]]]:
    step = {"id": "a", "module": "predict", "signature": "question -> answer"}
    step["inputs"] = {"question": "inputs.question"}
    step["config"] = {"api_base": attacker}
    pipeline = {"inputs": ["question"], "outputs": {"answer": "steps.a.answer"}, "steps": [step]}
    return [
        ("predict", {"api_base": attacker}),
        ("chain_of_thought", {"base_url": attacker}),
        ("predict", {"extra_headers": {"Authorization": "x"}}),
        ("best_of_n", {"N": 2, "reward": "non_empty", "module_config": {"api_base": attacker}}),
        ("pipeline", pipeline),
    ]


def states(attacker: str) -> list[dict[str, Any]]:
    signature = {"instructions": "Answer.", "fields": []}
    return [
        {"demos": [], "signature": signature, "lm": {"model": "openai/x", "base_url": attacker}},
        {"demos": [], "signature": signature, "lm": {"model": "openai/x", "api_key_env": "OPENAI_API_KEY"}},
        {"demos": [], "signature": signature, "lm": {"model": "openai/x", "api_base": attacker}},  # dspy's
        {"demos": [], "signature": signature, "lm": {"model": "openai/x", "credential": 1}},
    ]


def assert_nothing_leaked(recording_server, openai_stub):
    assert recording_server.requests == [], [r.path for r in recording_server.requests]
    sent = [r.headers.get("authorization") for r in openai_stub.requests]
    assert set(sent) <= {f"Bearer {STUB_KEY}"}
    everything = json.dumps([r.to_dict() for r in openai_stub.requests])
    for value in SECRETS.values():
        assert value not in everything


def test_rest_programs_cannot_name_a_url_a_variable_or_connection_settings(
    ada_api, qa_program, openai_stub, recording_server, attacker, secrets
):
    for lm_config in lm_configs(attacker):
        body = {"name": "evil", "signature": qa_program.signature_id, "lm_config": lm_config}
        response = ada_api.post("/api/programs/", body, format="json")
        assert response.status_code == 400, lm_config
        assert "lm_config" in response.json(), lm_config
        changed = ada_api.patch(f"/api/programs/{qa_program.pk}/", {"lm_config": lm_config}, format="json")
        assert changed.status_code == 400, lm_config
    for module_type, module_config in module_configs(attacker):
        body = {
            "name": "evil",
            "signature": qa_program.signature_id,
            "module_type": module_type,
            "module_config": module_config,
            "backend": "dspy",
            "lm_config": qa_program.lm_config,
        }
        response = ada_api.post("/api/programs/", body, format="json")
        assert response.status_code == 400, module_config
        assert "module_config" in response.json(), module_config
    assert Program.objects.count() == 1

    openai_stub.script(reply(answer="Paris"))
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 200
    assert_nothing_leaked(recording_server, openai_stub)


def test_version_states_cannot_choose_an_endpoint_and_stored_ones_are_never_used(
    ada_api, qa_program, openai_stub, recording_server, attacker, secrets
):
    for state in states(attacker):
        response = ada_api.post(f"/api/programs/{qa_program.pk}/versions/", {"state": state}, format="json")
        assert response.status_code == 400, state
        assert "state" in response.json()
    # A state written around the services (an old row, a raw import) is still never used to call.
    version = ProgramVersion.objects.create(
        program=qa_program,
        number=2,
        state=states(attacker)[1] | {"lm": {"model": "openai/x", "base_url": attacker}},
    )
    Program.objects.filter(pk=qa_program.pk).update(current_version=version)

    openai_stub.script(reply(answer="Paris"))
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 200
    assert_nothing_leaked(recording_server, openai_stub)


@pytest.mark.parametrize(
    "optimizer, params",
    [
        ("copro", {"prompt_model": {"model": "openai/x", "base_url": "ATTACKER"}}),
        ("bootstrap_few_shot", {"teacher_settings": {"lm": {"model": "openai/x", "base_url": "ATTACKER"}}}),
        ("mipro_v2", {"task_model": "openai/x"}),
        ("gepa", {"reflection_lm": {"model": "openai/x"}}),
        ("bootstrap_few_shot", {"max_rounds": 1, "extra": {"api_base": "ATTACKER"}}),
        ("knn_few_shot", {"k": 2, "vectorizer": {"model": "openai/x", "base_url": "ATTACKER"}}),
    ],
)
def test_optimizers_and_embedders_cannot_bring_an_lm_of_their_own(
    ada_api,
    qa_program,
    make_dataset,
    user,
    openai_stub,
    recording_server,
    attacker,
    secrets,
    optimizer,
    params,
):
    dataset = make_dataset(user, lines=[{"question": "q", "answer": "a", "split": "train"}])
    params = json.loads(json.dumps(params).replace("ATTACKER", attacker))
    version = dataset.latest_version
    body = {"dataset_version": version.pk, "optimizer": optimizer, "optimizer_params": params}
    response = ada_api.post(f"/api/programs/{qa_program.pk}/optimize/", body, format="json")
    assert response.status_code == 400, response.json()
    assert {"optimizer", "optimizer_params"} & set(response.json())
    assert_nothing_leaked(recording_server, openai_stub)


def test_graphql_inputs_cannot_name_a_url_or_a_variable(
    client_for_graphql, qa_program, openai_stub, recording_server, attacker, secrets
):
    from tests.graphql.conftest import gid

    create = """mutation($input: CreateProgramInput!) { createProgram(input: $input) {
        program { id } errors { field message } } }"""
    update = """mutation($id: ID!, $input: UpdateProgramInput!) { updateProgram(id: $id, input: $input) {
        program { id } errors { field message } } }"""
    inputs = [
        {"model": "openai/x", "baseUrl": attacker},
        {"model": "openai/x", "baseUrl": attacker, "apiKeyEnv": "OPENAI_API_KEY"},
        {"endpoint": "stub", "model": "m", "apiKeyEnv": "DSPEX_FAKE_SECRET_KEY"},
        {"endpoint": "attacker", "model": "m"},
        {"endpoint": "stub", "model": "m", "params": {"api_base": attacker}},
    ]
    for lm_config in inputs:
        variables = {"input": {"name": "evil", "signature": gid(qa_program.signature), "lmConfig": lm_config}}
        payload = client_for_graphql(create, variables).data["createProgram"]
        assert payload["program"] is None and payload["errors"][0]["field"] == "lmConfig", lm_config
        payload = client_for_graphql(update, {"id": gid(qa_program), "input": {"lmConfig": lm_config}}).data[
            "updateProgram"
        ]
        assert payload["program"] is None and payload["errors"][0]["field"] == "lmConfig", lm_config
    assert_nothing_leaked(recording_server, openai_stub)


def test_the_admin_form_refuses_a_url_too(admin_client, qa_program, recording_server, attacker, openai_stub):
    lm_config = json.dumps({"model": "openai/x", "base_url": attacker, "api_key_env": "OPENAI_API_KEY"})
    response = admin_client.post(
        "/admin/programs/program/add/",
        {
            "name": "evil",
            "signature": qa_program.signature_id,
            "module_type": "predict",
            "module_config": "{}",
            "backend": "auto",
            "lm_config": lm_config,
            "owner": qa_program.owner_id,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "lm_config.base_url is not accepted" in response.content.decode(), response.context[
        "adminform"
    ].form.errors
    assert not Program.objects.filter(name="evil").exists()
    assert_nothing_leaked(recording_server, openai_stub)


def test_the_dspy_backend_sends_only_the_endpoints_key(
    ada_api, make_program, user, openai_stub, recording_server, secrets
):
    pytest.importorskip("dspy")
    program = make_program(user, name="on-dspy", backend="dspy")
    openai_stub.script(reply(answer="Paris"))
    response = ada_api.post(f"/api/programs/{program.pk}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 200, response.json()
    assert len(openai_stub.requests) == 1
    assert_nothing_leaked(recording_server, openai_stub)


@pytest.fixture
def client_for_graphql(user) -> GraphQLClient:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return GraphQLClient(client, {})
