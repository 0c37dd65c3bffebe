"""Every write operation of the OpenAPI schema refuses, in every field, JSON nested 1,000 deep, a
NUL character and a lone surrogate (sent as the JSON escape ``\\ud800``): a 400 naming the field
(or the nesting), never a 500, and nothing is written.

Each operation has a base request that succeeds (checked below), so the bad value is the only
reason for the 400. A write operation added to the API without a base request here fails
``test_every_write_operation_is_covered``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

PLACEHOLDER = "@@BAD@@"
DEEP = "[" * 1000 + "]" * 1000
# How each bad value is written into the JSON text of a body (in place of "@@BAD@@", quotes included).
BAD_VALUES = {
    "deep": DEEP,
    "nul": json.dumps("before\u0000after"),
    "surrogate": '"before\\ud800after"',
}
WRITES = ("post", "put", "patch")
NO_BODY = {"evaluations_cancel_create", "evaluations_run_create", "experiments_cancel_create"}  # no body
NO_TEXT = {"datasets_split_create"}  # numbers only: no field can hold bad text (checked below)


@pytest.fixture
def seeded(
    user: Any, qa_program: Any, capitals_version: Any, stub_lm_config: dict[str, Any], openai_stub: Any
) -> dict[str, Any]:
    from programs.services import signature_create

    openai_stub.responder = lambda request: reply(answer="Paris")
    qa_program.create_alias("production", version=1)  # for the alias writes: one move to roll back
    qa_program.move_alias("production", version=1)
    from programs.services import program_execute

    return {
        "execution": program_execute(program=qa_program, inputs={"question": "q"}, user=user),
        "program": qa_program,
        "signature": signature_create(name="spare", spec="question -> answer", owner=user),
        "dataset": capitals_version.dataset,
        "dataset_version": capitals_version,
        "lm_config": stub_lm_config,
    }


def base_requests(s: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """operationId -> (path, a body that succeeds)."""
    program, dataset = s["program"].pk, s["dataset"].pk
    signature = s["signature"].pk
    program_body = {
        "name": "new-program",
        "description": "d",
        "signature": signature,
        "module_config": {},
        "lm_config": s["lm_config"],
    }
    return {
        "auth_token_create": ("/api/auth/token/", {"username": "ada", "password": "pw-ada-123"}),
        "credentials_create": (
            "/api/credentials/",
            {"endpoint": s["lm_config"]["endpoint"], "label": "mine", "api_key": "sk-test-key-1234"},
        ),
        "datasets_create": (
            "/api/datasets/",
            {"name": "new-dataset", "description": "d", "signature": signature},
        ),
        "datasets_update": (f"/api/datasets/{dataset}/", {"name": "renamed", "description": "d"}),
        "datasets_partial_update": (f"/api/datasets/{dataset}/", {"description": "d"}),
        "datasets_split_create": (
            f"/api/datasets/{dataset}/split/",
            {"seed": 1, "train": 0.6, "dev": 0.2, "test": 0.2},
        ),
        "evaluations_create": (
            "/api/evaluations/",
            {"program": program, "dataset": dataset, "split": "dev", "metrics": ["exact_match"]},
        ),
        "programs_create": ("/api/programs/", program_body),
        "programs_update": (f"/api/programs/{program}/", {**program_body, "name": "renamed"}),
        "programs_partial_update": (f"/api/programs/{program}/", {"description": "d"}),
        "programs_execute_create": (f"/api/programs/{program}/execute/", {"question": "Capital of France?"}),
        "programs_optimize_create": (
            f"/api/programs/{program}/optimize/",
            {
                "dataset_version": s["dataset_version"].pk,
                "optimizer": "bootstrap_few_shot",
                "optimizer_params": {},
                "metric": "exact_match",
                "train_split": "train",
                "val_split": "dev",
            },
        ),
        "programs_versions_create": (f"/api/programs/{program}/versions/", {"note": "n", "state": {}}),
        "executions_feedback_create": (
            f"/api/executions/{s['execution'].pk}/feedback/",
            {"score": 1.0, "label": "good", "comment": "c", "correction": {"answer": "Paris"}},
        ),
        "programs_aliases_create": (
            f"/api/programs/{program}/aliases/",
            {"name": "staging", "version": 1, "reason": "r"},
        ),
        "programs_aliases_update": (
            f"/api/programs/{program}/aliases/production/",
            {"version": 1, "reason": "r"},
        ),
        "programs_aliases_rollback_create": (
            f"/api/programs/{program}/aliases/production/rollback/",
            {"reason": "r"},
        ),
        "programs_validate_create": (
            f"/api/programs/{program}/validate/",
            {"inputs": {"question": "Capital of France?"}},
        ),
        "signatures_create": (
            "/api/signatures/",
            {"name": "new-signature", "spec": "question -> answer", "instructions": "i"},
        ),
        "signatures_update": (
            f"/api/signatures/{signature}/",
            {"name": "renamed", "spec": "question -> answer", "instructions": "i"},
        ),
        "signatures_partial_update": (f"/api/signatures/{signature}/", {"instructions": "i"}),
    }


METHODS = {"partial_update": "patch", "update": "put", "create": "post"}  # longest suffix first


def method_of(operation_id: str) -> str:
    for suffix, method in METHODS.items():
        if operation_id.endswith(suffix):
            return method
    raise AssertionError(operation_id)


def schema_writes(api: Any) -> dict[str, dict[str, Any]]:
    """operationId -> its request body schema (properties resolved) for every write operation."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    writes = {}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method not in WRITES:
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            body = next(iter(content.values()), {}).get("schema", {})
            properties = {name: resolve(value) for name, value in resolve(body).get("properties", {}).items()}
            writes[operation["operationId"]] = {"media": next(iter(content), None), "properties": properties}
    return writes


