"""``/api/engine/capabilities/`` and ``engineCapabilities``: a user sees the endpoints they may use
(by name; URLs are for staff) and the breakers of their own credentials only, URLs redacted."""

from __future__ import annotations

import json

import pytest

from dspex.lm import configure_breakers
from tests.graphql.conftest import GraphQLClient

pytestmark = pytest.mark.django_db

LM_CONFIG = {"endpoint": "stub", "model": "stub-model", "params": {"cache": False, "num_retries": 0}}


@pytest.fixture
def ada_tripped_her_breaker(ada_api, make_program, user, openai_stub):
    configure_breakers(failure_threshold=1, cooldown=60)
    program = make_program(user, name="qa", lm_config=LM_CONFIG)
    openai_stub.script({"status": 429, "body": {"error": {"message": f"slow down, {openai_stub.url}"}}})
    assert (
        ada_api.post(f"/api/programs/{program.pk}/execute/", {"question": "q"}, format="json").status_code
        == 502
    )
    return program


def capabilities(client):
    response = client.get("/api/engine/capabilities/")
    assert response.status_code == 200
    return response.json()


def test_a_user_sees_her_own_breaker_without_the_url(ada_api, ada_tripped_her_breaker, openai_stub):
    [breaker] = capabilities(ada_api)["breakers"]
    assert breaker["state"] == "open"
    assert breaker["endpoint"] == "openai/stub-model at <endpoint stub>"
    assert "url" not in breaker and "credential" not in breaker
    assert openai_stub.url.split("//")[1] not in json.dumps(breaker)
    assert "slow down, <endpoint stub>" in breaker["last_error"]


def test_another_user_sees_none_of_her_breakers_or_errors(
    grace_api, ada_tripped_her_breaker, openai_stub, other_user
):
    body = capabilities(grace_api)
    assert body["breakers"] == []
    assert "slow down" not in json.dumps(body)
    assert openai_stub.url.split("//")[1] not in json.dumps(body)

    client = _graphql_client(other_user)
    data = client("{ engineCapabilities }").data["engineCapabilities"]
    assert data["breakers"] == []
    assert openai_stub.url.split("//")[1] not in json.dumps(data)


def test_endpoints_are_listed_by_name_and_staff_also_see_where_they_are(
    ada_api, staff_api, stub_endpoint, openai_stub, ada_tripped_her_breaker
):
    mine = {e["name"]: e for e in capabilities(ada_api)["endpoints"]}
    assert {"openai", "anthropic", "local", "stub"} <= set(mine)
    assert "base_url" not in mine["stub"] and "key_env" not in mine["stub"]
    assert mine["stub"]["models"] == ["*"]

    staff = capabilities(staff_api)
    by_name = {e["name"]: e for e in staff["endpoints"]}
    assert by_name["stub"]["base_url"] == openai_stub.base_url
    assert [b["url"] for b in staff["breakers"]] == [openai_stub.base_url + "/chat/completions"]


def test_endpoints_a_user_cannot_use_are_not_listed(ada_api, settings):
    settings.DSPEX_LM_ENDPOINTS = {
        **settings.DSPEX_LM_ENDPOINTS,
        "internal": {"provider": "openai", "base_url": "https://llm.internal/v1", "key_env": "INTERNAL_KEY",
                     "shared_key": False, "user_credentials": False},
    }  # fmt: skip
    assert "internal" not in {e["name"] for e in capabilities(ada_api)["endpoints"]}
    assert "llm.internal" not in json.dumps(capabilities(ada_api))


def _graphql_client(user) -> GraphQLClient:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return GraphQLClient(client, {})
