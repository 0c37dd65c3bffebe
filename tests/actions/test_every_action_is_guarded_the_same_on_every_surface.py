"""Every declared action, on REST, GraphQL and ``manage.py dspex run --user``: anonymous users are
refused, another user's row is not found, the owner succeeds, and a bad argument is an error naming
the field.

A new action must add its case to ``CASES`` (the first test fails otherwise).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from graphene.utils.str_converters import to_camel_case

from actions import all_actions
from actions.declaration import RunMode
from actions.graphql import mutation_name
from tests.actions.conftest import gid
from tests.platform_fixtures import reply


@dataclass(frozen=True)
class Case:
    target: Callable[[dict[str, Any]], Any]  # the owner's row the action runs on
    good: dict[str, Any]  # arguments that succeed (REST names)
    bad_field: str  # an argument ...
    bad_value: Any  # ... and a value it refuses
    rows_as_ids: tuple[str, ...] = ()  # arguments naming rows: REST takes the pk, GraphQL the relay ID
    graphql_types: tuple[tuple[str, str], ...] = ()  # GraphQL types the Python value does not tell
    files: Callable[[], dict[str, Any]] | None = None  # uploads sent along (multipart REST)
    # A collection action has no target row: another user is refused through this row argument.
    stranger_field: str = ""
    # GraphQL's own values where its types differ (enums), and a bad argument it types loosely
    # enough to reach the action (an enum's bad value is refused by GraphQL itself).
    graphql_good: tuple[tuple[str, Any], ...] = ()
    graphql_bad: tuple[str, Any] | None = None


def _running_evaluation(rows: dict[str, Any]) -> Any:
    return rows["evaluation"]


def _capitals_file() -> dict[str, Any]:
    upload = io.BytesIO(b'{"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"}\n')
    upload.name = "more.jsonl"
    return {"file": upload}


def _saved_program_file() -> dict[str, Any]:
    state = {"signature": {"instructions": "Answer.", "fields": []}, "demos": [], "lm": None}
    upload = io.BytesIO(json.dumps({**state, "metadata": {}}).encode())
    upload.name = "saved.json"
    return {"file": upload}


def _no_target(rows: dict[str, Any]) -> Any:
    return None


CASES: dict[str, Case] = {
    "dataset.import": Case(
        lambda r: r["dataset"],
        {"split": "dev"},
        "split",
        "nowhere",
        files=_capitals_file,
        graphql_good=(("split", "DEV"),),
        graphql_bad=("signature", "not-an-id"),
    ),
    "dataset.export": Case(lambda r: r["dataset"], {"format": "csv"}, "format", "xml"),
    "program.execute": Case(
        lambda r: r["program"],
        {"inputs": {"question": "Capital of France?"}},
        "version",
        "99",
        graphql_types=(("inputs", "JSON!"), ("version", "ID")),
    ),
    "dataset.split": Case(
        lambda r: r["dataset"], {"seed": 4, "train": 0.6, "dev": 0.4, "test": 0.0}, "seed", -1
    ),
    "evaluation.cancel": Case(_running_evaluation, {}, "", None),
    "evaluation.export": Case(_running_evaluation, {"format": "json"}, "format", "xlsx"),
    "evaluation.compare": Case(
        _running_evaluation, {"other": "evaluation"}, "other", 99999, rows_as_ids=("other",)
    ),
    "evaluation.run": Case(_running_evaluation, {}, "", None),
    "experiment.cancel": Case(lambda r: r["experiment"], {}, "", None),
    "evaluation.start": Case(
        _no_target,
        {"program": "program", "dataset": "dataset", "split": "dev"},
        "split",
        "nowhere",
        rows_as_ids=("program", "dataset"),
        stranger_field="program",
    ),
    "program.validate": Case(
        lambda r: r["program"],
        {"inputs": {"question": "Capital of France?"}},
        "inputs",
        [1],
        graphql_types=(("inputs", "JSON"),),
    ),
    "program.export": Case(lambda r: r["program"], {"version": 1}, "version", 99),
    "program.import": Case(
        lambda r: r["program"], {"note": "from dspy"}, "note", "x" * 501, files=_saved_program_file
    ),
    "program.create_alias": Case(
        lambda r: r["program"],
        {"name": "staging", "version": 1},
        "version",
        99,
        graphql_types=(("name", "String!"), ("version", "ID!")),
    ),
    "program.move_alias": Case(
        lambda r: r["program"],
        {"name": "production", "version": 1},
        "version",
        99,
        graphql_types=(("name", "String!"), ("version", "ID!")),
    ),
    "program.rollback_alias": Case(
        lambda r: r["program"],
        {"name": "production"},
        "reason",
        "x" * 501,
        graphql_types=(("name", "String!"),),
    ),
    "execution.feedback": Case(
        lambda r: r["execution"],
        {"score": 1.0, "label": "good"},
        "score",
        2,
        graphql_types=(("score", "Float"), ("label", "String")),
    ),
    "program.optimize": Case(
        lambda r: r["program"],
        {"dataset_version": "dataset_version", "optimizer": "labeled_few_shot", "evaluate_baseline": False},
        "dataset_version",
        "not-an-id",
        rows_as_ids=("dataset_version",),
    ),
}


def _rest_arguments(case: Case, rows: dict[str, Any]) -> dict[str, Any]:
    return {k: rows[v].pk if k in case.rows_as_ids else v for k, v in case.good.items()}


def _graphql_arguments(case: Case, rows: dict[str, Any]) -> dict[str, Any]:
    values = {k: gid(rows[v]) if k in case.rows_as_ids else v for k, v in case.good.items()}
    return {**values, **dict(case.graphql_good)}


@pytest.fixture
def rows(user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any) -> dict[str, Any]:
    from evaluations.services import evaluation_create
    from experiments.services import experiment_create

    openai_stub.responder = lambda request: reply(answer="Paris")
    version = qa_program.current_version
    qa_program.create_alias("production", version=1)  # for the alias actions: one move to undo
    qa_program.move_alias("production", version=1)
    from programs.services import program_execute

    return {
        "program": qa_program,
        "execution": program_execute(
            program=qa_program, inputs={"question": "Capital of France?"}, user=user
        ),
        "dataset_version": capitals_version,
        "dataset": capitals_version.dataset,
        "experiment": experiment_create(
            program_version=version,
            dataset_version=capitals_version,
            optimizer="bootstrap_few_shot",
            owner=user,
        ),
        "evaluation": evaluation_create(
            program_version=version, dataset_version=capitals_version, owner=user
        ),
    }


KEYS = [action.key for action in all_actions()]


def test_every_declared_action_has_a_case() -> None:
    assert sorted(CASES) == sorted(KEYS)


def _action(key: str) -> Any:
    return next(a for a in all_actions() if a.key == key)


def _url(action: Any, row: Any, arguments: dict[str, Any] | None = None) -> str:
    plural = {
        "dataset": "datasets",
        "evaluation": "evaluations",
        "execution": "executions",
        "experiment": "experiments",
        "program": "programs",
    }
    collection = f"/api/{plural[action.key.split('.')[0]]}/"
    if not action.detail:
        return collection + (f"{action.rest_path}/" if action.rest_path else "")
    path = action.rest_path or action.name
    for name in action.rest_path_arguments:
        path = path.replace(f"{{{name}}}", str((arguments or {})[name]))
    return f"{collection}{row.pk}/{path}/"


def _post(client: Any, action: Any, row: Any, arguments: dict[str, Any]) -> Any:
    """Send the arguments as the action takes them: path parameters in the URL, then the JSON
    body, or one argument as the whole body and the others in the query string, or a multipart
    form with the case's files (a PUT where the route says so)."""
    url = _url(action, row, arguments)
    arguments = {k: v for k, v in arguments.items() if k not in action.rest_path_arguments}
    if action.safe:
        return client.get(url, arguments)
    if "put" in action.rest_options.get("methods", ()):
        return client.put(url, arguments, format="json")
    files = CASES[action.key].files
    if files is not None:
        return client.post(url, {**arguments, **files()}, format="multipart")
    if action.rest_body is None:
        return client.post(url, arguments, format="json")
    body = arguments.get(action.rest_body)
    query = "&".join(f"{k}={v}" for k, v in arguments.items() if k != action.rest_body)
    return client.post(f"{url}?{query}" if query else url, body, format="json")


