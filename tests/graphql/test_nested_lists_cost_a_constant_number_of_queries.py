"""No N+1: listing 5 or 50 rows with their nested objects and lists costs the same SQL queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Execution
from programs.services import program_version_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deep_queries_allowed(settings):
    settings.DSPEX_GRAPHQL_MAX_DEPTH = 20  # these queries nest connections in connections


PROGRAMS = """{ programs(first: 100) { totalCount edges { node {
    id name owner { username } lmConfig { model apiKeyEnv }
    signature { id name spec owner { username } }
    currentVersion { id number state createdBy { username } executions { totalCount } }
    versions { totalCount edges { node { number parent { number } executions { totalCount edges { node {
        status lmCalls { edges { node { model } } } } } } } } }
} } } }"""

EXECUTIONS = """{ executions(first: 100) { totalCount edges { node {
    status outputs usage { totalTokens } createdBy { username }
    program { name signature { name } }
    programVersion { number program { name currentVersion { number } } }
    lmCalls { totalCount edges { node { model response params } } }
} } } }"""

DATASETS = """{ datasets(first: 100) { edges { node {
    name signature { name } owner { username }
    latestVersion { number examples { edges { node { inputs } } } }
    versions { edges { node { number contentHash createdBy { username } examples { totalCount } } } }
} } } }"""

EXPERIMENTS = """{ experiments(first: 100) { edges { node {
    optimizer owner { username }
    programVersion { number program { name signature { name } } }
    datasetVersion { number dataset { name } }
    resultVersion { number }
    trials { edges { node { candidate score experiment { optimizer } } } }
} } } }"""

EVALUATIONS = """{ evaluations(first: 100) { edges { node {
    split programVersion { program { name } } datasetVersion { dataset { name } }
    results { edges { node { score example { inputs version { number } } } } }
} } } }"""

FLAT_LISTS = """{
    signatures(first: 100) { edges { node { name owner { username } } } }
    programVersions(first: 100) { edges { node {
        number program { name signature { name } } createdBy { username } } } }
    lmCallTraces(first: 100) { edges { node { model execution { status programVersion { number } } } } }
    datasetVersions(first: 100) { edges { node { number dataset { name } } } }
    examples(first: 100) { edges { node { split version { dataset { name } } } } }
    trials(first: 100) { edges { node { candidate experiment { optimizer } } } }
    evaluationResults(first: 100) { edges { node { score evaluation { split } example { position } } } }
}"""

FRAGMENTS = """
fragment VersionFields on ProgramVersion { number executions { edges { node { status } } } }
fragment ProgramFields on Program { name signature { name } versions { edges { node { ...VersionFields } } } }
{ programs(first: 100) { edges { node { ...ProgramFields ... on Program { currentVersion { number } } } } } }
"""


def _queries(graphql, query):
    with CaptureQueriesContext(connection) as captured:
        result = graphql(query)
    assert "errors" not in result.body, result.body
    return len(captured.captured_queries), result.data


def _add_rows(make_rows, user, start, stop):
    for index in range(start, stop):
        rows = make_rows(user, f"p{index:02d}")
        version = program_version_create(program=rows["programs"], state=None, created_by=user)
        Execution.objects.create(program_version=version, status="failed")


# Most queries a list may cost: 2 for the session and its user, 1 count and 1 select per root
# connection, 1 per prefetched list level.
CASES = {
    "programs": (PROGRAMS, 8),
    "executions": (EXECUTIONS, 5),
    "datasets": (DATASETS, 6),
    "experiments": (EXPERIMENTS, 5),
    "evaluations": (EVALUATIONS, 5),
    "flat-lists": (FLAT_LISTS, 16),
    "fragments": (FRAGMENTS, 6),
}


@pytest.mark.parametrize(("query", "most"), CASES.values(), ids=CASES.keys())
def test_the_number_of_queries_does_not_grow_with_the_rows(graphql, make_rows, user, query, most):
    _add_rows(make_rows, user, 0, 5)
    few, _ = _queries(graphql, query)
    _add_rows(make_rows, user, 5, 50)
    many, many_data = _queries(graphql, query)
    assert few == many, f"{few} queries for 5 rows, {many} for 50"
    assert many <= most
    first_list = next(iter(many_data.values()))
    assert len(first_list["edges"]) >= 50


def test_a_single_program_with_its_lists_costs_a_constant_number_of_queries(graphql, make_rows, user):
    from tests.graphql.conftest import gid

    rows = make_rows(user, "ada")
    query = """query($id: ID!) { program(id: $id) { name signature { name } currentVersion { number }
        versions { edges { node { number executions { edges { node {
            status lmCalls { edges { node { model } } } } } } } } } } }"""
    with CaptureQueriesContext(connection) as few:
        graphql(query, {"id": gid(rows["programs"])})
    for _ in range(10):
        version = program_version_create(program=rows["programs"], state=None)
        Execution.objects.create(program_version=version, status="failed")
    with CaptureQueriesContext(connection) as many:
        data = graphql(query, {"id": gid(rows["programs"])}).data
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(data["program"]["versions"]["edges"]) == 11