def text_fields(properties: dict[str, Any], base: dict[str, Any]) -> dict[str, str]:
    """Fields that can carry text -> how: ``str`` (the value), ``list`` (an item), ``dict`` (a value)."""
    kinds = {"string": "str", "array": "list", "object": "dict"}
    fields = {
        name: kinds[spec["type"]]
        for name, spec in properties.items()
        if spec.get("type") in kinds and not spec.get("readOnly") and spec.get("format") != "binary"
    }
    if not properties:  # execute: the body is the inputs themselves
        fields = {name: "str" for name in base}
    return fields


def body_text(base: dict[str, Any], field: str, how: str, bad: str) -> str:
    value: Any = {"str": PLACEHOLDER, "list": [PLACEHOLDER], "dict": {"key": PLACEHOLDER}}[how]
    if how == "dict" and isinstance(base.get(field), dict) and base[field]:
        value = {**base[field], next(iter(base[field])): PLACEHOLDER}
    return json.dumps({**base, field: value}).replace(json.dumps(PLACEHOLDER), bad)


def rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of the project's apps (and users and tokens), to compare before and after."""
    models = [model for label in ("programs", "datasets", "experiments", "evaluations", "authtoken", "auth")
              for model in apps.get_app_config(label).get_models()]  # fmt: skip
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def test_every_write_operation_is_covered(ada_api: Any, seeded: dict[str, Any]) -> None:
    writes = schema_writes(ada_api)
    multipart = {"datasets_import_create", "programs_import_create"}  # uploads: their own tests
    covered = set(base_requests(seeded)) | NO_BODY | multipart
    assert set(writes) == covered


OPERATIONS = [  # the keys of base_requests() (test_every_write_operation_is_covered checks them)
    "auth_token_create",
    "credentials_create",
    "datasets_create",
    "datasets_update",
    "datasets_partial_update",
    "datasets_split_create",
    "evaluations_create",
    "programs_create",
    "programs_update",
    "programs_partial_update",
    "programs_execute_create",
    "programs_optimize_create",
    "programs_versions_create",
    "programs_validate_create",
    "executions_feedback_create",
    "programs_aliases_create",
    "programs_aliases_update",
    "programs_aliases_rollback_create",
    "signatures_create",
    "signatures_update",
    "signatures_partial_update",
]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_the_base_request_succeeds(ada_api: Any, seeded: dict[str, Any], operation_id: str) -> None:
    path, body = base_requests(seeded)[operation_id]
    response = getattr(ada_api, method_of(operation_id))(path, body, format="json")
    assert response.status_code < 300, (operation_id, response.status_code, response.content[:500])


