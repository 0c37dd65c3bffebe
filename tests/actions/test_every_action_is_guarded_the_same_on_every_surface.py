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


def _running_evaluation(rows: dict[str, Any]) -> Any:
    return rows["evaluation"]


def _capitals_file() -> dict[str, Any]:
    upload = io.BytesIO(b'{"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"}\n')
    upload.name = "more.jsonl"
    return {"file": upload}


CASES: dict[str, Case] = {
    "dataset.import": Case(
        lambda r: r["dataset"], {"split": "dev"}, "split", "nowhere", files=_capitals_file
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
    return {k: gid(rows[v]) if k in case.rows_as_ids else v for k, v in case.good.items()}


@pytest.fixture
def rows(user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any) -> dict[str, Any]:
    from evaluations.services import evaluation_create
    from experiments.services import experiment_create

    openai_stub.responder = lambda request: reply(answer="Paris")
    version = qa_program.current_version
    return {
        "program": qa_program,
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


def _url(action: Any, row: Any) -> str:
    plural = {
        "dataset": "datasets",
        "evaluation": "evaluations",
        "experiment": "experiments",
        "program": "programs",
    }
    return f"/api/{plural[action.key.split('.')[0]]}/{row.pk}/{action.rest_path or action.name}/"


def _post(client: Any, action: Any, row: Any, arguments: dict[str, Any]) -> Any:
    """POST the arguments as the action takes them: the JSON body, or one argument as the whole
    body and the others in the query string, or a multipart form with the case's files."""
    url = _url(action, row)
    if action.safe:
        return client.get(url, arguments)
    files = CASES[action.key].files
    if files is not None:
        return client.post(url, {**arguments, **files()}, format="multipart")
    if action.rest_body is None:
        return client.post(url, arguments, format="json")
    body = arguments.get(action.rest_body)
    query = "&".join(f"{k}={v}" for k, v in arguments.items() if k != action.rest_body)
    return client.post(f"{url}?{query}" if query else url, body, format="json")


def _mutation(case: Case, action: Any, arguments: dict[str, Any]) -> tuple[str, str]:
    name = mutation_name(action, RunMode.INLINE if action.service else RunMode.BACKGROUND)
    types = {"int": "Int", "float": "Float", "bool": "Boolean", "str": "String"}
    explicit = dict(case.graphql_types)
    declared = ["$id: ID!"] + [
        f"${k}: {explicit.get(k) or ('ID!' if k in case.rows_as_ids else types[type(v).__name__])}"
        for k, v in arguments.items()
    ]
    passed = ["id: $id"] + [f"{to_camel_case(k)}: ${k}" for k in arguments]
    query = (
        f"mutation({', '.join(declared)}) {{ {name}({', '.join(passed)}) "
        "{ errors { field message code } } }"
    )
    return name, query


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_rest_refuses_anonymous_and_strangers_and_runs_for_the_owner(
    key: str, rows: dict[str, Any], rest_as: Any, user: Any, other_user: Any
) -> None:
    action, case = _action(key), CASES[key]
    row, good = case.target(rows), _rest_arguments(case, rows)
    assert _post(rest_as(None), action, row, good).status_code in (401, 403)
    assert _post(rest_as(other_user), action, row, good).status_code == 404
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
    variables = {"id": gid(row), **good}
    anonymous = graphql_as(None)(query, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    answer = graphql_as(other_user)(query, variables)
    assert "data" in answer, answer
    stranger = answer["data"][name]["errors"]
    assert [(e["field"], e["code"]) for e in stranger] == [("id", "NOT_FOUND")]
    owner = graphql_as(user)(query, variables)["data"][name]["errors"]
    assert owner == []
    if case.bad_field:
        name, query = _mutation(case, action, {**good, case.bad_field: case.bad_value})
        answer = graphql_as(user)(query, {**variables, case.bad_field: case.bad_value})
        refused = answer["data"][name]["errors"]
        assert refused and refused[0]["field"] == to_camel_case(case.bad_field)


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
    good = _command_arguments(case, rows, tmp_path, {})
    with pytest.raises(CommandError, match="not found"):
        call_command(
            "dspex", "run", key, str(row.pk), "--user", other_user.username, *good, stdout=io.StringIO()
        )
    call_command("dspex", "run", key, str(row.pk), "--user", user.username, *good, stdout=io.StringIO())
    if case.bad_field:
        bad = _command_arguments(case, rows, tmp_path, {case.bad_field: case.bad_value})
        with pytest.raises(CommandError, match=case.bad_field):
            call_command(
                "dspex", "run", key, str(row.pk), "--user", user.username, *bad, stdout=io.StringIO()
            )
