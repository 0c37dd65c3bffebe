"""Both token and session authentication reach the API; a token can be obtained by password."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_token_in_the_authorization_header_authenticates(api, user, qa_program):
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/programs/")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["qa"]


def test_a_session_login_authenticates(user, qa_program):
    client = APIClient()
    assert client.login(username="ada", password="pw-ada-123")
    response = client.get("/api/programs/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_session_write_needs_the_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="ada", password="pw-ada-123")
    response = client.post("/api/signatures/", {"name": "s", "spec": "a -> b"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_token_can_be_obtained_with_username_and_password(api, user):
    response = api.post("/api/auth/token/", {"username": "ada", "password": "pw-ada-123"}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/signatures/").status_code == 200


def test_a_wrong_password_gets_no_token(api, user):
    response = api.post("/api/auth/token/", {"username": "ada", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_token_requests_are_throttled(api, user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth_token": "2/min",
        },
    }
    for _ in range(2):
        assert api.post("/api/auth/token/", {"username": "ada", "password": "x"}).status_code == 400
    response = api.post("/api/auth/token/", {"username": "ada", "password": "pw-ada-123"})
    assert response.status_code == 429
    assert "Retry-After" in response


def test_the_browsable_api_has_a_session_login_page(user):
    client = APIClient()
    assert client.get("/api/auth/login/").status_code == 200
    response = client.post("/api/auth/login/", {"username": "ada", "password": "pw-ada-123"})
    assert response.status_code == 302
    assert client.get("/api/programs/", HTTP_ACCEPT="text/html").status_code == 200
