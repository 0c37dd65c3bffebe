"""Every declared action, on REST and GraphQL: anonymous users are refused, another user's row is
not found, the owner succeeds, and a bad argument is an error naming the field.

A new action must add its case to ``CASES`` (the first test fails otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from actions import all_actions
from actions.declaration import RunMode
from actions.graphql import mutation_name
from tests.actions.conftest import gid


@dataclass(frozen=True)
class Case:
    target: Callable[[dict[str, Any]], Any]  # the owner's row the action runs on
    good: dict[str, Any]  # arguments that succeed (REST names)
    bad_field: str  # an argument ...
    bad_value: Any  # ... and a value it refuses
    prepare: Callable[[dict[str, Any]], None] = lambda rows: None


def _running_evaluation(rows: dict[str, Any]) -> Any:
    return rows["evaluation"]


CASES: dict[str, Case] = {
    "dataset.split": Case(
        lambda r: r["dataset"], {"seed": 4, "train": 0.6, "dev": 0.4, "test": 0.0}, "seed", -1
    ),
    "evaluation.cancel": Case(_running_evaluation, {}, "", None),
    "experiment.cancel": Case(lambda r: r["experiment"], {}, "", None),
}


@pytest.fixture
def rows(user: Any, qa_program: Any, capitals_version: Any) -> dict[str, Any]:
    from evaluations.services import evaluation_create
    from experiments.services import experiment_create

    version = qa_program.current_version
    return {
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
    plural = {"dataset": "datasets", "evaluation": "evaluations", "experiment": "experiments"}
    return f"/api/{plural[action.key.split('.')[0]]}/{row.pk}/{action.rest_path or action.name}/"


def _mutation(action: Any, arguments: dict[str, Any]) -> tuple[str, str]:
    name = mutation_name(action, RunMode.INLINE if action.service else RunMode.BACKGROUND)
    types = {"int": "Int", "float": "Float", "bool": "Boolean", "str": "String"}
    declared = ["$id: ID!"] + [f"${k}: {types[type(v).__name__]}" for k, v in arguments.items()]
    passed = ["id: $id"] + [f"{k}: ${k}" for k in arguments]
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
    row = case.target(rows)
    assert rest_as(None).post(_url(action, row), case.good, format="json").status_code in (401, 403)
    assert rest_as(other_user).post(_url(action, row), case.good, format="json").status_code == 404
    response = rest_as(user).post(_url(action, row), case.good, format="json")
    assert response.status_code == action.result.status, response.content
    if case.bad_field:
        bad = {**case.good, case.bad_field: case.bad_value}
        refused = rest_as(user).post(_url(action, row), bad, format="json")
        assert refused.status_code == 400
        assert case.bad_field in refused.json()


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_graphql_refuses_anonymous_and_strangers_and_runs_for_the_owner(
    key: str, rows: dict[str, Any], graphql_as: Any, user: Any, other_user: Any
) -> None:
    action, case = _action(key), CASES[key]
    row = case.target(rows)
    name, query = _mutation(action, case.good)
    variables = {"id": gid(row), **case.good}
    anonymous = graphql_as(None)(query, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    answer = graphql_as(other_user)(query, variables)
    assert "data" in answer, answer
    stranger = answer["data"][name]["errors"]
    assert [(e["field"], e["code"]) for e in stranger] == [("id", "NOT_FOUND")]
    owner = graphql_as(user)(query, variables)["data"][name]["errors"]
    assert owner == []
    if case.bad_field:
        name, query = _mutation(action, {**case.good, case.bad_field: case.bad_value})
        refused = graphql_as(user)(query, {**variables, case.bad_field: case.bad_value})["data"][name][
            "errors"
        ]
        assert refused and refused[0]["field"] == case.bad_field
