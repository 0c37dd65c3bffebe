"""GraphQL types of the evaluations app: evaluations, their results (a filterable nested
connection) and the comparison of two evaluations."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphene_django.fields import DjangoConnectionField
from graphql import GraphQLResolveInfo

from core.graphql.filters import FilterConnectionField
from core.graphql.scalars import JSON
from core.graphql.types import CountableConnection, VisibleNode
from core.users import Caller
from evaluations import selectors
from evaluations.graphql.filters import EvaluationResultFilter
from evaluations.models import Evaluation, EvaluationResult
from evaluations.selectors import Comparison, ComparisonRow

__all__ = [
    "ComparisonRowConnection",
    "ComparisonRowType",
    "EvaluationComparisonType",
    "EvaluationResultType",
    "EvaluationType",
    "NestedFilterConnectionField",
]


class NestedFilterConnectionField(FilterConnectionField):
    """A nested filtered connection that applies its filterset only when a filter argument is
    given: unfiltered, the rows prefetched for the parent list are served as they are (constant
    queries); filtered, it costs one query per parent."""

    @classmethod
    def resolve_queryset(
        cls,
        connection: Any,
        iterable: Any,
        info: GraphQLResolveInfo,
        args: dict[str, Any],
        filtering_args: Any,
        filterset_class: Any,
    ) -> Any:
        if all(args.get(name) is None for name in filtering_args):
            return DjangoConnectionField.resolve_queryset.__func__(cls, connection, iterable, info, args)
        return super().resolve_queryset(connection, iterable, info, args, filtering_args, filterset_class)


class EvaluationResultType(VisibleNode):
    """The prediction and score of one example in an evaluation."""

    prediction = JSON(description="Output field values (null when the example failed)")
    metric_scores = JSON(required=True, description="Every metric's score, by name (0..1)")

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
            "metric_scores",
            "error",
            "latency_ms",
            "prompt_tokens",
            "completion_tokens",
            "cost",
            "created_at",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[EvaluationResult]:
        return selectors.evaluation_result_list_for_user(user=user)


class EvaluationType(VisibleNode):
    """A scored run of a program version over one split of a dataset version."""

    status = graphene.String(required=True, description="pending, running, succeeded, failed or cancelled")
    split = graphene.String(required=True, description="train, dev or test")
    metrics = JSON(
        required=True, description='Metric names or specs, e.g. ["exact_match"]; the first is the main one'
    )
    metric_scores = JSON(required=True, description="Mean of each metric over the examples done (0..1)")
    progress = graphene.Float(description="Fraction of examples done, when their number is known")
    results = NestedFilterConnectionField(
        EvaluationResultType,
        filterset_class=EvaluationResultFilter,
        description="One result per example; filter with failed, minScore, maxScore",
    )

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
            "concurrency",
            "limit",
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
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Evaluation]:
        return selectors.evaluation_list(user=user)

    @staticmethod
    def resolve_results(root: Evaluation, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        return root.results.all()


class ComparisonRowType(graphene.ObjectType):
    """One example of two evaluations: ``score`` is the compared evaluation's (``b``),
    ``baselineScore`` the baseline's (``a``); a failed example scores 0, a missing one is null."""

    example_id = graphene.ID(required=True, description="The ID of the Example")
    position = graphene.Int(required=True)
    inputs = JSON(required=True)
    labels = JSON(required=True)
    change = graphene.String(required=True, description="improved, regressed, unchanged or missing")
    score = graphene.Float()
    baseline_score = graphene.Float()
    delta = graphene.Float(description="score - baselineScore")
    prediction = JSON()
    baseline_prediction = JSON()
    error = graphene.String(required=True)
    baseline_error = graphene.String(required=True)

    @staticmethod
    def resolve_example_id(root: ComparisonRow, info: GraphQLResolveInfo) -> str:
        global_id: str = relay.Node.to_global_id("Example", root.example_id)
        return global_id


class _CountedListConnectionField(relay.ConnectionField):
    """A connection over a Python list that knows the list's length (for ``totalCount``)."""

    @classmethod
    def resolve_connection(cls, connection_type: Any, args: Any, resolved: Any) -> Any:
        connection = super().resolve_connection(connection_type, args, resolved)
        connection.length = len(resolved)
        return connection


class ComparisonRowConnection(relay.Connection):
    class Meta:
        node = ComparisonRowType

    total_count = graphene.Int(required=True, description="Rows matching the filter, all pages together.")

    @staticmethod
    def resolve_total_count(root: Any, info: GraphQLResolveInfo) -> int:
        count: int = root.length  # set by _CountedListConnectionField
        return count


class EvaluationComparisonType(graphene.ObjectType):
    """Evaluation ``b`` against the baseline ``a``, example by example, on the main score."""

    baseline = graphene.Field(EvaluationType, required=True, description="a")
    evaluation = graphene.Field(EvaluationType, required=True, description="b")
    improved = graphene.Int(required=True, description="Examples scoring higher in b than in a")
    regressed = graphene.Int(required=True, description="Examples scoring lower in b than in a")
    unchanged = graphene.Int(required=True)
    missing = graphene.Int(required=True, description="Examples with a result in only one of the two")
    rows = _CountedListConnectionField(
        ComparisonRowConnection, change=graphene.String(description="Only improved, regressed, ...")
    )

    @staticmethod
    def resolve_rows(
        root: Comparison, info: GraphQLResolveInfo, change: str | None = None, **kwargs: Any
    ) -> list[ComparisonRow]:
        return root.filtered(change)
