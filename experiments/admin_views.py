"""The admin's "Optimize" page of a program: a form that starts an Experiment (``program_optimize``).

``programs.admin.ProgramAdmin`` mounts it at ``<program id>/optimize/`` and links to it from the
program page and from the "Optimize…" action of the program list.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core import safe_input
from core.forms import check_form_value
from datasets.models import DatasetVersion, Split
from datasets.selectors import dataset_version_list_for_user
from evaluations.codecs import metric_names
from experiments.optimizer_types import optimizer_type_choices
from experiments.services import program_optimize
from programs.models import Program

__all__ = ["OptimizeForm", "optimize_program_view"]


class OptimizeForm(forms.Form):
    dataset_version = forms.ModelChoiceField(queryset=DatasetVersion.objects.none())
    optimizer = forms.ChoiceField(choices=optimizer_type_choices, initial="bootstrap_few_shot")
    optimizer_params = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        initial="{}",
        required=False,
        help_text='JSON keyword arguments, e.g. {"max_bootstrapped_demos": 4, "max_labeled_demos": 4}',
    )
    metric = forms.ChoiceField(choices=[])
    train_split = forms.ChoiceField(choices=Split.choices, initial=Split.TRAIN)
    val_split = forms.ChoiceField(
        choices=[("", "(the train split)"), *Split.choices], initial=Split.DEV, required=False
    )
    promote = forms.BooleanField(required=False, help_text="Make the result the program's current version")
    evaluate_baseline = forms.BooleanField(
        required=False, initial=True, help_text="Score the current version first, for comparison"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["dataset_version"]
        field.queryset = dataset_version_list_for_user(user=user).order_by("dataset__name", "-number")
        self.fields["metric"].choices = [(name, name) for name in metric_names()]
        self.fields["metric"].initial = "exact_match"

    def clean_optimizer_params(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("optimizer_params") or "").strip() or "{}"
        try:
            value = safe_input.loads(text)
        except safe_input.JSONTooDeep as exc:
            raise ValidationError(exc.message) from None
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(value, dict):
            raise ValidationError("give a JSON object of parameter names and values")
        return check_form_value(value)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def optimize_program_view(model_admin: Any, request: HttpRequest, program: Program) -> HttpResponse:
    """GET: the form; POST: start the experiment and go to its page (it runs on a Celery worker,
    or right away without a broker)."""
    if not model_admin.has_view_or_change_permission(request, program):
        raise PermissionDenied
    can_run = model_admin.has_change_permission(request, program)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        form = OptimizeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                experiment = program_optimize(program=program, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                experiment.refresh_from_db()
                model_admin.message_user(
                    request, f"Experiment {experiment.pk} started ({experiment.status}).", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:experiments_experiment_change", args=[experiment.pk])
                )
    else:
        form = OptimizeForm(user=request.user)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Optimize {program.name}",
        "opts": model_admin.opts,
        "app_label": model_admin.opts.app_label,
        "original": program,
        "has_view_permission": model_admin.has_view_permission(request, program),
        "can_run": can_run,
        "form": form,
        "version": program.current_version,
    }
    return TemplateResponse(request, "admin/programs/program/optimize.html", context)
