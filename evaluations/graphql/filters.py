"""Filters of the evaluations app's connections."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet

from core.filter_fields import IsoDateTimeFilter
from core.graphql.filters import FloatFilter, NodeIDFilter
from evaluations.models import Evaluation, EvaluationResult

__all__ = ["EvaluationFilter", "EvaluationResultFilter"]


class EvaluationFilter(filters.FilterSet):
    status = filters.CharFilter(label="pending, running, succeeded, failed or cancelled")
    split = filters.CharFilter(label="train, dev or test")
    program = NodeIDFilter(field_name="program_version__program", type_name="Program")
    program_version = NodeIDFilter(field_name="program_version", type_name="ProgramVersion")
    dataset = NodeIDFilter(field_name="dataset_version__dataset", type_name="Dataset")
    dataset_version = NodeIDFilter(field_name="dataset_version", type_name="DatasetVersion")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("created_at", "score", "id"))

    class Meta:
        model = Evaluation
        fields: list[str] = []


class EvaluationResultFilter(filters.FilterSet):
    evaluation = NodeIDFilter(field_name="evaluation", type_name="Evaluation")
    min_score = FloatFilter(field_name="score", lookup_expr="gte")
    max_score = FloatFilter(field_name="score", lookup_expr="lte")
    failed = filters.BooleanFilter(
        method="filter_failed", label="Only results with (true) or without an error"
    )
    order_by = filters.OrderingFilter(fields=("score", "latency_ms", "created_at", "id"))

    class Meta:
        model = EvaluationResult
        fields: list[str] = []

    def filter_failed(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return queryset
        return queryset.exclude(error="") if value else queryset.filter(error="")
