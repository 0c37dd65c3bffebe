"""A user whose requests keep failing (429) opens the circuit breaker of their own credential
only: another user's programs on the same endpoint and model keep running."""

from __future__ import annotations

import pytest

from dspex.lm import configure_breakers
from programs.services import lm_credential_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

LM_CONFIG = {"endpoint": "stub", "model": "stub-model", "params": {"cache": False, "num_retries": 0}}


@pytest.fixture(autouse=True)
def breakers_open_after_two_failures():
    configure_breakers(failure_threshold=2, cooldown=60)


def execute(client, program):
    return client.post(f"/api/programs/{program.pk}/execute/", {"question": "q"}, format="json")


def test_429s_on_the_shared_key_open_only_that_users_breaker(
    ada_api, grace_api, make_program, user, other_user, openai_stub
):
    ada_program = make_program(user, name="qa", lm_config=LM_CONFIG)
    grace_program = make_program(other_user, name="qa", lm_config=LM_CONFIG)
    openai_stub.script({"status": 429}, {"status": 429})
    assert [execute(ada_api, ada_program).status_code for _ in range(2)] == [502, 502]

    blocked = execute(ada_api, ada_program)
    assert blocked.status_code == 502 and "circuit breaker open" in blocked.json()["error"]
    assert len(openai_stub.requests) == 2  # failing fast: nothing sent

    openai_stub.script(reply(answer="Paris"))
    served = execute(grace_api, grace_program)
    assert served.status_code == 200 and served.json()["outputs"] == {"answer": "Paris"}


def test_429s_of_one_users_own_key_leave_anothers_key_alone(
    ada_api, grace_api, make_program, user, other_user, openai_stub
):
    ada_key = lm_credential_create(owner=user, endpoint="stub", label="a", api_key="sk-ada-0123456789ab")
    grace_key = lm_credential_create(
        owner=other_user, endpoint="stub", label="g", api_key="sk-grace-0123456789"
    )
    ada_program = make_program(user, name="qa", lm_config={**LM_CONFIG, "credential": ada_key.pk})
    grace_program = make_program(other_user, name="qa", lm_config={**LM_CONFIG, "credential": grace_key.pk})
    openai_stub.responder = lambda request: (
        {"status": 429} if "sk-ada" in request.headers["authorization"] else reply(answer="Paris")
    )

    for _ in range(3):
        assert execute(ada_api, ada_program).status_code == 502
    assert "circuit breaker open" in execute(ada_api, ada_program).json()["error"]
    assert execute(grace_api, grace_program).json()["outputs"] == {"answer": "Paris"}
