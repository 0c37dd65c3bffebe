"""``startEvaluation``: create an evaluation and queue its run (Celery); it comes back pending."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from core.users import Caller
from datasets.graphql.types import DatasetType, DatasetVersionType
from evaluations.graphql.types import EvaluationType
from evaluations.services import evaluation_create, evaluation_enqueue
from programs.graphql.types import ProgramType, ProgramVersionType

__all__ = ["StartEvaluation", "StartEvaluationInput"]


class StartEvaluationInput(graphene.InputObjectType):
    program = graphene.ID(required=True, description="The program to evaluate")
    program_version = graphene.ID(description="One of its versions (default: the current one)")
    dataset = graphene.ID(required=True, description="The dataset to evaluate on")
    dataset_version = graphene.ID(description="One of its versions (default: the latest)")
    split = graphene.String(description="train, dev (default) or test")
    metrics = JSON(
        description='Metric names or specs (default ["exact_match"]), e.g. ["exact_match", '
        '{"name": "f1", "field": "answer"}]; the first is the main score'
    )
    concurrency = graphene.Int(description="Examples in flight at once (default 8)")
    limit = graphene.Int(description="Only the first N examples of the split")


def _version(
    user: Caller | None, global_id: str | None, node_type: Any, field: str, parent: Any, parent_key: str
) -> Any:
    if global_id is None:
        return None
    version = get_visible_or_error(node_type, global_id, user=user, field=field)
    if getattr(version, parent_key) != parent.pk:
        raise ValidationError(
            {field: ValidationError(f"{global_id!r} is not a version of {parent}", code="invalid")}
        )
    return version


class StartEvaluation(BaseMutation):
    evaluation = graphene.Field(EvaluationType, description="The evaluation: query it by ID to follow it")

    class Arguments:
        input = StartEvaluationInput(required=True)

    class Meta:
        description = (
            "Create an evaluation and queue its run: a worker runs the program version on every example "
            "of the split and records one result per example. Bad input is an error naming the field "
            "(program, programVersion, dataset, datasetVersion, split, metrics, concurrency, limit); "
            "nothing is queued then."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> StartEvaluation:
        program = get_visible_or_error(ProgramType, input["program"], user=user, field="program")
        dataset = get_visible_or_error(DatasetType, input["dataset"], user=user, field="dataset")
        program_version = (
            _version(
                user,
                input.get("program_version"),
                ProgramVersionType,
                "program_version",
                program,
                "program_id",
            )
            or program.current_version
        )
        dataset_version = (
            _version(
                user,
                input.get("dataset_version"),
                DatasetVersionType,
                "dataset_version",
                dataset,
                "dataset_id",
            )
            or dataset.versions.order_by("-number").first()
        )
        if program_version is None:
            raise ValidationError({"program": f"program {program.name!r} has no version to evaluate"})
        if dataset_version is None:
            raise ValidationError(
                {"dataset": f"dataset {dataset.name!r} has no versions yet: import examples first"}
            )
        with transaction.atomic():
            evaluation = evaluation_create(
                program_version=program_version,
                dataset_version=dataset_version,
                split=input.get("split") or "dev",
                metrics=input.get("metrics"),
                concurrency=input.get("concurrency"),
                limit=input.get("limit"),
                owner=user,
            )
            evaluation_enqueue(evaluation=evaluation)
        evaluation.refresh_from_db()  # without a broker the task runs once the transaction commits
        return cls(evaluation=evaluation)
