"""Queries deeper than DSPEX_GRAPHQL_MAX_DEPTH are refused before anything runs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# programs(1) edges(2) node(3) versions(4) edges(5) node(6) executions(7) edges(8) node(9) id(10)
TEN_DEEP = (
    "{ programs { edges { node { versions { edges { node { executions { edges { node { id } } } } } } } } } }"
)
ELEVEN_DEEP = TEN_DEEP.replace("node { id }", "node { program { name } }")


def test_a_query_at_the_limit_runs(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 10
    result = graphql(TEN_DEEP)
    assert result.status == 200
    assert result.data == {"programs": {"edges": []}}


def test_a_deeper_query_gets_a_clear_error_and_runs_no_sql(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 10
    with CaptureQueriesContext(connection) as captured:
        result = graphql(ELEVEN_DEEP)
    assert result.status == 400
    assert "data" not in result.body
    [error] = result.errors
    assert error["message"].startswith("The operation is 11 levels deep; the maximum depth is 10.")
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "depth": 11, "maxDepth": 10}
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any("programs_program" in statement for statement in sql)  # only the session lookups


def test_the_limit_is_read_from_the_settings_on_each_request(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 3
    assert graphql("{ me { username } }").status == 200
    result = graphql("{ programs { edges { node { name } } } }")
    assert result.errors[0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 4
    assert graphql("{ programs { edges { node { name } } } }").status == 200


def test_fragments_count_where_they_are_spread(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 4
    query = """query Deep { programs { ...Page } }
        fragment Page on ProgramConnection { edges { node { signature { name } } } }"""
    result = graphql(query)
    assert result.errors[0]["message"].startswith("'Deep' is 5 levels deep; the maximum depth is 4.")


def test_introspection_is_not_counted(graphql, settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 3
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"
    assert graphql(query).status == 200


@pytest.mark.parametrize(
    "query",
    [
        "{ programs { ...Missing } }",
        "query { programs { ...A } } fragment A on ProgramConnection { ...B } "
        "fragment B on ProgramConnection { ...A }",
    ],
    ids=["unknown fragment", "fragment cycle"],
)
def test_broken_fragments_are_validation_errors_not_crashes(graphql, query):
    result = graphql(query)
    assert result.status == 400
    assert result.errors
    assert all(error.get("extensions", {}).get("code") != "QUERY_TOO_DEEP" for error in result.errors)
