"""Anonymous requests: an authentication error (401, code UNAUTHENTICATED) for every operation."""

from __future__ import annotations

import pytest

from programs.models import Signature

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "{ programs { edges { node { id } } } }",
    "{ signatures { totalCount } }",
    "{ executions { totalCount } }",
    "{ datasets { totalCount } }",
    "{ experiments { totalCount } }",
    "{ evaluations { totalCount } }",
    '{ node(id: "UHJvZ3JhbTox") { id } }',
    "{ me { username } }",
    "{ __typename }",
    'mutation { createSignature(input: {name: "qa", spec: "q -> a"}) { errors { message } } }',
]


@pytest.mark.parametrize("query", OPERATIONS)
def test_every_operation_is_refused_with_401(graphql_as, query):
    result = graphql_as(None)(query)
    assert result.status == 401
    assert result.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Token" in result.errors[0]["message"]
    assert "data" not in result.body


def test_a_refused_mutation_changes_nothing(graphql_as):
    graphql_as(None)(
        'mutation { createSignature(input: {name: "qa", spec: "q -> a"}) { errors { message } } }'
    )
    assert not Signature.objects.exists()


def test_a_get_query_is_refused_too(client):
    response = client.get("/graphql/", {"query": "{ me { username } }"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_schema_run_without_the_view_refuses_anonymous_users_in_each_resolver(rf):
    from django.contrib.auth.models import AnonymousUser

    from dspex_project.schema import schema

    request = rf.post("/graphql/")
    request.user = AnonymousUser()
    for query in (
        "{ programs { totalCount } }",
        "{ me { username } }",
        '{ node(id: "UHJvZ3JhbTox") { id } }',
    ):
        result = schema.execute(query, context_value=request)
        assert result.errors and result.errors[0].extensions["code"] == "UNAUTHENTICATED", query
    result = schema.execute(
        'mutation { createSignature(input: {name: "qa", spec: "q -> a"}) { errors { message } } }',
        context_value=request,
    )
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert not Signature.objects.exists()
