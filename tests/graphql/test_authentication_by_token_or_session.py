"""Authentication as in the REST API: a DRF token or the session (with its CSRF token)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

ME = "{ me { username isStaff } }"


def test_a_token_authenticates_the_request(graphql_as, user):
    token = Token.objects.create(user=user)
    result = graphql_as(None, HTTP_AUTHORIZATION=f"Token {token.key}")(ME)
    assert result.status == 200
    assert result.data == {"me": {"username": "ada", "isStaff": False}}


def test_a_wrong_token_is_a_401_even_with_a_session(graphql_as, user):
    result = graphql_as(user, HTTP_AUTHORIZATION="Token not-a-real-token")(ME)
    assert result.status == 401
    assert result.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Invalid token" in result.errors[0]["message"]


def test_the_token_of_an_inactive_user_is_refused(graphql_as, user):
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()
    result = graphql_as(None, HTTP_AUTHORIZATION=f"Token {token.key}")(ME)
    assert result.status == 401


def test_the_session_authenticates_the_request(graphql):
    assert graphql(ME).data == {"me": {"username": "ada", "isStaff": False}}


def _post(client, query, **headers):
    return client.post(
        "/graphql/", data=json.dumps({"query": query}), content_type="application/json", **headers
    )


def test_a_session_post_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = _post(client, ME)
    assert response.status_code == 403
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "CSRF" in body["errors"][0]["message"]

    client.get("/graphql/", HTTP_ACCEPT="text/html")  # GraphiQL sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = _post(client, ME, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == "ada"


def test_a_token_post_needs_no_csrf_token(user):
    token = Token.objects.create(user=user)
    client = Client(enforce_csrf_checks=True)
    response = _post(client, ME, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == "ada"
