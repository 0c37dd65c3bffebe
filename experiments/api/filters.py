"""Filters of the experiments API."""

from __future__ import annotations

import django_filters

from core.filter_fields import IdFilter
from core.runs import RunStatus
from experiments.models import Experiment

__all__ = ["ExperimentFilter"]


class ExperimentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    program = IdFilter(field_name="program_version__program_id")
    program_version = IdFilter(field_name="program_version_id")
    dataset = IdFilter(field_name="dataset_version__dataset_id")
    dataset_version = IdFilter(field_name="dataset_version_id")
    optimizer = django_filters.CharFilter()

    class Meta:
        model = Experiment
        fields = ["status", "program", "program_version", "dataset", "dataset_version", "optimizer"]
