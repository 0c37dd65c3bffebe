"""An evaluation's results: a connection filtered by errors and score range, nested or at the root,
at a cost in queries that does not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.evaluations.helpers import answering, evaluated, questions_version
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

NESTED = """query($id: ID!, $failed: Boolean, $min: Float, $max: Float) { evaluation(id: $id) {
    results(failed: $failed, minScore: $min, maxScore: $max, orderBy: "id") {
        totalCount edges { node { score error example { position } } } } } }"""
ROOT = """query($id: ID, $failed: Boolean, $min: Float) {
    evaluationResults(evaluation: $id, failed: $failed, minScore: $min) {
        totalCount edges { node { score example { position } } } } }"""


@pytest.fixture
def evaluation(user, openai_stub, qa_program):
    answering(openai_stub, wrong={"q1"}, fail={"q2"})
    return evaluated(qa_program, questions_version(user, qa_program.signature, 5), owner=user)


def _positions(connection_data):
    return sorted(edge["node"]["example"]["position"] for edge in connection_data["edges"])


def test_nested_results_filter_by_errors_and_score(graphql, evaluation):
    def results(**variables):
        return graphql(NESTED, {"id": gid(evaluation), **variables}).data["evaluation"]["results"]

    assert results()["totalCount"] == 5
    failed = results(failed=True)
    assert _positions(failed) == [2] and "ServerError" in failed["edges"][0]["node"]["error"]
    assert _positions(results(failed=False)) == [0, 1, 3, 4]
    assert _positions(results(min=0.5)) == [0, 3, 4]
    assert _positions(results(max=0.5)) == [1]


def test_root_results_filter_by_evaluation_errors_and_score(
    graphql, evaluation, openai_stub, user, qa_program
):
    evaluated(qa_program, questions_version(user, qa_program.signature, 2, name="other"), owner=user)
    assert graphql(ROOT, {}).data["evaluationResults"]["totalCount"] == 7
    assert graphql(ROOT, {"id": gid(evaluation)}).data["evaluationResults"]["totalCount"] == 5
    assert _positions(graphql(ROOT, {"id": gid(evaluation), "failed": True}).data["evaluationResults"]) == [2]
    assert _positions(graphql(ROOT, {"id": gid(evaluation), "min": 1.0}).data["evaluationResults"]) == [
        0,
        3,
        4,
    ]


def test_filtered_nested_results_cost_a_constant_number_of_queries(graphql, openai_stub, user, qa_program):
    def queries(n):
        answering(openai_stub, fail={"q0"})
        evaluation = evaluated(
            qa_program, questions_version(user, qa_program.signature, n, name=f"s{n}"), owner=user
        )
        with CaptureQueriesContext(connection) as captured:
            data = graphql(NESTED, {"id": gid(evaluation), "failed": False}).data
        assert data["evaluation"]["results"]["totalCount"] == n - 1
        return len(captured.captured_queries)

    assert queries(3) == queries(40)
