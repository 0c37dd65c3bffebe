"""Filters of the datasets API."""

from __future__ import annotations

import django_filters

from core.filter_fields import IdFilter
from datasets.models import Dataset, Example, Split

__all__ = ["DatasetFilter", "ExampleFilter"]


class DatasetFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    signature = IdFilter(field_name="signature_id")
    owner = django_filters.CharFilter(field_name="owner__username", help_text="Username (staff)")

    class Meta:
        model = Dataset
        fields = ["name", "signature", "owner"]


class ExampleFilter(django_filters.FilterSet):
    split = django_filters.ChoiceFilter(choices=Split.choices)

    class Meta:
        model = Example
        fields = ["split"]
