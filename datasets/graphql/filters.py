"""Filters of the datasets app's connections."""

from __future__ import annotations

import django_filters as filters

from core.filter_fields import IsoDateTimeFilter
from core.graphql.filters import IntFilter, NodeIDFilter
from datasets.models import Dataset, DatasetVersion, Example

__all__ = ["DatasetFilter", "DatasetVersionFilter", "ExampleFilter"]


class DatasetFilter(filters.FilterSet):
    name = filters.CharFilter(label="Exactly this name")
    name_contains = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    signature = NodeIDFilter(field_name="signature", type_name="Signature")
    owner = filters.CharFilter(field_name="owner__username", label="Owner's username (staff see all)")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("name", "created_at", "updated_at", "id"))

    class Meta:
        model = Dataset
        fields: list[str] = []


class DatasetVersionFilter(filters.FilterSet):
    dataset = NodeIDFilter(field_name="dataset", type_name="Dataset")
    number = IntFilter(field_name="number")
    content_hash = filters.CharFilter()
    order_by = filters.OrderingFilter(fields=("number", "created_at", "id"))

    class Meta:
        model = DatasetVersion
        fields: list[str] = []


class ExampleFilter(filters.FilterSet):
    version = NodeIDFilter(field_name="version", type_name="DatasetVersion")
    dataset = NodeIDFilter(field_name="version__dataset", type_name="Dataset")
    split = filters.CharFilter(label="train, dev or test")
    order_by = filters.OrderingFilter(fields=("position", "id"))

    class Meta:
        model = Example
        fields: list[str] = []
