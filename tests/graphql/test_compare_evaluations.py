"""``compareEvaluations(a, b)``: b against the baseline a, example by example; evaluations of
different dataset versions are an error saying so."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.evaluations.helpers import answering, evaluated, questions_version
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

COMPARE = """query($a: ID!, $b: ID!, $change: String, $first: Int) { compareEvaluations(a: $a, b: $b) {
    baseline { id score } evaluation { id score } improved regressed unchanged missing
    rows(change: $change, first: $first) { totalCount edges { node {
        exampleId position inputs labels change score baselineScore delta prediction baselinePrediction error
    } } } } }"""


@pytest.fixture
def version(user, qa_program):
    return questions_version(user, qa_program.signature, 5)


@pytest.fixture
def pair(openai_stub, qa_program, version, user):
    answering(openai_stub, wrong={"q0", "q1"})
    baseline = evaluated(qa_program, version, owner=user)
    answering(openai_stub, wrong={"q1", "q4"})
    return baseline, evaluated(qa_program, version, owner=user)


def test_counts_and_rows(graphql, pair, version):
    baseline, candidate = pair
    data = graphql(COMPARE, {"a": gid(baseline), "b": gid(candidate)}).data["compareEvaluations"]
    assert (data["baseline"]["id"], data["evaluation"]["id"]) == (gid(baseline), gid(candidate))
    assert (data["improved"], data["regressed"], data["unchanged"], data["missing"]) == (1, 1, 3, 0)
    rows = [edge["node"] for edge in data["rows"]["edges"]]
    assert [(row["position"], row["change"]) for row in rows] == [
        (0, "improved"), (1, "unchanged"), (2, "unchanged"), (3, "unchanged"), (4, "regressed"),
    ]  # fmt: skip
    assert rows[0]["inputs"] == {"question": "q0"} and rows[0]["labels"] == {"answer": "a0"}
    assert (rows[0]["score"], rows[0]["baselineScore"], rows[0]["delta"]) == (1.0, 0.0, 1.0)
    assert (rows[4]["prediction"], rows[4]["baselinePrediction"]) == ({"answer": "nope"}, {"answer": "a4"})
    assert rows[0]["exampleId"] == gid(version.examples.get(position=0))


def test_rows_filter_by_change_and_page(graphql, pair):
    baseline, candidate = pair
    variables = {"a": gid(baseline), "b": gid(candidate), "change": "regressed"}
    rows = graphql(COMPARE, variables).data["compareEvaluations"]["rows"]
    assert rows["totalCount"] == 1 and rows["edges"][0]["node"]["position"] == 4
    rows = graphql(COMPARE, {"a": gid(baseline), "b": gid(candidate), "first": 2}).data["compareEvaluations"][
        "rows"
    ]
    assert (rows["totalCount"], len(rows["edges"])) == (5, 2)


def test_different_dataset_versions_are_an_error(graphql, user, qa_program, pair, openai_stub):
    baseline, _ = pair
    elsewhere = evaluated(
        qa_program, questions_version(user, qa_program.signature, 1, name="elsewhere"), owner=user
    )
    result = graphql(COMPARE, {"a": gid(baseline), "b": gid(elsewhere)})
    assert result.body["data"]["compareEvaluations"] is None
    [error] = result.errors
    assert error["extensions"]["code"] == "DATASET_MISMATCH"
    assert "only evaluations of the same dataset version can be compared" in error["message"]


def test_another_users_evaluation_is_not_found(graphql_as, other_user, pair):
    baseline, candidate = pair
    result = graphql_as(other_user)(COMPARE, {"a": gid(baseline), "b": gid(candidate)})
    assert result.errors[0]["extensions"] == {"code": "NOT_FOUND", "field": "a"}


def test_the_comparison_costs_the_same_queries_for_few_or_many_examples(
    graphql, openai_stub, qa_program, user
):
    def queries(n):
        version = questions_version(user, qa_program.signature, n, name=f"set{n}")
        answering(openai_stub)
        a, b = evaluated(qa_program, version, owner=user), evaluated(qa_program, version, owner=user)
        with CaptureQueriesContext(connection) as captured:
            graphql(COMPARE, {"a": gid(a), "b": gid(b), "first": 100}).data  # noqa: B018
        return len(captured.captured_queries)

    assert queries(3) == queries(30)
