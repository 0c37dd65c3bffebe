"""The hybrid engine from the platform: capabilities over REST and GraphQL, and a program's backend
preference deciding where it runs (recorded on the Execution)."""

from __future__ import annotations

import json

import pytest

from programs.models import Execution
from programs.services import program_update
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_capabilities_list_types_stats_and_breakers(ada_api, api):
    body = ada_api.get("/api/engine/capabilities/").json()
    assert body["modules"]["predict"]["backends"] == ["native", "dspy"]
    assert body["modules"]["pipeline"]["backends"] == ["native"]
    assert body["optimizers"]["mipro_v2"]["backends"] == ["dspy"]
    assert {"stats", "breakers", "dspy_installed"} <= set(body)
    types = {t["key"]: t["wraps"] for t in body["program_types"]}
    assert types["best_of_n"] is types["refine"] is types["parallel"] is True and not types["react"]
    assert body["tools"] == ["calculator", "search_examples"]
    rewards = {r["name"]: r["params"] for r in body["rewards"]}
    assert rewards["one_of"] == ["choices", "field"] and rewards["non_empty"] == ["fields"]
    assert api.get("/api/engine/capabilities/").status_code == 401


def test_capabilities_over_graphql(client, user):
    client.force_login(user)
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": "{ engineCapabilities }"}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    caps = response.json()["data"]["engineCapabilities"]
    assert caps["optimizers"]["gepa"] == {"native": False, "dspy": True, "backends": ["dspy"]}


def test_a_program_preferring_dspy_runs_on_dspy_and_says_so(
    ada_api, openai_stub, qa_program, tmp_path, monkeypatch
):
    monkeypatch.setenv("DSPY_CACHEDIR", str(tmp_path / "dspy_cache"))
    program_update(program=qa_program, backend="dspy")
    openai_stub.script(reply(answer="Paris"), reply(answer="Paris"))
    response = ada_api.post(
        f"/api/programs/{qa_program.pk}/execute/", {"question": "Capital?"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["outputs"] == {"answer": "Paris"}
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.backend == "dspy"
    assert [a["backend"] for a in execution.attempts] == ["dspy"]
    assert execution.lm_calls.count() == 1  # dspy's LM call reached the trace too

    program_update(program=qa_program, backend="native")
    native = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "Capital?"}, format="json")
    assert Execution.objects.get(pk=native.json()["execution_id"]).backend == "native"
    first, second = openai_stub.completion_requests()
    assert first.json["messages"] == second.json["messages"]  # the same prompt on both backends
