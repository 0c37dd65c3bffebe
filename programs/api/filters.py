"""Filters of the programs API (``?module_type=predict&backend=auto&signature=3`` ...)."""

from __future__ import annotations

import django_filters

from core.filter_fields import IdFilter, IsoDateTimeFilter
from programs.models import Execution, Program, ProgramVersion, Signature
from programs.module_types import module_type_choices

__all__ = ["ExecutionFilter", "ProgramFilter", "ProgramVersionFilter", "SignatureFilter"]


class SignatureFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    owner = django_filters.CharFilter(field_name="owner__username", help_text="Username (staff)")

    class Meta:
        model = Signature
        fields = ["name", "owner"]


class ProgramFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    module_type = django_filters.ChoiceFilter(choices=module_type_choices)
    backend = django_filters.ChoiceFilter(choices=Program.Backend.choices)
    signature = IdFilter(field_name="signature_id")
    owner = django_filters.CharFilter(field_name="owner__username", help_text="Username (staff)")

    class Meta:
        model = Program
        fields = ["name", "module_type", "backend", "signature", "owner"]


class ProgramVersionFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=ProgramVersion.Source.choices)

    class Meta:
        model = ProgramVersion
        fields = ["source"]


class ExecutionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Execution.Status.choices)
    program = IdFilter(field_name="program_version__program_id")
    program_version = IdFilter(field_name="program_version_id")
    version = IdFilter(field_name="program_version__number", help_text="Version number (with program=)")
    backend = django_filters.CharFilter()
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Execution
        fields = ["status", "program", "program_version", "version", "backend"]
