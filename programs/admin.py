"""Admin for signatures, programs, versions (read-only), executions and their LM call traces.

A program's change page has a button per declared action (``actions.admin``): "Optimize" is the
generic action form; "Execute" is the "Try it" page (``<id>/try/``), one input per signature input
field, which runs the ``program.execute`` action and shows the outputs and every LM call of the run.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from rest_framework import serializers

from actions import RunMode, get
from actions.admin import ActionsAdminMixin, started_message
from actions.invoke import invoke, validate_arguments
from core.forms import SafeJSONAdminMixin
from core.ownership import authenticated_or_none
from programs.credentials import CredentialsUnavailable, encrypt_key, fingerprint
from programs.endpoints import lm_endpoints
from programs.errors import ExecutionFailed
from programs.gateway.modules import check_program_config
from programs.gateway.signatures import signature_from_row
from programs.models import (
    AliasMove,
    Execution,
    ExecutionFeedback,
    LMCallTrace,
    LMCredential,
    Program,
    ProgramAlias,
    ProgramVersion,
    Signature,
)
from programs.selectors import execution_traces
from programs.services import InputFieldSpec, check_api_key, program_input_fields, program_inputs_from_text


class ReadOnlyAdminMixin:
    """Rows written by services only: viewable, never added or edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EngineCheckedForm(forms.ModelForm):
    """A model form that also runs the service's engine check of the row (``check``), as the
    services do on every write: the model itself holds data and checks only its fields."""

    check: Any = None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm's private hook: not in the stubs
        if self.errors or type(self).check is None:
            return
        try:
            type(self).check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]  # private, as _post_clean


class SignatureAdminForm(EngineCheckedForm):
    check = staticmethod(signature_from_row)


class ProgramAdminForm(EngineCheckedForm):
    check = staticmethod(check_program_config)


@admin.register(Signature)
class SignatureAdmin(SafeJSONAdminMixin, admin.ModelAdmin):
    form = SignatureAdminForm
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


class ProgramAliasInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The program's aliases; the Create / Move / Roll back alias buttons above run the actions."""

    model = ProgramAlias
    fields = ("name", "version", "last_move", "updated_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Last move")
    def last_move(self, alias: ProgramAlias) -> str:
        move = alias.moves.select_related("from_version", "to_version", "moved_by").first()
        if move is None:
            return "-"
        who = move.moved_by.get_username() if move.moved_by else "the operator"
        why = f": {move.reason}" if move.reason else ""
        return f"{move.get_kind_display()} by {who}, {move.moved_at:%Y-%m-%d %H:%M}{why}"


class AliasMoveInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AliasMove
    fields = ("kind", "from_version", "to_version", "reason", "moved_by", "moved_at")
    readonly_fields = fields
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProgramAlias)
class ProgramAliasAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Aliases and every move of each (moves happen through the program's alias actions)."""

    list_display = ("__str__", "program", "name", "version", "updated_at")
    list_filter = ("name", ("program", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "program__name")
    list_select_related = ("program", "version__program")
    inlines = [AliasMoveInline]


@admin.register(AliasMove)
class AliasMoveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of every alias move (written by the alias actions only)."""

    list_display = ("alias", "kind", "from_version", "to_version", "reason", "moved_by", "moved_at")
    list_filter = ("kind", ("alias__program", admin.RelatedOnlyFieldListFilter), "moved_at")
    search_fields = ("alias__name", "alias__program__name", "reason")
    list_select_related = ("alias__program", "from_version__program", "to_version__program", "moved_by")
    date_hierarchy = "moved_at"


def try_it_form_class(specs: list[InputFieldSpec]) -> type[forms.Form]:
    """A form with one text box per input field (non-text values are typed as JSON)."""
    fields: dict[str, forms.Field] = {}
    for spec in specs:
        hint = spec.type if spec.text else f"{spec.type}, as JSON (e.g. {_json_example(spec.type)})"
        help_text = f"{spec.description} ({hint})" if spec.description else hint
        fields[spec.name] = forms.CharField(
            label=spec.name,
            required=spec.required,
            strip=False,
            help_text=help_text,
            widget=forms.Textarea(attrs={"rows": 3 if spec.text else 2, "cols": 80}),
        )
    return type("TryItForm", (forms.Form,), fields)


def _json_example(type_label: str) -> str:
    lowered = type_label.lower()
    if lowered.startswith(("list", "tuple", "set")):
        return '["a", "b"]'
    if lowered.startswith("dict"):
        return '{"key": "value"}'
    if lowered.startswith("bool"):
        return "true"
    if lowered.startswith(("int", "float")):
        return "3"
    return '"text"'


def _add_validation_errors(form: forms.Form, exc: ValidationError) -> None:
    """Errors keyed by an input field go under that field; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, field_messages in exc.message_dict.items():
        if key in form.fields:
            form.add_error(key, field_messages)
        else:
            form.add_error(None, [f"{key}: {message}" for message in field_messages])


def _add_argument_errors(form: forms.Form, detail: Any) -> None:
    """The action's argument errors: those of ``inputs`` under their input field."""
    inputs = detail.get("inputs") if isinstance(detail, dict) else None
    if isinstance(inputs, dict):
        for key, field_messages in inputs.items():
            shown = [str(m) for m in field_messages]
            if key in form.fields:
                form.add_error(key, shown)
            else:
                form.add_error(None, [f"{key}: {m}" for m in shown])
        return
    form.add_error(None, [str(m) for m in (inputs if isinstance(inputs, list) else [detail])])


def _display(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2)


def _trace_context(trace: LMCallTrace) -> dict[str, Any]:
    messages = [
        {"role": message.get("role", "?"), "content": _display(message.get("content", ""))}
        if isinstance(message, dict)
        else {"role": "?", "content": _display(message)}
        for message in trace.messages or []
    ]
    usage = trace.usage or {}
    return {
        "position": trace.position + 1,
        "model": trace.model,
        "latency_ms": trace.latency_ms,
        "cache_hit": trace.cache_hit,
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "cost": trace.cost,
        "messages": messages,
        "responses": [_display(output) for output in trace.outputs or []],
        "finish_reasons": trace.finish_reasons,
    }


@admin.register(Program)
class ProgramAdmin(ActionsAdminMixin, SafeJSONAdminMixin, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = (
        "name",
        "signature",
        "module_type",
        "backend",
        "lm_model",
        "current_version",
        "owner",
        "updated_at",
        "try_it_link",
    )
    list_filter = ("module_type", "backend", "created_at")
    search_fields = ("name", "description", "signature__name")
    list_select_related = ("signature", "current_version", "owner")
    readonly_fields = ("current_version", "created_at", "updated_at")
    raw_id_fields = ("signature", "owner")
    inlines = [ProgramAliasInline, ProgramVersionInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A program being added has no alias yet (and no version to point one at).
        return [inline for inline in self.inlines if obj is not None or inline is not ProgramAliasInline]

    @admin.display(description="LM")
    def lm_model(self, obj: Program) -> str:
        return (obj.lm_config or {}).get("model") or "(default)"

    actions = ["optimize_action"]

    @admin.action(description="Optimize the selected program…")
    def optimize_action(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        programs = list(queryset[:2])
        if len(programs) != 1:
            self.message_user(request, "Select exactly one program to optimize.", messages.WARNING)
            return None
        return HttpResponseRedirect(
            reverse("admin:programs_program_action", args=[programs[0].pk, "optimize"])
        )

    @admin.display(description="Try it")
    def try_it_link(self, obj: Program) -> str:
        return format_html('<a href="{}">Try it</a>', reverse("admin:programs_program_try", args=[obj.pk]))

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<path:object_id>/try/",
                self.admin_site.admin_view(self.try_it_view),
                name="programs_program_try",
            ),
        ]
        return custom + super().get_urls()

    def try_it_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Run the program's current version on inputs typed into a form; show outputs and trace.

        Viewing needs the view permission, running needs the change permission. Bad inputs are
        shown under their field (nothing runs); a failed run shows its error and its LM calls.
        """
        program = self.get_object(request, unquote(object_id))
        if program is None:
            # ModelAdmin's own not-found answer (a private method that the stubs do not declare).
            redirect: HttpResponse = self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
            return redirect
        if not self.has_view_or_change_permission(request, program):
            raise PermissionDenied
        can_run = self.has_change_permission(request, program)
        problem = ""
        try:
            specs = program_input_fields(program=program)
        except ValidationError as exc:
            specs, problem = [], "; ".join(exc.messages)
        form_class = try_it_form_class(specs)
        execution = None
        if request.method == "POST" and not problem:
            if not can_run:
                raise PermissionDenied
            form = form_class(request.POST)
            if form.is_valid():
                execute = get("program.execute")
                mode = RunMode.BACKGROUND if "_run_async" in request.POST else RunMode.INLINE
                try:
                    inputs = program_inputs_from_text(program=program, values=form.cleaned_data)
                    arguments = validate_arguments(
                        execute, {"inputs": inputs}, user=request.user, target=program, request=request
                    )
                    result = invoke(
                        execute, user=request.user, target=program, arguments=arguments, mode=mode
                    )
                    if mode is RunMode.BACKGROUND:
                        queued = result
                        self.message_user(request, started_message(execute, queued), messages.SUCCESS)
                        return HttpResponseRedirect(
                            reverse("admin:programs_execution_change", args=[queued.pk])
                        )
                    execution = result
                except ExecutionFailed as exc:
                    execution = exc.execution
                except serializers.ValidationError as exc:
                    _add_argument_errors(form, exc.detail)
                except ValidationError as exc:
                    _add_validation_errors(form, exc)
        else:
            form = form_class()
        outputs = []
        traces = []
        if execution is not None:
            outputs = [(name, _display(value)) for name, value in (execution.outputs or {}).items()]
            traces = [_trace_context(trace) for trace in execution_traces(execution=execution)]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Try {program.name}",
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": program,
            "has_view_permission": self.has_view_permission(request, program),
            "can_run": can_run,
            "problem": problem,
            "form": form,
            "version": program.current_version,
            "lm_model": self.lm_model(program),
            "execution": execution,
            "outputs": outputs,
            "traces": traces,
        }
        return TemplateResponse(request, "admin/programs/program/try_it.html", context)

    def save_model(self, request: HttpRequest, obj: Program, form: Any, change: bool) -> None:
        from programs.services import program_version_create

        if not change and obj.owner_id is None:
            obj.owner = authenticated_or_none(request.user)  # the admin's users are signed in
        super().save_model(request, obj, form, change)
        if not change:
            program_version_create(program=obj, state=None, created_by=request.user, note="Initial version")


@admin.register(ProgramVersion)
class ProgramVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "program", "number", "source", "parent", "created_by", "created_at")
    list_filter = ("source", "created_at")
    search_fields = ("program__name", "note")
    list_select_related = ("program", "parent__program", "created_by")
    actions: list[Any] = []  # the evaluations app adds "Run an evaluation" (evaluations.admin)


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
        "id", "program_version", "alias", "status", "latency_ms", "prompt_tokens", "completion_tokens",
        "cost", "backend", "created_by", "created_at",
    )  # fmt: skip
    list_filter = (
        "status",
        "backend",
        ("program_version__program", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("program_version__program__name", "error")
    list_select_related = ("program_version__program", "created_by")
    date_hierarchy = "created_at"
    inlines = [LMCallTraceInline]


@admin.register(ExecutionFeedback)
class ExecutionFeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Users' feedback on executions (given through the execution's Give feedback action)."""

    list_display = ("execution", "user", "score", "label", "comment", "updated_at")
    list_filter = ("label", ("execution__program_version__program", admin.RelatedOnlyFieldListFilter))
    search_fields = ("label", "comment", "execution__program_version__program__name")
    list_select_related = ("execution__program_version__program", "user")


@admin.register(LMCallTrace)
class LMCallTraceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("execution", "position", "model", "latency_ms", "cache_hit", "cost", "created_at")
    list_filter = ("cache_hit", "model")
    search_fields = ("model", "execution__program_version__program__name")
    list_select_related = ("execution__program_version__program",)


class LMCredentialForm(forms.ModelForm):
    """The key is a write-only field: never rendered back, required only when adding (leave it
    empty on the change page to keep the stored key)."""

    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again; only sent to this endpoint.",
    )

    class Meta:
        model = LMCredential
        fields = ("owner", "endpoint", "label")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = [name for name, endpoint in lm_endpoints().items() if endpoint.user_credentials]
        current = self.instance.endpoint if self.instance.pk else None
        if current and current not in names:
            names.append(current)
        self.fields["endpoint"] = forms.ChoiceField(choices=[(n, n) for n in names])

    def clean(self) -> dict[str, Any]:
        super().clean()  # Django's clean() gives back cleaned_data (the stubs allow None)
        data = self.cleaned_data
        secret = data.get("api_key")
        self.token = None
        if not secret:
            if not self.instance.pk:
                self.add_error("api_key", "Give the key to store.")
            return data
        try:
            check_api_key(secret)
            self.token = encrypt_key(secret)
        except ValidationError as exc:
            self.add_error("api_key", exc.messages)
        except CredentialsUnavailable as exc:
            self.add_error("api_key", str(exc))
        return data


@admin.register(LMCredential)
class LMCredentialAdmin(admin.ModelAdmin):
    form = LMCredentialForm
    list_display = ("label", "endpoint", "fingerprint", "owner", "created_at")
    list_filter = ("endpoint", "created_at")
    search_fields = ("label", "endpoint", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = ("fingerprint", "created_at")
    raw_id_fields = ("owner",)

    def save_model(self, request: HttpRequest, obj: LMCredential, form: Any, change: bool) -> None:
        if form.token is not None:  # a new key was typed (required when adding)
            obj.encrypted_key = form.token
            obj.fingerprint = fingerprint(form.cleaned_data["api_key"])
        super().save_model(request, obj, form, change)
