"""Anonymous requests get 401 (with a WWW-Authenticate challenge), never 403 and never data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URLS = [
    ("get", "/api/"),
    ("get", "/api/signatures/"),
    ("post", "/api/signatures/"),
    ("get", "/api/signatures/1/"),
    ("patch", "/api/signatures/1/"),
    ("delete", "/api/signatures/1/"),
    ("get", "/api/programs/"),
    ("post", "/api/programs/"),
    ("get", "/api/programs/1/"),
    ("post", "/api/programs/1/execute/"),
    ("get", "/api/programs/1/versions/"),
    ("post", "/api/programs/1/versions/"),
    ("get", "/api/programs/1/versions/1/"),
    ("get", "/api/executions/"),
    ("get", "/api/executions/1/"),
    ("get", "/api/datasets/"),
    ("post", "/api/datasets/"),
    ("get", "/api/datasets/1/"),
    ("post", "/api/datasets/1/import/"),
    ("get", "/api/datasets/1/export/"),
    ("get", "/api/datasets/1/versions/"),
    ("get", "/api/datasets/1/versions/1/"),
    ("get", "/api/datasets/1/versions/1/examples/"),
    ("get", "/api/experiments/"),
    ("get", "/api/experiments/1/"),
    ("get", "/api/experiments/1/trials/"),
    ("get", "/api/evaluations/"),
    ("get", "/api/evaluations/1/"),
    ("get", "/api/evaluations/1/results/"),
]


@pytest.mark.parametrize("method, url", URLS)
def test_an_anonymous_request_is_401_with_a_token_challenge(api, method, url):
    response = getattr(api, method)(url)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_an_anonymous_request_sees_nothing_of_existing_rows(api, qa_program):
    response = api.get(f"/api/programs/{qa_program.pk}/")
    assert response.status_code == 401
    assert b"qa" not in response.content


def test_a_wrong_token_is_401(api, qa_program):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/programs/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
