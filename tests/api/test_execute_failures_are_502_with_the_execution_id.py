"""When the LM fails or its reply cannot be parsed, execute answers 502 with the id of the failed
Execution (recorded with its trace) and why it failed."""

from __future__ import annotations

import pytest

from programs.models import Execution

pytestmark = pytest.mark.django_db


def test_an_lm_error_is_a_502_naming_the_failed_execution(ada_api, openai_stub, qa_program):
    openai_stub.script({"status": 500}, {"status": 500})
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 502
    body = response.json()
    execution = Execution.objects.get()
    assert body["execution_id"] == execution.pk
    assert body["code"] == "execution_failed"
    assert body["status"] == "failed"
    assert body["error"] == execution.error
    assert "LM call failed" in body["error"]
    assert body["detail"].startswith(f"Execution {execution.pk} failed: ")


def test_an_unparseable_reply_is_a_502_and_the_raw_reply_is_traced(ada_api, openai_stub, qa_program):
    openai_stub.script("I refuse to follow the format.", "Still no format.")
    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 502
    assert "Could not parse the LM response" in response.json()["error"]
    trace = ada_api.get(f"/api/executions/{response.json()['execution_id']}/").json()
    assert trace["status"] == "failed"
    assert trace["lm_calls"][0]["outputs"] == ["I refuse to follow the format."]
