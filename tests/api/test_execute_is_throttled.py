"""Execute is throttled per user (scope ``execute``); other endpoints are not."""

from __future__ import annotations

import pytest

from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def execute_rate(settings):
    def set_rate(rate: str) -> None:
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "execute": rate}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rate


def test_the_request_over_the_rate_is_429_with_retry_after(ada_api, openai_stub, qa_program, execute_rate):
    execute_rate("2/min")
    openai_stub.script(reply(answer="a"), reply(answer="b"), reply(answer="c"))
    url = f"/api/programs/{qa_program.pk}/execute/"
    assert ada_api.post(url, {"question": "q"}, format="json").status_code == 200
    assert ada_api.post(url, {"question": "q"}, format="json").status_code == 200
    response = ada_api.post(url, {"question": "q"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]
    assert len(openai_stub.completion_requests()) == 2


def test_bad_requests_count_too(ada_api, openai_stub, qa_program, execute_rate):
    execute_rate("1/min")
    url = f"/api/programs/{qa_program.pk}/execute/"
    assert ada_api.post(url, {}, format="json").status_code == 400
    assert ada_api.post(url, {"question": "q"}, format="json").status_code == 429
    assert openai_stub.completion_requests() == []


def test_each_user_has_their_own_budget(
    ada_api, grace_api, openai_stub, qa_program, make_program, other_user, execute_rate
):
    execute_rate("1/min")
    graces = make_program(other_user, name="graces")
    openai_stub.script(reply(answer="a"), reply(answer="b"))
    assert (
        ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json").status_code
        == 200
    )
    assert (
        grace_api.post(f"/api/programs/{graces.pk}/execute/", {"question": "q"}, format="json").status_code
        == 200
    )


def test_other_endpoints_are_not_throttled(ada_api, qa_program, execute_rate):
    execute_rate("1/min")
    for _ in range(3):
        assert ada_api.get(f"/api/programs/{qa_program.pk}/").status_code == 200
