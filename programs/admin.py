"""Admin for signatures, programs, versions (read-only), executions and their LM call traces."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature


class ReadOnlyAdminMixin:
    """Rows written by services only: viewable, never added or edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("name", "spec", "owner", "updated_at")
    list_filter = ("created_at", "updated_at")
    search_fields = ("name", "spec", "instructions")
    list_select_related = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("owner",)


class ProgramVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProgramVersion
    fields = ("number", "source", "parent", "note", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("-number",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "signature",
        "module_type",
        "backend",
        "lm_model",
        "current_version",
        "owner",
        "updated_at",
    )
    list_filter = ("module_type", "backend", "created_at")
    search_fields = ("name", "description", "signature__name")
    list_select_related = ("signature", "current_version", "owner")
    readonly_fields = ("current_version", "created_at", "updated_at")
    raw_id_fields = ("signature", "owner")
    inlines = [ProgramVersionInline]

    @admin.display(description="LM")
    def lm_model(self, obj: Program) -> str:
        return (obj.lm_config or {}).get("model") or "(default)"

    def save_model(self, request: HttpRequest, obj: Program, form: Any, change: bool) -> None:
        from programs.services import program_version_create

        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
        if not change:
            program_version_create(program=obj, state=None, created_by=request.user, note="Initial version")


@admin.register(ProgramVersion)
class ProgramVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "program", "number", "source", "parent", "created_by", "created_at")
    list_filter = ("source", "created_at")
    search_fields = ("program__name", "note")
    list_select_related = ("program", "parent__program", "created_by")


class LMCallTraceInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = LMCallTrace
    fields = ("position", "model", "latency_ms", "cache_hit", "usage", "cost", "messages", "outputs")
    readonly_fields = fields
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Execution)
class ExecutionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "program_version", "status", "latency_ms", "prompt_tokens", "completion_tokens", "cost",
        "backend", "created_by", "created_at",
    )  # fmt: skip
    list_filter = ("status", "backend", "created_at")
    search_fields = ("program_version__program__name", "error")
    list_select_related = ("program_version__program", "created_by")
    date_hierarchy = "created_at"
    inlines = [LMCallTraceInline]


@admin.register(LMCallTrace)
class LMCallTraceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("execution", "position", "model", "latency_ms", "cache_hit", "cost", "created_at")
    list_filter = ("cache_hit", "model")
    search_fields = ("model", "execution__program_version__program__name")
    list_select_related = ("execution__program_version__program",)
