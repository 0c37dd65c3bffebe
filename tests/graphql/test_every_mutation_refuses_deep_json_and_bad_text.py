"""Every mutation refuses, in every argument and input field that carries text (``String``,
``ID``, ``JSON``, nested inputs included), JSON nested 1,000 deep (a 400 with code
``NESTED_TOO_DEEP``), a NUL character and a lone surrogate sent as the JSON escape ``\\ud800``
(payload errors with code ``INVALID_TEXT`` naming the field); nothing is written.

Each mutation has base arguments that succeed (checked below), so the bad value is the only
reason for the refusal; a mutation added without base arguments fails
``test_every_mutation_is_covered``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from graphql import GraphQLInputObjectType, GraphQLScalarType, get_named_type

from dspex_project.schema import schema
from tests.graphql.conftest import gid
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

PLACEHOLDER = "@@BAD@@"
BAD_VALUES = {
    "deep": "[" * 1000 + "]" * 1000,
    "nul": json.dumps("before\u0000after"),
    "surrogate": '"before\\ud800after"',
}
TEXT_TYPES = {"String", "ID", "JSON"}
JSONL = '{"question": "q1", "answer": "a1", "split": "dev"}\n'


@pytest.fixture
def seeded(
    user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any, stub_lm_config: dict[str, Any]
) -> dict[str, Any]:
    from evaluations.services import evaluation_create
    from experiments.services import experiment_create
    from programs.services import lm_credential_create, signature_create

    openai_stub.responder = lambda request: reply(answer="Paris")
    version = qa_program.current_version
    qa_program.create_alias("production", version=version.number)  # for the alias mutations:
    qa_program.move_alias("production", version=version.number)  # one move to roll back
    from programs.services import program_execute

    return {
        "execution": program_execute(program=qa_program, inputs={"question": "q"}, user=user),
        "program": qa_program,
        "signature": signature_create(name="spare", spec="question -> answer", owner=user),
        "dataset": capitals_version.dataset,
        "dataset_version": capitals_version,
        "experiment": experiment_create(
            program_version=version,
            dataset_version=capitals_version,
            optimizer="bootstrap_few_shot",
            owner=user,
        ),
        "evaluation": evaluation_create(
            program_version=version, dataset_version=capitals_version, owner=user
        ),
        "credential": lm_credential_create(
            owner=user, endpoint=stub_lm_config["endpoint"], label="seeded", api_key="sk-seeded-key-1234"
        ),
    }


def base_arguments(s: dict[str, Any], stub_lm_config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """mutation name -> variables (one per argument) that succeed."""
    program, signature, dataset = gid(s["program"]), gid(s["signature"]), gid(s["dataset"])
    lm = {
        "endpoint": stub_lm_config["endpoint"],
        "model": stub_lm_config["model"],
        "params": stub_lm_config["params"],
    }
    return {
        "createLmCredential": {
            "input": {"endpoint": stub_lm_config["endpoint"], "label": "mine", "apiKey": "sk-test-key-1234"}
        },
        "deleteLmCredential": {"id": gid(s["credential"])},
        "startEvaluation": {"input": {"program": program, "dataset": dataset, "metrics": ["exact_match"]}},
        "cancelEvaluation": {"id": gid(s["evaluation"])},
        "runEvaluation": {"id": gid(s["evaluation"])},
        "optimizeProgram": {
            "id": program,
            "datasetVersion": gid(s["dataset_version"]),
            "optimizer": "bootstrap_few_shot",
            "metric": "exact_match",
            "optimizerParams": {},
            "trainSplit": "train",
            "valSplit": "dev",
        },
        "cancelExperiment": {"id": gid(s["experiment"])},
        "splitDataset": {"id": dataset, "seed": 3},
        "createDataset": {"input": {"name": "new-dataset", "description": "d", "signature": signature}},
        "updateDataset": {"id": dataset, "input": {"name": "renamed", "description": "d"}},
        "importExamples": {
            "input": {"dataset": dataset, "content": JSONL, "format": "JSONL", "fileName": "e.jsonl"}
        },
        "createSignature": {
            "input": {"name": "new-signature", "spec": "question -> answer", "instructions": "i"}
        },
        "updateSignature": {"id": signature, "input": {"instructions": "i"}},
        "createProgram": {
            "input": {
                "name": "new-program",
                "signature": signature,
                "description": "d",
                "moduleConfig": {},
                "lmConfig": lm,
            }
        },
        "updateProgram": {"id": program, "input": {"description": "d"}},
        "executeProgram": {"id": program, "inputs": {"question": "Capital of France?"}},
        "executeProgramAsync": {"id": program, "inputs": {"question": "Capital of France?"}},
        "validateProgram": {"id": program, "inputs": {"question": "Capital of France?"}},
        "createProgramAlias": {"id": program, "name": "staging", "version": "1", "reason": "r"},
        "moveProgramAlias": {"id": program, "name": "production", "version": "1", "reason": "r"},
        "rollbackProgramAlias": {"id": program, "name": "production", "reason": "r"},
        "giveExecutionFeedback": {
            "id": gid(s["execution"]),
            "score": 1.0,
            "label": "good",
            "comment": "c",
            "correction": {"answer": "Paris"},
        },
        "importProgramVersion": {
            "input": {
                "program": program,
                "content": json.dumps(s["program"].current_version.state),
                "fileName": "saved.json",
                "note": "n",
            }
        },
    }


def operation(name: str, variables: dict[str, Any]) -> str:
    field = schema.graphql_schema.mutation_type.fields[name]
    declared = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
    passed = ", ".join(f"{arg}: ${arg}" for arg in variables)
    return f"mutation M({declared}) {{ {name}({passed}) {{ errors {{ field message code }} }} }}"


def text_paths(name: str) -> list[tuple[tuple[str, ...], str]]:
    """Every (path, type name) of an argument or input field, at any depth, that carries text."""
    found: list[tuple[tuple[str, ...], str]] = []
    stack = [
        ((arg,), spec.type) for arg, spec in schema.graphql_schema.mutation_type.fields[name].args.items()
    ]
    while stack:
        path, kind = stack.pop()
        named = get_named_type(kind)
        if isinstance(named, GraphQLInputObjectType):
            stack.extend(((*path, field), spec.type) for field, spec in named.fields.items())
        elif isinstance(named, GraphQLScalarType) and named.name in TEXT_TYPES:
            found.append((path, named.name))
    return sorted(found)


def with_bad(variables: dict[str, Any], path: tuple[str, ...], kind: str) -> dict[str, Any]:
    """A copy of ``variables`` with the placeholder at ``path`` (inside an object for JSON)."""
    copy = json.loads(json.dumps(variables))
    target = copy
    for part in path[:-1]:
        target = target.setdefault(part, {})
    if kind == "JSON":
        existing = target.get(path[-1])
        key = next(iter(existing)) if isinstance(existing, dict) and existing else "key"
        target[path[-1]] = {key: PLACEHOLDER}
    else:
        target[path[-1]] = PLACEHOLDER
    return copy


def expected_field(path: tuple[str, ...], kind: str, variables: dict[str, Any]) -> str:
    parts = list(path[1:] if path[0] == "input" and len(path) > 1 else path)
    if kind == "JSON":
        existing: Any = variables
        for part in path:
            existing = existing.get(part) if isinstance(existing, dict) else None
        parts.append(next(iter(existing)) if isinstance(existing, dict) and existing else "key")
    return ".".join(parts)


def post(client: Any, query: str, variables_json: str) -> tuple[int, dict[str, Any]]:
    body = '{"query": ' + json.dumps(query) + ', "variables": ' + variables_json + "}"
    response = client.post(
        "/graphql/", data=body, content_type="application/json", HTTP_ACCEPT="application/json"
    )
    return response.status_code, json.loads(response.content)


def rows() -> dict[str, list[dict[str, Any]]]:
    models = [model for label in ("programs", "datasets", "experiments", "evaluations")
              for model in apps.get_app_config(label).get_models()]  # fmt: skip
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


MUTATIONS = sorted(schema.graphql_schema.mutation_type.fields)


def test_every_mutation_is_covered(seeded: dict[str, Any], stub_lm_config: dict[str, Any]) -> None:
    assert sorted(base_arguments(seeded, stub_lm_config)) == MUTATIONS


@pytest.mark.parametrize("name", MUTATIONS)
def test_the_base_arguments_succeed(
    graphql: Any, seeded: dict[str, Any], stub_lm_config: dict[str, Any], name: str
) -> None:
    variables = base_arguments(seeded, stub_lm_config)[name]
    result = graphql(operation(name, variables), variables)
    assert result.status == 200, result.body
    assert result.data[name]["errors"] == [], result.data


@pytest.mark.parametrize("name", MUTATIONS)
def test_bad_values_in_any_text_argument_are_refused_and_write_nothing(
    graphql: Any, seeded: dict[str, Any], stub_lm_config: dict[str, Any], name: str
) -> None:
    base = base_arguments(seeded, stub_lm_config)[name]
    paths = text_paths(name)
    assert paths, name
    before = rows()
    for path, kind in paths:
        variables = with_bad(base, path, kind)
        query = operation(name, variables)
        for bad_name, bad in BAD_VALUES.items():
            where = f"{name} {'.'.join(path)} {bad_name}"
            status, body = post(
                graphql.client, query, json.dumps(variables).replace(json.dumps(PLACEHOLDER), bad)
            )
            if bad_name == "deep":
                assert status == 400, (where, body)
                assert body["errors"][0]["extensions"]["code"] == "NESTED_TOO_DEEP", (where, body)
                continue
            assert status == 200, (where, body)
            [error] = body["data"][name]["errors"]
            assert error["code"] == "INVALID_TEXT", (where, error)
            assert error["field"] == expected_field(path, kind, base), (where, error)
            assert ("NUL character" if bad_name == "nul" else "unpaired surrogate") in error["message"], where
    assert rows() == before, name


def test_a_nul_written_in_the_document_itself_is_refused_too(graphql: Any) -> None:
    result = graphql(
        'mutation { createSignature(input: {name: "a\\u0000b", spec: "q -> a"}) { errors { field code } } }'
    )
    assert result.data["createSignature"]["errors"] == [{"field": "name", "code": "INVALID_TEXT"}]


def test_bad_text_in_the_variables_of_a_query_is_a_400(graphql: Any) -> None:
    query = "query Q($name: String) { signatures(name: $name) { totalCount } }"
    status, body = post(graphql.client, query, '{"name": "x\\ud800"}')
    assert status == 400
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_TEXT"
    assert error["message"].startswith("Variable `$name` contains an unpaired surrogate")