def _graphql_name(action: Any, argument: str) -> str:
    return to_camel_case(action.graphql_shape.name_of(argument))


def _mutation(case: Case, action: Any, arguments: dict[str, Any]) -> tuple[str, str]:
    """The mutation's name and text; its variables are ``_variables(...)``."""
    name = mutation_name(action, RunMode.INLINE if action.service else RunMode.BACKGROUND)
    errors = "{ errors { field message code } }"
    if action.graphql_shape.input is not None:  # one input object holds the target and the arguments
        return name, f"mutation($input: {action.graphql_shape.input}!) {{ {name}(input: $input) {errors} }}"
    types = {"int": "Int", "float": "Float", "bool": "Boolean", "str": "String"}
    explicit = dict(case.graphql_types)
    declared = ["$id: ID!"] + [
        f"${k}: {explicit.get(k) or ('ID!' if k in case.rows_as_ids else types[type(v).__name__])}"
        for k, v in arguments.items()
    ]
    passed = ["id: $id"] + [f"{to_camel_case(k)}: ${k}" for k in arguments]
    return name, f"mutation({', '.join(declared)}) {{ {name}({', '.join(passed)}) {errors} }}"


def _variables(case: Case, action: Any, row: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    values = dict(arguments)
    if case.files is not None:  # a file argument is its text on GraphQL
        for field, upload in case.files().items():
            values[field] = upload.getvalue().decode()
            values["file_name"] = upload.name
    if action.graphql_shape.input is None:
        return {"id": gid(row), **values}
    shown = {_graphql_name(action, k): v for k, v in values.items()}
    if action.detail:
        shown[to_camel_case(action.target_field)] = gid(row)
    return {"input": shown}


def _stranger_field(case: Case, action: Any) -> str:
    if not action.detail:
        return _graphql_name(action, case.stranger_field)
    return to_camel_case(action.target_field) if action.graphql_shape.input else "id"


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_rest_refuses_anonymous_and_strangers_and_runs_for_the_owner(
    key: str, rows: dict[str, Any], rest_as: Any, user: Any, other_user: Any
) -> None:
    action, case = _action(key), CASES[key]
    row, good = case.target(rows), _rest_arguments(case, rows)
    assert _post(rest_as(None), action, row, good).status_code in (401, 403)
    stranger = _post(rest_as(other_user), action, row, good)
    if action.detail:
        assert stranger.status_code == 404
    else:  # the row it names is not theirs: not found, on that argument
        assert stranger.status_code == 400 and "not found" in str(stranger.json()[case.stranger_field])
    response = _post(rest_as(user), action, row, good)
    expected = action.result.status if action.service else action.background.status
    assert response.status_code == expected, response.content
    if case.bad_field:
        bad = {**good, case.bad_field: case.bad_value}
        refused = _post(rest_as(user), action, row, bad)
        assert refused.status_code == 400
        assert case.bad_field in refused.json()


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_graphql_refuses_anonymous_and_strangers_and_runs_for_the_owner(
    key: str, rows: dict[str, Any], graphql_as: Any, user: Any, other_user: Any
) -> None:
    action, case = _action(key), CASES[key]
    if not action.on_graphql:  # a download: REST and the admin only
        schema = graphql_as(user)("{ __schema { mutationType { fields { name } } } }", {})
        names = {field["name"] for field in schema["data"]["__schema"]["mutationType"]["fields"]}
        assert mutation_name(action, RunMode.INLINE) not in names
        return
    row, good = case.target(rows), _graphql_arguments(case, rows)
    name, query = _mutation(case, action, good)
    variables = _variables(case, action, row, good)
    anonymous = graphql_as(None)(query, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    answer = graphql_as(other_user)(query, variables)
    assert "data" in answer, answer
    stranger = answer["data"][name]["errors"]
    if action.detail:
        assert [(e["field"], e["code"]) for e in stranger] == [(_stranger_field(case, action), "NOT_FOUND")]
    else:  # every row argument that is not theirs is not found
        assert (_stranger_field(case, action), "NOT_FOUND") in [(e["field"], e["code"]) for e in stranger]
        assert {e["code"] for e in stranger} == {"NOT_FOUND"}
    owner = graphql_as(user)(query, variables)
    assert "data" in owner, owner
    assert owner["data"][name]["errors"] == []
    bad_field, bad_value = case.graphql_bad or (case.bad_field, case.bad_value)
    if bad_field:
        bad = {**good, bad_field: bad_value}
        name, query = _mutation(case, action, bad)
        answer = graphql_as(user)(query, _variables(case, action, row, bad))
        assert "data" in answer, answer
        refused = answer["data"][name]["errors"]
        assert refused and refused[0]["field"] == _graphql_name(action, bad_field)


def _command_arguments(case: Case, rows: dict[str, Any], tmp_path: Any, extra: dict[str, Any]) -> list[str]:
    values = {**_rest_arguments(case, rows), **extra}
    if case.files is not None:
        for name, upload in case.files().items():
            path = tmp_path / upload.name
            path.write_bytes(upload.getvalue())
            values[name] = str(path)
    return [
        item
        for key, value in values.items()
        for item in ("--arg", f"{key}={value if isinstance(value, str) else json.dumps(value)}")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_the_command_refuses_strangers_and_runs_for_the_owner(
    key: str, rows: dict[str, Any], user: Any, other_user: Any, tmp_path: Any
) -> None:
    case = CASES[key]
    row = case.target(rows)
    target = [str(row.pk)] if row is not None else []
    good = _command_arguments(case, rows, tmp_path, {})
    with pytest.raises(CommandError, match="not found"):
        call_command("dspex", "run", key, *target, "--user", other_user.username, *good, stdout=io.StringIO())
    call_command("dspex", "run", key, *target, "--user", user.username, *good, stdout=io.StringIO())
    if case.bad_field:
        bad = _command_arguments(case, rows, tmp_path, {case.bad_field: case.bad_value})
        with pytest.raises(CommandError, match=case.bad_field):
            call_command("dspex", "run", key, *target, "--user", user.username, *bad, stdout=io.StringIO())
