"""Every list endpoint makes the same number of SQL queries for 5 rows as for 50 (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.services import dataset_create, dataset_version_create
from evaluations.services import evaluation_create, evaluation_result_record, evaluation_start
from experiments.services import experiment_create, experiment_start, trial_record
from programs.models import Execution
from programs.services import program_create, program_version_create, signature_create

pytestmark = pytest.mark.django_db


class World:
    """Adds rows of one kind, owned by ``user``; ``url`` lists them."""

    def __init__(self, user: Any, stub_lm_config: dict[str, Any]):
        self.user = user
        self.signature = signature_create(name="base", spec="question -> answer", owner=user)
        self.program = program_create(
            name="base", signature=self.signature, lm_config=stub_lm_config, owner=user
        )
        self.dataset = dataset_create(name="base", signature=self.signature, owner=user)
        self.count = 0

    def examples(self, n: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        return [("dev", {"question": f"q{i}"}, {"answer": f"a{i}"}) for i in range(n)]

    def dataset_version(self, n: int = 1) -> Any:
        return dataset_version_create(dataset=self.dataset, examples=self.examples(n), created_by=self.user)

    def next_name(self) -> str:
        self.count += 1
        return f"row-{self.count}"


def signatures(world: World, n: int) -> str:
    for _ in range(n):
        signature_create(name=world.next_name(), spec="a, b: int -> c: list[str]", owner=world.user)
    return "/api/signatures/"


def programs(world: World, n: int) -> str:
    for _ in range(n):
        program_create(name=world.next_name(), signature=world.signature, owner=world.user)
    return "/api/programs/"


def program_versions(world: World, n: int) -> str:
    for _ in range(n):
        program_version_create(program=world.program, state=None, created_by=world.user)
    return f"/api/programs/{world.program.pk}/versions/"


def executions(world: World, n: int) -> str:
    for _ in range(n):
        program_version = program_version_create(program=world.program, state=None)
        Execution.objects.create(
            program_version=program_version, inputs={"question": "q"}, created_by=world.user
        )
    return "/api/executions/"


def datasets(world: World, n: int) -> str:
    for _ in range(n):
        dataset = dataset_create(name=world.next_name(), signature=world.signature, owner=world.user)
        dataset_version_create(dataset=dataset, examples=world.examples(1), created_by=world.user)
    return "/api/datasets/"


def dataset_versions(world: World, n: int) -> str:
    for _ in range(n):
        world.dataset_version()
    return f"/api/datasets/{world.dataset.pk}/versions/"


def examples(world: World, n: int) -> str:
    version = world.dataset_version(n)  # a fresh version per call: all its rows are listed
    return f"/api/datasets/{world.dataset.pk}/versions/{version.number}/examples/"


def experiments(world: World, n: int) -> str:
    version = world.dataset_version()
    for _ in range(n):
        program_version = program_version_create(program=world.program, state=None)
        experiment = experiment_create(
            program_version=program_version, dataset_version=version, optimizer="X", owner=world.user
        )
        experiment_start(experiment=experiment)
    return "/api/experiments/"


def trials(world: World, n: int) -> str:
    if not hasattr(world, "experiment"):
        world.experiment = experiment_create(
            program_version=world.program.current_version,
            dataset_version=world.dataset_version(),
            optimizer="X",
            owner=world.user,
        )
        experiment_start(experiment=world.experiment)
    for _ in range(n):
        trial_record(experiment=world.experiment, candidate=world.next_name(), score=0.5)
    return f"/api/experiments/{world.experiment.pk}/trials/"


def evaluations(world: World, n: int) -> str:
    version = world.dataset_version(2)
    for _ in range(n):
        program_version = program_version_create(program=world.program, state=None)
        evaluation_create(program_version=program_version, dataset_version=version, owner=world.user)
    return "/api/evaluations/"


def results(world: World, n: int) -> str:
    version = world.dataset_version(n)  # a fresh evaluation per call: all its rows are listed
    evaluation = evaluation_create(
        program_version=world.program.current_version, dataset_version=version, owner=world.user
    )
    evaluation_start(evaluation=evaluation)
    for example in version.examples.all():
        evaluation_result_record(
            evaluation=evaluation, example=example, prediction={"answer": "a"}, score=1.0
        )
    return f"/api/evaluations/{evaluation.pk}/results/"


BUILDERS: list[Callable[[World, int], str]] = [
    signatures, programs, program_versions, executions, datasets, dataset_versions, examples,
    experiments, trials, evaluations, results,
]  # fmt: skip


def queries_for(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_the_query_count_is_the_same_for_5_and_50_rows(ada_api, user, stub_lm_config, build):
    world = World(user, stub_lm_config)
    few, few_rows = queries_for(ada_api, build(world, 5))
    many, many_rows = queries_for(ada_api, build(world, 45 if build not in (examples, results) else 50))
    assert many_rows >= 50 > few_rows >= 5
    assert many == few, f"{build.__name__}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert few <= 6


def test_an_execution_detail_loads_its_trace_and_its_feedback_in_one_more_query_each(
    ada_api, qa_program, django_user_model
):
    from programs.models import ExecutionFeedback, LMCallTrace

    execution = Execution.objects.create(program_version=qa_program.current_version, inputs={})
    LMCallTrace.objects.bulk_create(
        LMCallTrace(execution=execution, position=i, model="m", messages=[], outputs=["x"]) for i in range(20)
    )
    for i in range(5):
        rater = django_user_model.objects.create_user(username=f"rater{i}")
        ExecutionFeedback.objects.create(execution=execution, user=rater, score=i / 4)
    with CaptureQueriesContext(connection) as captured:
        body = ada_api.get(f"/api/executions/{execution.pk}/").json()
    assert len(body["lm_calls"]) == 20
    assert sorted(f["user"] for f in body["feedback"]) == [f"rater{i}" for i in range(5)]
    assert len(captured) == 3  # the execution, its LM calls, its feedback (with the raters)
