"""Visibility as in the REST API: your own rows; another user's are invisible; staff see all."""

from __future__ import annotations

import pytest

from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

RESOURCES = [
    ("signatures", "signature"),
    ("programs", "program"),
    ("programVersions", "programVersion"),
    ("executions", "execution"),
    ("lmCallTraces", "lmCallTrace"),
    ("datasets", "dataset"),
    ("datasetVersions", "datasetVersion"),
    ("examples", "example"),
    ("experiments", "experiment"),
    ("trials", "trial"),
    ("evaluations", "evaluation"),
    ("evaluationResults", "evaluationResult"),
]


@pytest.fixture
def rows(make_rows, user, other_user):
    return {"ada": make_rows(user, "ada"), "grace": make_rows(other_user, "grace")}


@pytest.mark.parametrize(("connection", "single"), RESOURCES)
def test_a_list_holds_only_the_users_own_rows(graphql, rows, connection, single):
    data = graphql(f"{{ {connection} {{ totalCount edges {{ node {{ id }} }} }} }}").data[connection]
    assert data["totalCount"] == 1
    assert [edge["node"]["id"] for edge in data["edges"]] == [gid(rows["ada"][connection])]


@pytest.mark.parametrize(("connection", "single"), RESOURCES)
def test_another_users_row_is_not_found(graphql, rows, connection, single):
    theirs = gid(rows["grace"][connection])
    data = graphql(f'{{ {single}(id: "{theirs}") {{ id }} node(id: "{theirs}") {{ id }} }}').data
    assert data == {single: None, "node": None}


@pytest.mark.parametrize(("connection", "single"), RESOURCES)
def test_the_users_own_row_is_found_by_id(graphql, rows, connection, single):
    mine = gid(rows["ada"][connection])
    data = graphql(f'{{ {single}(id: "{mine}") {{ id }} node(id: "{mine}") {{ id }} }}').data
    assert data == {single: {"id": mine}, "node": {"id": mine}}


@pytest.mark.parametrize(("connection", "single"), RESOURCES)
def test_staff_see_every_users_rows(graphql_as, staff_user, rows, connection, single):
    graphql = graphql_as(staff_user)
    data = graphql(f"{{ {connection} {{ totalCount edges {{ node {{ id }} }} }} }}").data[connection]
    assert data["totalCount"] == 2
    theirs = gid(rows["grace"][connection])
    assert graphql(f'{{ node(id: "{theirs}") {{ id }} }}').data == {"node": {"id": theirs}}


def test_another_users_program_cannot_be_changed(graphql, rows):
    theirs = gid(rows["grace"]["programs"])
    result = graphql(
        'mutation($id: ID!) { updateProgram(id: $id, input: {name: "mine now"}) '
        "{ program { id } errors { field message code } } }",
        {"id": theirs},
    )
    payload = result.data["updateProgram"]
    assert payload["program"] is None
    assert payload["errors"] == [
        {"field": "id", "message": f"Program {theirs!r} was not found", "code": "NOT_FOUND"}
    ]
    rows["grace"]["programs"].refresh_from_db()
    assert rows["grace"]["programs"].name == "grace-program"


def test_another_users_program_cannot_be_executed(graphql, rows, openai_stub):
    theirs = gid(rows["grace"]["programs"])
    result = graphql(
        'mutation($id: ID!) { executeProgram(id: $id, inputs: {question: "q"}) { errors { field code } } }',
        {"id": theirs},
    )
    assert result.data["executeProgram"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert openai_stub.completion_requests() == []


def test_another_users_signature_cannot_be_used_for_a_program(graphql, rows):
    theirs = gid(rows["grace"]["signatures"])
    result = graphql(
        'mutation($sig: ID!) { createProgram(input: {name: "p", signature: $sig}) '
        "{ program { id } errors { field code } } }",
        {"sig": theirs},
    )
    assert result.data["createProgram"] == {
        "program": None,
        "errors": [{"field": "signature", "code": "NOT_FOUND"}],
    }


def test_staff_can_change_another_users_program_which_keeps_its_owner(graphql_as, staff_user, rows):
    theirs = gid(rows["grace"]["programs"])
    result = graphql_as(staff_user)(
        'mutation($id: ID!) { updateProgram(id: $id, input: {description: "checked"}) '
        "{ program { description owner { username } } errors { field } } }",
        {"id": theirs},
    )
    assert result.data["updateProgram"] == {
        "program": {"description": "checked", "owner": {"username": "grace"}},
        "errors": [],
    }
