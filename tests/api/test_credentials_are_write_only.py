"""``/api/credentials/``: store your own key (write-only), list and delete your credentials; a
program uses one by id. The key never comes back in any response."""

from __future__ import annotations

import pytest

from programs.models import LMCredential
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

KEY = "sk-ada-personal-0123456789abcdef"


@pytest.fixture
def stored(ada_api, stub_endpoint):
    response = ada_api.post(
        "/api/credentials/", {"endpoint": stub_endpoint, "label": "personal", "api_key": KEY}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_creating_answers_with_the_label_and_fingerprint_only(stored):
    assert set(stored) == {"id", "endpoint", "label", "fingerprint", "owner", "created_at"}
    assert stored["label"] == "personal" and stored["owner"] == "ada"
    assert stored["fingerprint"].startswith("sha256:")
    assert KEY not in str(stored)


def test_the_key_is_never_shown_again(ada_api, stored):
    for url in ("/api/credentials/", f"/api/credentials/{stored['id']}/"):
        response = ada_api.get(url)
        assert response.status_code == 200
        assert KEY not in response.content.decode()
        assert "api_key" not in response.content.decode()


def test_other_users_see_and_delete_none_of_them(grace_api, stored):
    assert grace_api.get("/api/credentials/").json()["results"] == []
    assert grace_api.get(f"/api/credentials/{stored['id']}/").status_code == 404
    assert grace_api.delete(f"/api/credentials/{stored['id']}/").status_code == 404
    assert LMCredential.objects.count() == 1


def test_a_program_uses_it_by_id_and_it_goes_to_its_endpoint(ada_api, stored, qa_signature, openai_stub):
    body = {
        "name": "mine",
        "signature": qa_signature.pk,
        "lm_config": {"endpoint": "stub", "model": "m", "credential": stored["id"]},
    }
    program = ada_api.post("/api/programs/", body, format="json").json()
    openai_stub.script(reply(answer="Paris"))
    response = ada_api.post(f"/api/programs/{program['id']}/execute/", {"question": "q"}, format="json")
    assert response.status_code == 200
    assert openai_stub.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in ada_api.get(f"/api/executions/{response.json()['execution_id']}/").content.decode()


def test_another_users_program_cannot_use_it(grace_api, stored, other_user):
    from programs.services import signature_create

    signature = signature_create(name="s", spec="question -> answer", owner=other_user)
    body = {
        "name": "p",
        "signature": signature.pk,
        "lm_config": {"endpoint": "stub", "model": "m", "credential": stored["id"]},
    }
    response = grace_api.post("/api/programs/", body, format="json")
    assert response.status_code == 400
    assert "no credential" in " ".join(response.json()["lm_config"])


def test_deleting_forgets_the_key(ada_api, stored):
    assert ada_api.delete(f"/api/credentials/{stored['id']}/").status_code == 204
    assert not LMCredential.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"endpoint": "nowhere", "label": "x", "api_key": "sk-0123456789"}, "endpoint"),
        ({"endpoint": "stub", "label": "x"}, "api_key"),
        ({"endpoint": "stub", "label": "x", "api_key": "two words"}, "api_key"),
        ({"endpoint": "stub", "api_key": "sk-0123456789"}, "label"),
    ],
)
def test_bad_requests_are_400s_naming_the_field(ada_api, stub_endpoint, body, field):
    response = ada_api.post("/api/credentials/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert "sk-0123456789" not in response.content.decode()
