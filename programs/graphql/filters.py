"""Filters of the programs app's connections (arguments of ``signatures``, ``programs``, ...)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet

from core.filter_fields import IsoDateTimeFilter
from core.graphql.filters import IntFilter, NodeIDFilter
from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature

__all__ = ["ExecutionFilter", "LMCallTraceFilter", "ProgramFilter", "ProgramVersionFilter", "SignatureFilter"]


def _search(fields: tuple[str, ...]) -> Any:
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    return method


class SignatureFilter(filters.FilterSet):
    name = filters.CharFilter(label="Exactly this name")
    name_contains = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    search = filters.CharFilter(
        method=_search(("name", "spec", "instructions")), label="Name, spec or instructions contain"
    )
    owner = filters.CharFilter(field_name="owner__username", label="Owner's username (staff see all)")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("name", "created_at", "updated_at", "id"))

    class Meta:
        model = Signature
        fields: list[str] = []


class ProgramFilter(filters.FilterSet):
    name = filters.CharFilter(label="Exactly this name")
    name_contains = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    search = filters.CharFilter(method=_search(("name", "description")), label="Name or description contain")
    signature = NodeIDFilter(field_name="signature", type_name="Signature")
    module_type = filters.CharFilter(label="predict, chain_of_thought, ...")
    backend = filters.CharFilter(label="auto, native or dspy")
    owner = filters.CharFilter(field_name="owner__username", label="Owner's username (staff see all)")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("name", "created_at", "updated_at", "id"))

    class Meta:
        model = Program
        fields: list[str] = []


class ProgramVersionFilter(filters.FilterSet):
    program = NodeIDFilter(field_name="program", type_name="Program")
    number = IntFilter(field_name="number")
    source = filters.CharFilter(label="manual, experiment or import")
    order_by = filters.OrderingFilter(fields=("number", "created_at", "id"))

    class Meta:
        model = ProgramVersion
        fields: list[str] = []


class ExecutionFilter(filters.FilterSet):
    program = NodeIDFilter(field_name="program_version__program", type_name="Program")
    program_version = NodeIDFilter(field_name="program_version", type_name="ProgramVersion")
    status = filters.CharFilter(label="pending, running, succeeded or failed")
    backend = filters.CharFilter()
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    order_by = filters.OrderingFilter(fields=("created_at", "latency_ms", "cost", "id"))

    class Meta:
        model = Execution
        fields: list[str] = []


class LMCallTraceFilter(filters.FilterSet):
    execution = NodeIDFilter(field_name="execution", type_name="Execution")
    model = filters.CharFilter()
    cache_hit = filters.BooleanFilter()
    order_by = filters.OrderingFilter(fields=("created_at", "position", "latency_ms", "id"))

    class Meta:
        model = LMCallTrace
        fields: list[str] = []
