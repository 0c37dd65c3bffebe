"""Relay connections: filters, ordering, cursors and the page-size limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from programs.models import Execution, Program
from programs.services import program_version_create
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs(make_program, user):
    return [make_program(user, name) for name in ("alpha", "beta", "gamma", "delta", "epsilon")]


def names(data, connection="programs"):
    return [edge["node"]["name"] for edge in data[connection]["edges"]]


def test_lists_are_ordered_by_name_by_default(graphql, programs):
    data = graphql("{ programs { totalCount edges { node { name } } } }").data
    assert names(data) == ["alpha", "beta", "delta", "epsilon", "gamma"]
    assert data["programs"]["totalCount"] == 5


def test_pages_follow_each_other_by_cursor(graphql, programs):
    query = """query($after: String) { programs(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""
    seen, after = [], None
    while True:
        data = graphql(query, {"after": after}).data
        seen.extend(names(data))
        assert data["programs"]["totalCount"] == 5
        if not data["programs"]["pageInfo"]["hasNextPage"]:
            break
        after = data["programs"]["pageInfo"]["endCursor"]
    assert seen == ["alpha", "beta", "delta", "epsilon", "gamma"]


def test_last_and_offset_page_too(graphql, programs):
    assert names(graphql("{ programs(last: 2) { edges { node { name } } } }").data) == ["epsilon", "gamma"]
    assert names(graphql("{ programs(offset: 3, first: 1) { edges { node { name } } } }").data) == ["epsilon"]


def test_a_page_larger_than_the_limit_is_refused(graphql, programs):
    result = graphql("{ programs(first: 101) { edges { node { name } } } }")
    assert result.status == 200
    assert "exceeds the `first` limit of 100 records" in result.errors[0]["message"]


def test_programs_filter_by_name_search_and_order(graphql, programs):
    assert names(graphql('{ programs(name: "beta") { edges { node { name } } } }').data) == ["beta"]
    assert names(graphql('{ programs(nameContains: "ET") { edges { node { name } } } }').data) == ["beta"]
    data = graphql('{ programs(orderBy: "-name", first: 2) { edges { node { name } } } }').data
    assert names(data) == ["gamma", "epsilon"]


def test_programs_filter_by_signature_and_module_type(graphql, programs, make_program, user):
    cot = make_program(user, "zeta", module_type="chain_of_thought")
    data = graphql('{ programs(moduleType: "chain_of_thought") { edges { node { name moduleType } } } }').data
    assert data["programs"]["edges"] == [{"node": {"name": "zeta", "moduleType": "chain_of_thought"}}]
    data = graphql(
        "query($s: ID) { programs(signature: $s) { edges { node { name } } } }", {"s": gid(cot.signature)}
    ).data
    assert names(data) == ["zeta"]


def test_programs_filter_by_creation_time(graphql, programs):
    Program.objects.filter(name="alpha").update(created_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    data = graphql(
        "query($t: DateTime) { programs(createdBefore: $t) { edges { node { name } } } }", {"t": since}
    ).data
    assert names(data) == ["alpha"]
    data = graphql("query($t: DateTime) { programs(createdAfter: $t) { totalCount } }", {"t": since}).data
    assert data["programs"]["totalCount"] == 4


def test_an_id_of_the_wrong_type_is_an_invalid_filter(graphql, programs):
    result = graphql("query($s: ID) { programs(signature: $s) { totalCount } }", {"s": gid(programs[0])})
    assert result.errors[0]["extensions"]["code"] == "INVALID_FILTER"
    assert "signature" in result.errors[0]["message"]
    assert "is not the ID of a Signature" in result.errors[0]["message"]
    result = graphql('{ programs(signature: "garbage") { totalCount } }')
    assert result.errors[0]["extensions"]["code"] == "INVALID_FILTER"


def test_versions_filter_by_program_and_number(graphql, programs):
    program_version_create(program=programs[0], state=None, note="second")
    query = """query($p: ID, $n: Int) {
        programVersions(program: $p, number: $n) { edges { node { number note } } } }"""
    data = graphql(query, {"p": gid(programs[0])}).data
    assert [e["node"]["number"] for e in data["programVersions"]["edges"]] == [2, 1]
    data = graphql(query, {"p": gid(programs[0]), "n": 2}).data
    assert data["programVersions"]["edges"] == [{"node": {"number": 2, "note": "second"}}]


def test_executions_filter_by_program_and_status(graphql, programs):
    for program, status in ((programs[0], "succeeded"), (programs[0], "failed"), (programs[1], "succeeded")):
        Execution.objects.create(program_version=program.current_version, status=status)
    query = """query($p: ID, $s: String) { executions(program: $p, status: $s) {
        totalCount edges { node { status program { name } } } } }"""
    data = graphql(query, {"p": gid(programs[0])}).data
    assert data["executions"]["totalCount"] == 2
    data = graphql(query, {"p": gid(programs[0]), "s": "failed"}).data
    assert data["executions"]["edges"] == [{"node": {"status": "failed", "program": {"name": "alpha"}}}]


def test_datasets_examples_and_versions_filter(graphql, make_rows, user):
    rows = make_rows(user, "ada")
    from datasets.services import dataset_version_create

    dataset_version_create(
        dataset=rows["datasets"],
        examples=[
            ("train", {"question": "t"}, {"answer": "x"}),
            ("test", {"question": "u"}, {"answer": "y"}),
        ],
    )
    data = graphql(
        'query($d: ID) { examples(dataset: $d, split: "test") { edges { node { inputs labels split } } } }',
        {"d": gid(rows["datasets"])},
    ).data
    assert data["examples"]["edges"] == [
        {"node": {"inputs": {"question": "u"}, "labels": {"answer": "y"}, "split": "test"}}
    ]
    data = graphql(
        """query($d: ID) { datasetVersions(dataset: $d, number: 2) {
            edges { node { number trainCount testCount exampleCount } } } }""",
        {"d": gid(rows["datasets"])},
    ).data
    assert data["datasetVersions"]["edges"] == [
        {"node": {"number": 2, "trainCount": 1, "testCount": 1, "exampleCount": 2}}
    ]
    data = graphql(
        '{ datasets(nameContains: "ADA") { edges { node { name latestVersion { number } } } } }'
    ).data
    assert data["datasets"]["edges"] == [{"node": {"name": "ada-dataset", "latestVersion": {"number": 2}}}]


def test_experiments_trials_evaluations_and_results_filter(graphql, make_rows, user):
    rows = make_rows(user, "ada")
    program = gid(rows["programs"])
    data = graphql(
        'query($p: ID) { experiments(program: $p, status: "pending") { edges { node { optimizer status '
        "trials { totalCount edges { node { candidate score } } } } } } }",
        {"p": program},
    ).data
    assert data["experiments"]["edges"] == [
        {
            "node": {
                "optimizer": "BootstrapFewShot",
                "status": "pending",
                "trials": {"totalCount": 1, "edges": [{"node": {"candidate": "c0", "score": 0.5}}]},
            }
        }
    ]
    assert graphql('{ experiments(status: "running") { totalCount } }').data["experiments"]["totalCount"] == 0
    assert graphql("{ trials(minScore: 0.6) { totalCount } }").data["trials"]["totalCount"] == 0
    assert graphql("{ trials(minScore: 0.5) { totalCount } }").data["trials"]["totalCount"] == 1
    data = graphql(
        'query($p: ID) { evaluations(program: $p, split: "dev") { edges { node { split examplesTotal '
        "results { edges { node { score prediction example { inputs } } } } } } } }",
        {"p": program},
    ).data
    assert data["evaluations"]["edges"] == [
        {
            "node": {
                "split": "dev",
                "examplesTotal": 1,
                "results": {
                    "edges": [
                        {
                            "node": {
                                "score": 1.0,
                                "prediction": {"answer": "a1"},
                                "example": {"inputs": {"question": "q1"}},
                            }
                        }
                    ]
                },
            }
        }
    ]
    assert (
        graphql("{ evaluationResults(failed: true) { totalCount } }").data["evaluationResults"]["totalCount"]
        == 0
    )
    assert (
        graphql("{ evaluationResults(failed: false) { totalCount } }").data["evaluationResults"]["totalCount"]
        == 1
    )
    assert (
        graphql("{ evaluationResults(maxScore: 0.5) { totalCount } }").data["evaluationResults"]["totalCount"]
        == 0
    )
