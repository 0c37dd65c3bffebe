"""Costly documents are refused before graphql-core validates them: fast, without SQL, with a
GraphQL error naming the limit (HTTP 400 like any validation error)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import get_introspection_query

pytestmark = pytest.mark.django_db

QUICK = 5.0  # seconds; these documents took 36 s and more than 120 s before the limits


def refused(graphql, query: str, code: str):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        result = graphql(query)
    elapsed = time.perf_counter() - started
    assert result.status == 400, result.body
    assert "data" not in result.body
    [error] = result.errors
    assert error["extensions"]["code"] == code, error
    assert elapsed < QUICK
    assert not any("programs_" in q["sql"] or "datasets_" in q["sql"] for q in captured.captured_queries)
    return error


def test_a_thousand_aliases_are_refused(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_TOKENS = 100_000  # so that the cost, not the size, refuses it
    query = "{ " + " ".join(f"a{i}: programs {{ totalCount }}" for i in range(1000)) + " }"
    error = refused(graphql, query, "QUERY_TOO_COSTLY")
    # 1,000 top-level fields: 1 each, 10 more each as a top-level field, 1 each for totalCount.
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 12_000, "maxCost": 500}
    assert error["message"].startswith("The operation costs 12000; the most an operation may cost is 500")


def test_ten_thousand_copies_of_a_field_are_refused_by_their_tokens(graphql):
    query = "{ me { " + " ".join(["username"] * 10_000) + " } }"  # 90 KB
    error = refused(graphql, query, "TOO_MANY_TOKENS")
    assert error["extensions"]["maxTokens"] == 5000


def test_copies_under_the_token_limit_are_refused_by_their_cost(graphql):
    query = "{ me { " + " ".join(["username"] * 1000) + " } }"
    refused(graphql, query, "QUERY_TOO_COSTLY")


def test_a_chain_of_a_thousand_fragments_is_refused_without_recursion(graphql, settings):
    fragments = " ".join(f"fragment F{i} on User {{ ...F{i + 1} }}" for i in range(999))
    query = "{ me { ...F0 } } " + fragments + " fragment F999 on User { username }"
    error = refused(graphql, query, "TOO_MANY_DEFINITIONS")
    assert error["extensions"]["maxDefinitions"] == 100
    # With the definition limit lifted, the depth and cost walk still measures it without recursion.
    settings.DSPEX_GRAPHQL_MAX_DEFINITIONS = 10_000
    settings.DSPEX_GRAPHQL_MAX_TOKENS = 100_000
    nested = " ".join(f"fragment F{i} on User {{ username ...F{i + 1} }}" for i in range(999))
    query = "{ me { ...F0 } } " + nested + " fragment F999 on User { username }"
    refused(graphql, query, "QUERY_TOO_COSTLY")


def test_fragments_that_multiply_are_measured_once_each(graphql):
    levels = " ".join(f"fragment F{i} on User {{ {' '.join([f'...F{i + 1}'] * 10)} }}" for i in range(9))
    query = "{ me { ...F0 } } " + levels + " fragment F9 on User { username }"  # 10**9 fields
    error = refused(graphql, query, "QUERY_TOO_COSTLY")
    assert "more than 999999999" in error["message"]


def test_deeply_nested_brackets_are_refused_before_the_recursive_parser(graphql):
    query = "{ me " + "{ username " * 300 + "}" * 301
    error = refused(graphql, query, "NESTED_TOO_DEEP")
    assert error["message"] == "The document nests brackets deeper than 64 levels."


def test_a_document_larger_than_the_limit_is_refused(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DOCUMENT_BYTES = 1000
    query = "{ me { username } }" + " " * 1000
    error = refused(graphql, query, "DOCUMENT_TOO_LARGE")
    assert "Send large values (such as file contents) as variables." in error["message"]


def test_variables_nested_a_thousand_deep_are_refused(graphql):
    body = (
        '{"query": "query Q($x: JSON!) { __typename }", "variables": {"x": ' + "[" * 1000 + "]" * 1000 + "}}"
    )
    response = graphql.client.post(
        "/graphql/", data=body, content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "NESTED_TOO_DEEP"
    assert error["message"] == "JSON nested deeper than 64 levels (the limit is DSPEX_MAX_JSON_DEPTH)"


def test_deep_variables_in_a_get_request_are_refused(graphql):
    response = graphql.client.get(
        "/graphql/",
        {"query": "{ me { username } }", "variables": "[" * 1000 + "]" * 1000},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "NESTED_TOO_DEEP"


def test_an_ordinary_query_and_graphiqls_introspection_fit_the_defaults(graphql):
    assert graphql("{ programs { edges { node { name signature { name } } } } }").status == 200
    result = graphql(get_introspection_query(descriptions=True))
    assert result.status == 200
    assert result.data["__schema"]["queryType"]["name"] == "Query"


def test_the_limits_are_read_on_each_request(graphql, settings):
    query = "{ a: me { username } b: me { username } }"  # cost 2 * (1 + 10 + 1) = 24
    assert graphql(query).status == 200
    settings.DSPEX_GRAPHQL_MAX_COST = 23
    assert graphql(query).errors[0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 24, "maxCost": 23}
    settings.DSPEX_GRAPHQL_MAX_TOKENS = 10
    assert graphql(query).errors[0]["extensions"]["code"] == "TOO_MANY_TOKENS"
