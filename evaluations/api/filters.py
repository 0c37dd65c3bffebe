"""Filters of the evaluations API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from core.filter_fields import FiniteNumberFilter, IdFilter
from core.runs import RunStatus
from datasets.models import Split
from evaluations.models import Evaluation, EvaluationResult

__all__ = ["EvaluationFilter", "EvaluationResultFilter"]


class EvaluationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    program = IdFilter(field_name="program_version__program_id")
    program_version = IdFilter(field_name="program_version_id")
    dataset = IdFilter(field_name="dataset_version__dataset_id")
    dataset_version = IdFilter(field_name="dataset_version_id")
    split = django_filters.ChoiceFilter(choices=Split.choices)

    class Meta:
        model = Evaluation
        fields = ["status", "program", "program_version", "dataset", "dataset_version", "split"]


class EvaluationResultFilter(django_filters.FilterSet):
    failed = django_filters.BooleanFilter(method="filter_failed", help_text="Only results with an error")
    min_score = FiniteNumberFilter(field_name="score", lookup_expr="gte")
    max_score = FiniteNumberFilter(field_name="score", lookup_expr="lte")

    class Meta:
        model = EvaluationResult
        fields = ["failed", "min_score", "max_score"]

    def filter_failed(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.exclude(error="") if value else queryset.filter(error="")
