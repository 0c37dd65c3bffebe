"""Program aliases (``production``, ``staging``): created, moved and rolled back with a record
of every move, on REST, GraphQL, the shell and ``manage.py dspex``; executions run the version
an alias names (``production`` by default) and record the alias."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from programs.models import AliasMove, Execution, ProgramAlias
from programs.services import program_execute, program_version_create
from tests.actions.conftest import gid
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_versions(qa_program: Any) -> Any:
    """The qa program with versions 1, 2 and 3 (3 is current; program_create made the first)."""
    for _ in range(2):
        program_version_create(program=qa_program, state=None)
    qa_program.refresh_from_db()
    assert qa_program.current_version.number == 3
    return qa_program


def _moves(program: Any, name: str) -> list[tuple[str, int | None, int]]:
    alias = ProgramAlias.objects.get(program=program, name=name)
    return [
        (m.kind, m.from_version.number if m.from_version else None, m.to_version.number)
        for m in alias.moves.order_by("moved_at", "id")
    ]


def test_rest_creates_moves_and_rolls_back_an_alias_recording_each_move(
    rest_as: Any, user: Any, three_versions: Any
) -> None:
    program, client = three_versions, rest_as(user)
    base = f"/api/programs/{program.pk}/aliases/"
    created = client.post(base, {"name": "production", "version": 1, "reason": "first"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1 and created.json()["name"] == "production"
    moved = client.put(f"{base}production/", {"version": 2, "reason": "better"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["version"] == 2
    client.put(f"{base}production/", {"version": 3}, format="json")
    back = client.post(f"{base}production/rollback/", {"reason": "v3 regressed"}, format="json")
    assert back.status_code == 200 and back.json()["version"] == 2
    again = client.post(f"{base}production/rollback/", {}, format="json")
    assert again.json()["version"] == 1
    refused = client.post(f"{base}production/rollback/", {}, format="json")
    assert refused.status_code == 400 and "no move left" in refused.json()["alias"][0]
    assert _moves(program, "production") == [
        ("create", None, 1),
        ("move", 1, 2),
        ("move", 2, 3),
        ("rollback", 3, 2),
        ("rollback", 2, 1),
    ]
    newest = again.json()["moves"][0]
    assert newest["kind"] == "rollback" and newest["moved_by"] == "ada"
    assert client.get(f"/api/programs/{program.pk}/").json()["aliases"] == [
        {"name": "production", "version": 1}
    ]
    first = AliasMove.objects.filter(alias__name="production").order_by("id").first()
    assert first is not None and first.reason == "first" and first.moved_by == user


def test_bad_alias_requests_name_the_field(rest_as: Any, user: Any, three_versions: Any) -> None:
    program, client = three_versions, rest_as(user)
    base = f"/api/programs/{program.pk}/aliases/"
    client.post(base, {"name": "production", "version": 1}, format="json")
    twice = client.post(base, {"name": "production", "version": 2}, format="json")
    assert twice.status_code == 400 and "already has an alias" in twice.json()["name"][0]
    unknown = client.put(f"{base}staging/", {"version": 2}, format="json")
    assert unknown.status_code == 400 and "has no alias 'staging'" in unknown.json()["name"][0]
    no_version = client.put(f"{base}production/", {"version": 9}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()
    bad_name = client.post(base, {"name": "not a slug", "version": 1}, format="json")
    assert bad_name.status_code == 400 and "name" in bad_name.json()


def test_another_users_program_has_no_aliases_to_move(
    rest_as: Any, user: Any, other_user: Any, three_versions: Any
) -> None:
    base = f"/api/programs/{three_versions.pk}/aliases/"
    rest_as(user).post(base, {"name": "production", "version": 1}, format="json")
    stranger = rest_as(other_user)
    assert stranger.post(base, {"name": "mine", "version": 1}, format="json").status_code == 404
    assert stranger.put(f"{base}production/", {"version": 2}, format="json").status_code == 404
    assert stranger.post(f"{base}production/rollback/", {}, format="json").status_code == 404
    assert ProgramAlias.objects.get(name="production").version.number == 1


def test_execute_runs_production_by_default_and_records_the_alias(
    rest_as: Any, user: Any, openai_stub: Any, three_versions: Any
) -> None:
    program, client = three_versions, rest_as(user)
    openai_stub.set_default(reply(answer="Paris"))
    execute = f"/api/programs/{program.pk}/execute/"
    plain = client.post(execute, {"question": "q"}, format="json")
    assert plain.status_code == 200
    run = Execution.objects.get(pk=plain.json()["execution_id"])
    assert (run.program_version.number, run.alias) == (3, "")  # no production alias: the current one
    program.create_alias("production", version=1)
    program.create_alias("staging", version=2)
    by_default = Execution.objects.get(
        pk=client.post(execute, {"question": "q"}, format="json").json()["execution_id"]
    )
    assert (by_default.program_version.number, by_default.alias) == (1, "production")
    staged = client.post(f"{execute}?alias=staging", {"question": "q"}, format="json")
    run = Execution.objects.get(pk=staged.json()["execution_id"])
    assert (run.program_version.number, run.alias) == (2, "staging")
    detail = client.get(f"/api/executions/{run.pk}/").json()
    assert (detail["version"], detail["alias"]) == (2, "staging")
    pinned = client.post(f"{execute}?version=3", {"question": "q"}, format="json")
    assert Execution.objects.get(pk=pinned.json()["execution_id"]).alias == ""
    both = client.post(f"{execute}?version=3&alias=staging", {"question": "q"}, format="json")
    assert both.status_code == 400 and "not both" in both.json()["alias"][0]
    missing = client.post(f"{execute}?alias=canary", {"question": "q"}, format="json")
    assert missing.status_code == 400
    assert "production, staging" in missing.json()["alias"][0]


def test_the_background_run_keeps_the_alias(
    rest_as: Any, user: Any, openai_stub: Any, three_versions: Any, django_capture_on_commit_callbacks: Any
) -> None:
    openai_stub.set_default(reply(answer="Paris"))
    three_versions.create_alias("staging", version=2)
    url = f"/api/programs/{three_versions.pk}/execute/?async=true&alias=staging"
    with django_capture_on_commit_callbacks(execute=True):  # the eager task runs on commit
        queued = rest_as(user).post(url, {"question": "q"}, format="json")
    assert queued.status_code == 202
    run = Execution.objects.get(pk=queued.json()["execution_id"])
    assert (run.program_version.number, run.alias, run.status) == (2, "staging", "succeeded")


def test_graphql_creates_moves_and_rolls_back(graphql_as: Any, user: Any, three_versions: Any) -> None:
    call = graphql_as(user)
    program = gid(three_versions)
    created = call(
        'mutation($id: ID!) { createProgramAlias(id: $id, name: "production", version: "1") '
        "{ programAlias { name version } errors { field message } } }",
        {"id": program},
    )["data"]["createProgramAlias"]
    assert created["errors"] == [] and created["programAlias"]["name"] == "production"
    moved = call(
        'mutation($id: ID!) { moveProgramAlias(id: $id, name: "production", version: "3") '
        "{ errors { field message } } }",
        {"id": program},
    )["data"]["moveProgramAlias"]
    assert moved["errors"] == []
    assert ProgramAlias.objects.get(name="production").version.number == 3
    back = call(
        'mutation($id: ID!) { rollbackProgramAlias(id: $id, name: "production") { errors { field } } }',
        {"id": program},
    )["data"]["rollbackProgramAlias"]
    assert back["errors"] == []
    assert ProgramAlias.objects.get(name="production").version.number == 1
    unknown = call(
        'mutation($id: ID!) { rollbackProgramAlias(id: $id, name: "nope") { errors { field message } } }',
        {"id": program},
    )["data"]["rollbackProgramAlias"]
    assert unknown["errors"][0]["field"] == "name"


def test_the_shell_and_the_command_move_aliases(user: Any, openai_stub: Any, three_versions: Any) -> None:
    program = three_versions
    alias = program.create_alias("production", version=1, reason="launch")
    assert alias.version.number == 1
    program.move_alias("production", version=2)
    out = io.StringIO()
    call_command(
        "dspex",
        "run",
        "program.move_alias",
        "qa",
        "--arg",
        "name=production",
        "--arg",
        "version=3",
        stdout=out,
    )
    assert ProgramAlias.objects.get(name="production").version.number == 3
    program.rollback_alias("production", reason="undo the command's move")
    assert _moves(program, "production")[-1] == ("rollback", 3, 2)
    with pytest.raises(ValidationError) as refused:
        program.move_alias("staging", version=1)
    assert "name" in refused.value.message_dict
    openai_stub.set_default(reply(answer="Paris"))
    run = program_execute(program=program, inputs={"question": "q"})
    assert (run.program_version.number, run.alias) == (2, "production")


def test_the_alias_object_moves_and_rolls_back_itself(three_versions: Any) -> None:
    program = three_versions
    program.create_alias("production", version=1)
    moved = program.alias("production").move_to(program.versions.get(number=3), reason="launch v3")
    assert moved.version.number == 3
    assert program.alias("production").rollback().version.number == 1
    with pytest.raises(ProgramAlias.DoesNotExist):
        program.alias("staging")


def test_the_admin_shows_the_aliases_and_their_moves(admin_client: Any, three_versions: Any) -> None:
    program = three_versions
    program.create_alias("production", version=1, reason="launch")
    program.move_alias("production", version=2, reason="better")
    page = admin_client.get(f"/admin/programs/program/{program.pk}/change/").content.decode()
    assert "production" in page and "Moved by the operator" in page and "better" in page
    assert "Name a version with an alias" in page and "Move an alias back" in page
    posted = admin_client.post(
        f"/admin/programs/program/{program.pk}/action/rollback_alias/",
        {"name": "production", "reason": "oops"},
    )
    assert posted.status_code in (200, 302)
    alias = ProgramAlias.objects.get(name="production")
    moves = admin_client.get(f"/admin/programs/programalias/{alias.pk}/change/").content.decode()
    assert "launch" in moves and "better" in moves and "oops" in moves
    assert alias.version.number == 1
