"""Two users asking the same question of the same model never read each other's cached answers,
and a user without a valid key gets no answer at all, cached or not."""

from __future__ import annotations

import pytest

from programs.services import lm_credential_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

CACHED = {"endpoint": "stub", "model": "stub-model", "params": {"cache": True, "num_retries": 0}}


def execute(client, program):
    return client.post(
        f"/api/programs/{program.pk}/execute/", {"question": "Capital of France?"}, format="json"
    )


def test_the_same_prompt_of_two_users_is_two_requests(
    ada_api, grace_api, make_program, user, other_user, openai_stub
):
    ada_program = make_program(user, name="qa", lm_config=CACHED)
    grace_program = make_program(other_user, name="qa", lm_config=CACHED)
    openai_stub.script(reply(answer="Ada's Paris"), reply(answer="Grace's Paris"))

    assert execute(ada_api, ada_program).json()["outputs"] == {"answer": "Ada's Paris"}
    assert execute(grace_api, grace_program).json()["outputs"] == {"answer": "Grace's Paris"}
    assert execute(ada_api, ada_program).json()["outputs"] == {"answer": "Ada's Paris"}  # her cache

    assert len(openai_stub.requests) == 2


def test_a_user_with_a_bad_key_never_gets_another_users_cached_answer(
    ada_api, grace_api, make_program, user, other_user, openai_stub, settings
):
    endpoint = {**settings.DSPEX_LM_ENDPOINTS["stub"], "shared_key": False}
    settings.DSPEX_LM_ENDPOINTS = {**settings.DSPEX_LM_ENDPOINTS, "stub": endpoint}
    ada_key = lm_credential_create(owner=user, endpoint="stub", label="a", api_key="sk-ada-valid-0123456789")
    grace_key = lm_credential_create(
        owner=other_user, endpoint="stub", label="g", api_key="sk-grace-bad-000000"
    )
    ada_program = make_program(user, name="qa", lm_config={**CACHED, "credential": ada_key.pk})
    grace_program = make_program(other_user, name="qa", lm_config={**CACHED, "credential": grace_key.pk})

    def respond(request):
        if request.headers["authorization"] != "Bearer sk-ada-valid-0123456789":
            return {"status": 401, "body": {"error": {"message": "Incorrect API key provided"}}}
        return reply(answer="Paris")

    openai_stub.responder = respond
    assert execute(ada_api, ada_program).json()["outputs"] == {"answer": "Paris"}

    response = execute(grace_api, grace_program)

    assert response.status_code == 502
    assert "Paris" not in response.content.decode()
    assert openai_stub.requests[-1].headers["authorization"] == "Bearer sk-grace-bad-000000"
