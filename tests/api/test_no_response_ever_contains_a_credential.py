"""No API response carries an API key: configs hold only the *name* of the variable, and every
JSON object that leaves the API is free of keys named like credentials."""

from __future__ import annotations

import pytest

from programs.validators import credential_keys
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db


USER_KEY = "sk-ada-stored-key-0123456789abcdef"


def test_nothing_the_api_returns_holds_the_key_or_a_credential_field(ada_api, openai_stub, qa_program):
    created = ada_api.post(
        "/api/credentials/", {"endpoint": "stub", "label": "mine", "api_key": USER_KEY}, format="json"
    )
    assert created.status_code == 201 and USER_KEY not in created.content.decode()
    ada_api.patch(
        f"/api/programs/{qa_program.pk}/",
        {"lm_config": {**qa_program.lm_config, "credential": created.json()["id"]}},
        format="json",
    )
    openai_stub.script(reply(answer="Paris"))
    execution_id = ada_api.post(
        f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json"
    ).json()["execution_id"]
    for url in [
        "/api/programs/",
        f"/api/programs/{qa_program.pk}/",
        f"/api/programs/{qa_program.pk}/versions/",
        "/api/executions/",
        f"/api/executions/{execution_id}/",
        "/api/signatures/",
        "/api/credentials/",
        f"/api/credentials/{created.json()['id']}/",
        "/api/engine/capabilities/",
    ]:
        response = ada_api.get(url)
        assert response.status_code == 200
        assert STUB_KEY not in response.content.decode(), url
        assert USER_KEY not in response.content.decode(), url
        assert openai_stub.url not in response.content.decode(), url
        if url != "/api/engine/capabilities/":  # its program types have a "key" (their name)
            assert list(credential_keys(response.json())) == [], url
    program = ada_api.get(f"/api/programs/{qa_program.pk}/").json()
    assert program["lm_config"]["endpoint"] == "stub"  # an endpoint name: no URL, no variable name
    assert "DSPEX_STUB_API_KEY" not in str(program)


def test_a_credential_smuggled_into_a_stored_row_is_not_shown(ada_api, qa_program):
    from programs.models import Program

    # Bypass the model's validation the way a raw SQL update or a bad migration could.
    Program.objects.filter(pk=qa_program.pk).update(
        lm_config={
            **qa_program.lm_config,
            "api_key": "sk-leaked",
            "params": {"headers": {"Authorization": "x"}},
        },
        module_config={"client_secret": "s3cret", "n": 1},
    )
    body = ada_api.get(f"/api/programs/{qa_program.pk}/").json()
    assert "sk-leaked" not in str(body)
    assert "s3cret" not in str(body)
    assert body["lm_config"]["params"] == {"headers": {}}
    assert "api_key" not in body["lm_config"]
    assert body["module_config"] == {"n": 1}
