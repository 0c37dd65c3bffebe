"""Admin for datasets, their versions (read-only) and examples (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from datasets.models import Dataset, DatasetVersion, Example
from programs.admin import ReadOnlyAdminMixin


class DatasetVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DatasetVersion
    fields = ("number", "train_count", "dev_count", "test_count", "content_hash", "source", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("-number",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "signature", "owner", "created_at", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("name", "description", "signature__name")
    list_select_related = ("signature", "owner")
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("signature", "owner")
    inlines = [DatasetVersionInline]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "dataset",
        "number",
        "train_count",
        "dev_count",
        "test_count",
        "short_hash",
        "created_at",
    )
    list_filter = ("created_at",)
    search_fields = ("dataset__name", "content_hash", "source")
    list_select_related = ("dataset",)

    @admin.display(description="content hash")
    def short_hash(self, obj: DatasetVersion) -> str:
        return obj.content_hash[:12]


@admin.register(Example)
class ExampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "split", "position", "inputs", "labels")
    list_filter = ("split",)
    search_fields = ("version__dataset__name",)
    list_select_related = ("version__dataset",)