@pytest.mark.parametrize("operation_id", sorted(NO_TEXT))
def test_the_operations_without_text_fields_have_none(
    ada_api: Any, seeded: dict[str, Any], operation_id: str
) -> None:
    path, base = base_requests(seeded)[operation_id]
    assert text_fields(schema_writes(ada_api)[operation_id]["properties"], base) == {}
    deep = ada_api.post(path, DEEP, content_type="application/json")
    assert deep.status_code == 400 and "JSON nested deeper than 64 levels" in deep.json()["detail"]


@pytest.mark.parametrize("operation_id", [op for op in OPERATIONS if op not in NO_TEXT])
def test_bad_values_in_any_field_are_a_400_and_write_nothing(
    ada_api: Any, seeded: dict[str, Any], operation_id: str
) -> None:
    path, base = base_requests(seeded)[operation_id]
    fields = text_fields(schema_writes(ada_api)[operation_id]["properties"], base)
    assert fields, operation_id
    send: Callable[..., Any] = getattr(ada_api, method_of(operation_id))
    before = rows()
    for field, how in fields.items():
        for name, bad in BAD_VALUES.items():
            response = send(path, body_text(base, field, how, bad), content_type="application/json")
            where = f"{operation_id} {field} {name}"
            assert response.status_code == 400, (where, response.status_code, response.content[:300])
            body = response.json()
            if name == "deep":
                assert "JSON nested deeper than 64 levels" in body["detail"], where
            else:
                assert field in body, (where, body)
                message = " ".join(body[field])
                assert ("NUL character" if name == "nul" else "unpaired surrogate") in message, (where, body)
    assert rows() == before, operation_id


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"question": "a\\u0000b", "answer": "x"}', "NUL character"),
        ('{"question": "a\\ud800b", "answer": "x"}', "unpaired surrogate"),
        ('{"question": ' + DEEP + ', "answer": "x"}', "JSON nested deeper than 64 levels"),
        (
            '{"inputs": {"question": "q\\u0000"}, "labels": {"answer": "x"}}',
            "`inputs.question` contains a NUL",
        ),
    ],
    ids=["nul", "surrogate", "deep", "nul in a structured record"],
)
def test_an_import_with_bad_values_names_the_line_and_imports_nothing(
    ada_api: Any, seeded: dict[str, Any], line: str, expected: str
) -> None:
    dataset = seeded["dataset"]
    content = '{"question": "fine", "answer": "x"}\n' + line + "\n"
    before = rows()
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/",
        {"file": SimpleUploadedFile("examples.jsonl", content.encode())},
        format="multipart",
    )
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()["errors"]
    assert error["line"] == 2
    assert expected in error["message"]
    assert rows() == before


def test_a_nul_in_a_csv_cell_or_a_form_field_of_an_import_is_a_400(
    ada_api: Any, seeded: dict[str, Any]
) -> None:
    dataset = seeded["dataset"]
    before = rows()
    csv_file = SimpleUploadedFile("examples.csv", b"question,answer\nfine,x\nbad\x00cell,x\n")
    response = ada_api.post(f"/api/datasets/{dataset.pk}/import/", {"file": csv_file}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "line": 3,
            "field": "question",
            "message": "contains a NUL character (\\u0000), which cannot be stored",
        }
    ]
    jsonl = SimpleUploadedFile("examples.jsonl", b'{"question": "q", "answer": "x"}\n')
    response = ada_api.post(
        f"/api/datasets/{dataset.pk}/import/", {"file": jsonl, "split": "dev\x00"}, format="multipart"
    )
    assert response.status_code == 400
    assert "NUL character" in response.json()["split"][0]
    assert rows() == before
