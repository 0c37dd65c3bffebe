"""The admin's "Run an evaluation" action and its form (used on program versions).

Selecting program versions and choosing the action shows a form (dataset version, split, metrics,
concurrency, limit); submitting it creates one evaluation per selected version and queues them.
Nothing is created when any of them is invalid: the errors are shown on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core import safe_input
from core.forms import check_form_value
from core.users import Caller
from datasets.models import DatasetVersion, Split
from evaluations.metrics import DEFAULT_METRIC, metric_types
from evaluations.models import Evaluation
from evaluations.services import evaluation_create, evaluation_enqueue
from programs.models import ProgramVersion

__all__ = [
    "RunEvaluationForm",
    "can_run_evaluations",
    "metrics_from_text",
    "run_evaluation",
    "run_evaluation_action",
]


def can_run_evaluations(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("evaluations.add_evaluation"))


def metrics_from_text(text: str) -> list[Any]:
    """``exact_match, f1`` or a JSON list (``[{"name": "f1", "field": "label"}]``)."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = safe_input.loads(text)
        except safe_input.JSONTooDeep as exc:
            raise ValidationError(exc.message) from None
        except ValueError as exc:
            raise ValidationError(f"not valid JSON: {exc}") from None
        if not isinstance(value, list):
            raise ValidationError("give a JSON list")
        return check_form_value(value)
    return [name.strip() for name in text.split(",") if name.strip()] or [DEFAULT_METRIC]


class RunEvaluationForm(forms.Form):
    dataset_version = forms.ModelChoiceField(
        queryset=DatasetVersion.objects.select_related("dataset").order_by("dataset__name", "-number"),
        help_text="The examples to run on",
    )
    split = forms.ChoiceField(choices=Split.choices, initial=Split.DEV)
    metrics = forms.CharField(
        initial=DEFAULT_METRIC,
        help_text="Names separated by commas, or a JSON list of names and specs "
        '(e.g. [{"name": "exact_match", "field": "label"}]); the first is the main score',
    )
    concurrency = forms.IntegerField(initial=8, min_value=1, help_text="Examples in flight at once")
    limit = forms.IntegerField(required=False, min_value=1, help_text="Only the first N examples")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["metrics"].help_text += f". Known: {', '.join(metric_types())}"

    def clean_metrics(self) -> list[Any]:
        return metrics_from_text(self.cleaned_data["metrics"])


def run_evaluation_action(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ProgramVersion]
) -> HttpResponse | None:
    """Show the form for the selected versions; on "Run", create and queue their evaluations."""
    if not can_run_evaluations(request):
        modeladmin.message_user(request, "You may not run evaluations.", messages.ERROR)
        return None
    versions = list(queryset.select_related("program__signature"))
    if "_run" in request.POST:
        form = RunEvaluationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    created = [_create(version, data, request.user) for version in versions]
            except ValidationError as exc:
                for key, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                ids = ", ".join(str(evaluation.pk) for evaluation in created)
                modeladmin.message_user(
                    request,
                    f"Queued {len(created)} evaluation{'s' if len(created) != 1 else ''} ({ids}).",
                    messages.SUCCESS,
                )
                url = reverse("admin:evaluations_evaluation_changelist")
                if len(created) == 1:
                    url = reverse("admin:evaluations_evaluation_change", args=[created[0].pk])
                return HttpResponseRedirect(url)
    else:
        form = RunEvaluationForm()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Run an evaluation",
        "opts": modeladmin.model._meta,
        "form": form,
        "versions": versions,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": request.POST.get("action", "run_evaluation"),
    }
    return TemplateResponse(request, "admin/evaluations/run_evaluation.html", context)


def _create(version: ProgramVersion, data: dict[str, Any], user: Caller | None) -> Evaluation:
    try:
        evaluation = evaluation_create(
            program_version=version,
            dataset_version=data["dataset_version"],
            split=data["split"],
            metrics=data["metrics"],
            concurrency=data["concurrency"],
            limit=data["limit"],
            owner=user,
        )
    except ValidationError as exc:  # say which version each error is about
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {key: [f"{version}: {m}" for m in messages] for key, messages in exc.message_dict.items()}
            ) from None
        raise ValidationError([f"{version}: {m}" for m in exc.messages]) from None
    return evaluation_enqueue(evaluation=evaluation)


@admin.action(description="Run an evaluation of the selected versions…")
def run_evaluation(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ProgramVersion]
) -> HttpResponse | None:
    """The program versions' admin action (added to their admin by ``evaluations.admin``)."""
    return run_evaluation_action(modeladmin, request, queryset)
