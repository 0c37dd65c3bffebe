"""Filters of the experiments app's connections."""

from __future__ import annotations

import django_filters as filters

from core.filter_fields import IsoDateTimeFilter
from core.graphql.filters import FloatFilter, NodeIDFilter
from experiments.models import Experiment, Trial

__all__ = ["ExperimentFilter", "TrialFilter"]


class ExperimentFilter(filters.FilterSet):
    status = filters.CharFilter(label="pending, running, succeeded, failed or cancelled")
    optimizer = filters.CharFilter()
    program = NodeIDFilter(field_name="program_version__program", type_name="Program")
    program_version = NodeIDFilter(field_name="program_version", type_name="ProgramVersion")
    dataset = NodeIDFilter(field_name="dataset_version__dataset", type_name="Dataset")
    dataset_version = NodeIDFilter(field_name="dataset_version", type_name="DatasetVersion")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("created_at", "best_score", "id"))

    class Meta:
        model = Experiment
        fields: list[str] = []


class TrialFilter(filters.FilterSet):
    experiment = NodeIDFilter(field_name="experiment", type_name="Experiment")
    min_score = FloatFilter(field_name="score", lookup_expr="gte")
    order_by = filters.OrderingFilter(fields=("created_at", "score", "id"))

    class Meta:
        model = Trial
        fields: list[str] = []
