"""GraphQL types of the evaluations app."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay

from dspex_project.graphql.scalars import JSON
from dspex_project.graphql.types import CountableConnection, VisibleNode
from evaluations import selectors
from evaluations.models import Evaluation, EvaluationResult

__all__ = ["EvaluationResultType", "EvaluationType"]


class EvaluationType(VisibleNode):
    """A scored run of a program version over one split of a dataset version."""

    status = graphene.String(required=True, description="pending, running, succeeded, failed or cancelled")
    split = graphene.String(required=True, description="train, dev or test")
    metrics = JSON(required=True, description='Metric names or specs, e.g. ["exact_match"]')
    metric_scores = JSON(required=True, description="Aggregate score per metric")
    progress = graphene.Float(description="Fraction of examples done, when their number is known")

    class Meta:
        model = Evaluation
        name = "Evaluation"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "program_version",
            "dataset_version",
            "split",
            "metrics",
            "status",
            "examples_done",
            "examples_total",
            "score",
            "metric_scores",
            "prompt_tokens",
            "completion_tokens",
            "cost",
            "error",
            "owner",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
            "results",
        )

    @classmethod
    def visible_queryset(cls, *, user: Any) -> QuerySet:
        return selectors.evaluation_list(user=user)


class EvaluationResultType(VisibleNode):
    """The prediction and score of one example in an evaluation."""

    prediction = JSON(description="Output field values (null when the example failed)")

    class Meta:
        model = EvaluationResult
        name = "EvaluationResult"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "evaluation",
            "example",
            "prediction",
            "score",
            "error",
            "latency_ms",
            "prompt_tokens",
            "completion_tokens",
            "cost",
            "created_at",
        )

    @classmethod
    def visible_queryset(cls, *, user: Any) -> QuerySet:
        return selectors.evaluation_result_list_for_user(user=user)
