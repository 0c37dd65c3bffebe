"""Admin for datasets, their versions (read-only) and examples (read-only).

A dataset's page shows the examples of its latest version (paginated, read-only) and links to an
upload page (``<id>/upload/``) that imports a JSONL or CSV file as a new version through
``dataset_import``: every bad line is listed and nothing is half-imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from actions.admin import ActionsAdminMixin
from core.ownership import authenticated_or_none
from core.parsers import max_upload_bytes
from core.users import Caller
from datasets.errors import DatasetImportError
from datasets.models import Dataset, DatasetVersion, Example, Split
from datasets.selectors import dataset_version_latest, example_list
from datasets.services import dataset_import
from programs.admin import ReadOnlyAdminMixin
from programs.models import Signature

EXAMPLES_PER_PAGE = 25
FORMAT_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def examples_context(request: HttpRequest, version: DatasetVersion | None) -> dict[str, Any]:
    """One page of ``version``'s examples (``?examples_page=``, ``?examples_split=``) as table rows."""
    if version is None:
        return {"examples_version": None}
    split = request.GET.get("examples_split") or None
    if split not in Split.values:
        split = None
    paginator = Paginator(example_list(version=version, split=split), EXAMPLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("examples_page"))
    rows = list(page.object_list)
    input_columns = list(dict.fromkeys(key for row in rows for key in row.inputs))
    label_columns = list(dict.fromkeys(key for row in rows for key in row.labels))
    table = [
        {
            "position": row.position,
            "split": row.split,
            "inputs": [_cell(row.inputs[key]) if key in row.inputs else "" for key in input_columns],
            "labels": [_cell(row.labels[key]) if key in row.labels else "" for key in label_columns],
        }
        for row in rows
    ]
    return {
        "examples_version": version,
        "examples_page": page,
        "examples_rows": table,
        "examples_input_columns": input_columns,
        "examples_label_columns": label_columns,
        "examples_split": split or "",
        "examples_splits": Split.choices,
        "examples_changelist": reverse("admin:datasets_example_changelist")
        + f"?version__id__exact={version.pk}",
    }


class DatasetUploadForm(forms.Form):
    file = forms.FileField(help_text="JSONL (one object per line) or CSV with a header row")
    format = forms.ChoiceField(
        choices=[("", "From the file name"), ("jsonl", "JSONL"), ("csv", "CSV")], required=False
    )
    default_split = forms.ChoiceField(
        choices=Split.choices, initial=Split.TRAIN, help_text="For records that do not give a split"
    )
    signature = forms.ModelChoiceField(
        queryset=Signature.objects.none(),
        required=False,
        help_text="Validate against this signature (default: the dataset's)",
    )

    def __init__(self, *args: Any, user: Caller | None = None, dataset: Dataset | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["signature"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Signature.objects.visible_to(user)
        if dataset is not None and dataset.signature_id is None:
            field.required = True
            field.help_text = "The dataset has no signature: choose one to validate against"

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        limit = max_upload_bytes()
        if upload is not None and upload.size is not None and upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size} bytes; the most accepted is {limit} bytes "
                "(DSPEX_MAX_UPLOAD_BYTES).",
                code="too_large",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()  # Django's clean() gives back cleaned_data (the stubs allow None)
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None and not data.get("format"):
            guessed = FORMAT_BY_SUFFIX.get(Path(upload.name).suffix.lower())
            if guessed is None:
                self.add_error("format", "Choose a format: the file name does not end in .jsonl or .csv")
            else:
                data["format"] = guessed
        return data


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
class DatasetAdmin(ActionsAdminMixin, admin.ModelAdmin):
    list_display = ("name", "signature", "owner", "created_at", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("name", "description", "signature__name")
    list_select_related = ("signature", "owner")
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("signature", "owner")
    inlines = [DatasetVersionInline]

    def save_model(self, request: HttpRequest, obj: Dataset, form: Any, change: bool) -> None:
        if not change and obj.owner_id is None:
            obj.owner = authenticated_or_none(request.user)  # the admin's users are signed in
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<path:object_id>/upload/",
                self.admin_site.admin_view(self.upload_view),
                name="datasets_dataset_upload",
            )
        ]
        return custom + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        dataset = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if dataset is not None:
            extra.update(examples_context(request, dataset_version_latest(dataset=dataset)))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def upload_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Import an uploaded file as the dataset's next version (change permission needed)."""
        dataset = self.get_object(request, unquote(object_id))
        if dataset is None:
            # ModelAdmin's own not-found answer (a private method that the stubs do not declare).
            redirect: HttpResponse = self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
            return redirect
        if not self.has_change_permission(request, dataset):
            raise PermissionDenied
        line_errors: list[Any] = []
        summary = ""
        if request.method == "POST":
            form = DatasetUploadForm(request.POST, request.FILES, user=request.user, dataset=dataset)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    version = dataset_import(
                        dataset=dataset,
                        file=data["file"],
                        format=data["format"],
                        signature=data["signature"],
                        default_split=data["default_split"],
                        created_by=request.user,
                    )
                except DatasetImportError as exc:
                    line_errors, summary = exc.line_errors, exc.messages[0]
                except ValidationError as exc:
                    for key, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                        form.add_error(key if key in form.fields else None, errors)
                else:
                    self.message_user(
                        request,
                        f"Imported {version.example_count} examples as version {version.number} "
                        f"({version.train_count} train, {version.dev_count} dev, {version.test_count} test).",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:datasets_dataset_change", args=[dataset.pk]))
        else:
            form = DatasetUploadForm(user=request.user, dataset=dataset)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Upload examples to {dataset.name}",
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": dataset,
            "has_view_permission": True,
            "form": form,
            "line_errors": line_errors,
            "summary": summary,
        }
        too_large = request.method == "POST" and form.has_error("file", code="too_large")
        return TemplateResponse(
            request, "admin/datasets/dataset/upload.html", context, status=400 if too_large else 200
        )


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

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        version = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if version is not None:
            extra.update(examples_context(request, version))
        return super().change_view(request, object_id, form_url, extra_context=extra)


@admin.register(Example)
class ExampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "split", "position", "inputs", "labels")
    list_filter = ("split", "version__dataset")
    search_fields = ("version__dataset__name",)
    list_select_related = ("version__dataset",)
