"""Fixtures of the GraphQL tests.

- ``graphql``: run operations as ``user`` (session); ``graphql_as(user_or_None, **headers)`` as
  anyone (``None``: anonymous), e.g. with ``HTTP_AUTHORIZATION="Token ..."``;
- ``gid(row)``: the relay global ID of a row;
- ``make_program(owner, name)``: a program over a fresh ``question -> answer`` signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from graphql_relay import to_global_id


def gid(row: Any) -> str:
    """The relay global ID of a model row (its GraphQL type is named like its model)."""
    return to_global_id(type(row).__name__, row.pk)


@dataclass
class Result:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        assert "errors" not in self.body, self.body
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors", [])


class GraphQLClient:
    def __init__(self, client: Client, headers: dict[str, str]):
        self.client = client
        self.headers = headers

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> Result:
        response = self.client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            **self.headers,
        )
        return Result(response.status_code, json.loads(response.content))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Users are created in most tests; PBKDF2 would make each one cost ~0.3 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_throttle_cache() -> Iterator[None]:
    """The execute throttle counts in the cache: every test starts with a fresh budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def graphql_as(db: Any) -> Callable[..., GraphQLClient]:
    def make(user: Any = None, **headers: str) -> GraphQLClient:
        client = Client()
        if user is not None:
            client.force_login(user)
        return GraphQLClient(client, headers)

    return make


@pytest.fixture
def graphql(graphql_as: Callable[..., GraphQLClient], user: Any) -> GraphQLClient:
    return graphql_as(user)


@pytest.fixture
def staff_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="root", password="pw-root-123", is_staff=True)


@pytest.fixture
def make_program(stub_lm_config: dict[str, Any]) -> Callable[..., Any]:
    from programs.services import program_create, signature_create

    def make(owner: Any, name: str, **options: Any) -> Any:
        signature = signature_create(name=f"{name}-sig", spec="question -> answer", owner=owner)
        return program_create(
            name=name, signature=signature, lm_config=stub_lm_config, owner=owner, **options
        )

    return make


@pytest.fixture
def make_rows(make_program: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """``make_rows(owner, prefix)``: one row of every resource, owned by ``owner``."""
    from datasets.services import dataset_create, dataset_version_create
    from evaluations.models import EvaluationResult
    from evaluations.services import evaluation_create
    from experiments.models import Trial
    from experiments.services import experiment_create
    from programs.models import Execution, LMCallTrace

    def make(owner: Any, prefix: str) -> dict[str, Any]:
        program = make_program(owner, f"{prefix}-program")
        version = program.current_version
        execution = Execution.objects.create(
            program_version=version,
            inputs={"question": "q"},
            outputs={"answer": "a"},
            status=Execution.Status.SUCCEEDED,
            latency_ms=12.5,
            prompt_tokens=10,
            completion_tokens=2,
            created_by=owner,
        )
        trace = LMCallTrace.objects.create(
            execution=execution,
            position=0,
            model="openai/stub-model",
            messages=[{"role": "user", "content": "q"}],
            params={"temperature": 0.0},
            outputs=["[[ ## answer ## ]]\na"],
            usage={"prompt_tokens": 10, "completion_tokens": 2},
        )
        dataset = dataset_create(name=f"{prefix}-dataset", signature=program.signature, owner=owner)
        dataset_version = dataset_version_create(
            dataset=dataset,
            examples=[("dev", {"question": "q1"}, {"answer": "a1"})],
            created_by=owner,
        )
        example = dataset_version.examples.get()
        experiment = experiment_create(
            program_version=version,
            dataset_version=dataset_version,
            optimizer="BootstrapFewShot",
            owner=owner,
        )
        trial = Trial.objects.create(experiment=experiment, candidate="c0", score=0.5)
        evaluation = evaluation_create(program_version=version, dataset_version=dataset_version, owner=owner)
        result = EvaluationResult.objects.create(
            evaluation=evaluation, example=example, prediction={"answer": "a1"}, score=1.0
        )
        return {
            "signatures": program.signature,
            "programs": program,
            "programVersions": version,
            "executions": execution,
            "lmCallTraces": trace,
            "datasets": dataset,
            "datasetVersions": dataset_version,
            "examples": example,
            "experiments": experiment,
            "trials": trial,
            "evaluations": evaluation,
            "evaluationResults": result,
        }

    return make
