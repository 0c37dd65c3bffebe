"""GraphQL types of the experiments app."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.scalars import JSON, redact_credentials
from core.graphql.types import CountableConnection, VisibleNode
from core.users import Caller
from experiments import selectors
from experiments.models import Experiment, Trial

__all__ = ["ExperimentType", "TrialType"]


class ExperimentType(VisibleNode):
    """An optimize run: a program version, a dataset version, an optimizer and its progress."""

    status = graphene.String(required=True, description="pending, running, succeeded, failed or cancelled")
    optimizer_params = JSON(required=True)
    score_trajectory = JSON(required=True, description="Best score after each trial")
    progress = graphene.Float(description="Fraction of trials done, when their number is known")

    class Meta:
        model = Experiment
        name = "Experiment"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "program_version",
            "dataset_version",
            "optimizer",
            "optimizer_params",
            "metric",
            "train_split",
            "val_split",
            "promote",
            "evaluate_baseline",
            "status",
            "trials_done",
            "trials_total",
            "baseline_score",
            "best_score",
            "score_trajectory",
            "result_version",
            "attempts",
            "error",
            "owner",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
            "trials",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Experiment]:
        return selectors.experiment_list(user=user)

    @staticmethod
    def resolve_optimizer_params(root: Experiment, info: GraphQLResolveInfo) -> Any:
        return redact_credentials(root.optimizer_params or {})


class TrialType(VisibleNode):
    """One candidate program scored during an experiment."""

    details = JSON(required=True)

    class Meta:
        model = Trial
        name = "Trial"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("id", "experiment", "candidate", "kind", "score", "details", "created_at")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Trial]:
        return selectors.trial_list_for_user(user=user)
