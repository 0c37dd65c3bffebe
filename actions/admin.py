"""The admin surface: a button per action on a row's change page (a collection action's on the
changelist), a form from the action's arguments, and for background runs the status row's page
with a progress bar.

Add :class:`ActionsAdminMixin` to a resource's ``ModelAdmin`` and let its change form extend
``admin/actions/change_form.html`` (the buttons and the progress bar); the buttons are the
resource's declared actions that the signed-in user's policy allows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from rest_framework import serializers

from actions.declaration import Action, RunMode
from actions.forms import form_class
from actions.invoke import ActionRefused, failure_for, find_target, invoke, require_user, validate_arguments
from actions.registry import for_resource, get, model_of

__all__ = ["ActionsAdminMixin", "progress_of"]


def progress_of(action: Action, row: Model) -> dict[str, Any] | None:
    """``{"done", "total", "percent", "status"}`` of a background action's status row."""
    background = action.background
    if background is None or background.progress is None:
        return None
    done, total = background.progress(row)
    percent = int(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent, "status": getattr(row, "status", "")}


FINISHED = frozenset({"succeeded", "failed", "cancelled"})


def started_message(action: Action, row: Model) -> str:
    """What the admin says after starting a background run: honest about where it ran. Without a
    Celery broker (the zero-setup default) the work runs inline, in the request, and has ended by
    now; with one, the row's page follows it."""
    label = row._meta.verbose_name
    status = getattr(row, "status", "")
    if status in FINISHED:
        return (
            f"{action.summary}: {label} {row.pk} ran in this request and {status}: no Celery broker "
            "is configured (CELERY_BROKER_URL), so background work runs inline."
        )
    return f"{action.summary}: {label} {row.pk} is {status or 'queued'}; its page follows it."


def _label(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


if TYPE_CHECKING:
    # What the mixin is mixed into (the admin of any model): mypy then checks its calls to the
    # ModelAdmin it extends, and each admin's own base keeps its model type.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class ActionsAdminMixin(_ModelAdmin):
    """Declared actions as buttons and forms on the change page of each row."""

    # The changelist's buttons for collection actions (e.g. "Create and start an evaluation").
    change_list_template = "admin/actions/change_list.html"

    def _actions_for(self, request: HttpRequest, *, detail: bool = True) -> list[Action]:
        resource = _label(self.model)
        return [a for a in for_resource(resource) if a.detail is detail and a.policy.allows(request.user)]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The changelist's actions plus, for each declared action that takes no arguments and
        writes (a cancel, a run), "<summary>: the selected rows"."""
        actions: dict[str, Any] = super().get_actions(request)
        plural = self.model._meta.verbose_name_plural
        for action in self._actions_for(request):
            if action.arguments is None and not action.safe:
                name = f"{action.name}_selected"
                actions[name] = (_bulk(action), name, f"{action.summary}: the selected {plural}")
        return actions

    def _background_action_of_row(self) -> Action | None:
        label = _label(self.model)
        from actions.registry import all_actions

        for action in all_actions():
            if (
                action.background is not None
                and action.background.status_model == label
                and action.background.progress
            ):
                return action
        return None

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view(self.action_view)
        collection = self.admin_site.admin_view(self.collection_action_view)
        return [
            path("action/<str:name>/", collection, name="{}_{}_collection_action".format(*info)),
            path("<path:object_id>/action/<str:name>/", view, name="{}_{}_action".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        info = self.model._meta.app_label, self.model._meta.model_name
        buttons = [
            {
                "name": a.name,
                "label": a.summary,
                "url": reverse("admin:{}_{}_collection_action".format(*info), args=[a.name]),
            }
            for a in self._actions_for(request, detail=False)
        ]
        extra = {"declared_collection_actions": buttons, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        info = self.model._meta.app_label, self.model._meta.model_name
        buttons = [
            {
                "name": a.name,
                "label": a.summary,
                "url": reverse(a.admin_view, args=[object_id])
                if a.admin_view
                else reverse("admin:{}_{}_action".format(*info), args=[object_id, a.name]),
            }
            for a in self._actions_for(request)
        ]
        extra = {"declared_actions": buttons, **(extra_context or {})}
        tracker = self._background_action_of_row()
        if tracker is not None:
            row = self.get_object(request, object_id)
            if row is not None:
                extra["action_progress"] = progress_of(tracker, row)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _declared(self, name: str, *, detail: bool) -> Action:
        try:
            action = get(f"{self.model.__name__.lower()}.{name}")
        except LookupError:
            raise Http404(f"no action {name!r}") from None
        if action.resource != _label(self.model) or action.detail is not detail:
            raise Http404(f"no action {name!r}")
        return action

    def _require_permission(self, request: HttpRequest, action: Action) -> None:
        # Django's model permissions apply on top of the action's policy: an action that writes
        # needs the change permission on the resource (add, for a collection action: it makes a
        # row), a read the view permission (rows the admin shows read-only, like experiments, are
        # still changed by their actions).
        meta = self.model._meta
        needed = "view" if action.safe else ("change" if action.detail else "add")
        if not request.user.has_perm(f"{meta.app_label}.{needed}_{meta.model_name}"):
            raise PermissionDenied

    def action_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponseBase:
        """The page of a declared action on one row: its form, then its result."""
        action = self._declared(name, detail=True)
        try:
            require_user(action, request.user)
            target = find_target(action, request.user, object_id)
        except ActionRefused as exc:
            raise Http404(exc.message) from None
        self._require_permission(request, action)
        return self._action_page(request, action, target)

    def collection_action_view(self, request: HttpRequest, name: str) -> HttpResponseBase:
        """The page of a declared collection action (``evaluation.start``)."""
        action = self._declared(name, detail=False)
        try:
            require_user(action, request.user)
        except ActionRefused as exc:
            raise Http404(exc.message) from None
        self._require_permission(request, action)
        return self._action_page(request, action, None)

    def _action_page(self, request: HttpRequest, action: Action, target: Model | None) -> HttpResponseBase:
        form_type = form_class(action, request.user)
        result_text = None
        if request.method == "POST":
            form = form_type(request.POST, request.FILES)
            if form.is_valid():
                mode = (
                    RunMode.BACKGROUND
                    if "_background" in request.POST and action.background
                    else action.modes[0]
                )
                try:
                    arguments = validate_arguments(
                        action, form.arguments(), user=request.user, target=target, request=request
                    )
                    result = invoke(action, user=request.user, target=target, arguments=arguments, mode=mode)
                except serializers.ValidationError as exc:
                    _add_errors(form, exc.detail)
                except ValidationError as exc:
                    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                        form.add_error(field if field in form.fields else None, errors)
                except Exception as exc:
                    failure = failure_for(action, exc)
                    if failure is None:
                        raise
                    form.add_error(None, failure.message(exc))
                else:
                    if mode is RunMode.BACKGROUND and action.background is not None:
                        status_model = model_of(action.background.status_model)
                        messages.success(request, started_message(action, result))
                        meta = status_model._meta
                        return HttpResponseRedirect(
                            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[result.pk])
                        )
                    if action.result.http_response is not None:  # a download
                        return action.result.http_response(result)
                    if (
                        target is not None
                        and action.result.model is None
                        and getattr(result, "pk", None) == target.pk
                    ):
                        # The row itself changed (e.g. cancelled): back to its page.
                        messages.success(request, f"{action.summary}: done.")
                        meta = self.model._meta
                        return HttpResponseRedirect(
                            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk])
                        )
                    messages.success(request, f"{action.summary}: done.")
                    result_text = _show(action, result)
        else:
            form = form_type()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": target,
            "action": action,
            "form": form,
            "result_text": result_text,
            "title": f"{action.summary}: {target}" if target is not None else action.summary,
            "background": action.background is not None and action.service is not None,
        }
        return TemplateResponse(request, "admin/actions/action_form.html", context)


def _bulk(action: Action) -> Any:
    """A changelist action running ``action`` on each selected row the user may act on."""

    def run_on_selected(model_admin: Any, request: HttpRequest, queryset: Any) -> None:
        meta = model_admin.model._meta
        if not request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
            raise PermissionDenied
        mode = action.modes[0]
        done, refused = 0, []
        for row in queryset:
            try:
                target = find_target(action, request.user, row.pk)
                invoke(action, user=request.user, target=target, mode=mode)
            except ActionRefused as exc:
                refused.append(exc.message)
            except Exception as exc:
                failure = failure_for(action, exc)
                if failure is None and not isinstance(exc, ValidationError):
                    raise
                refused.append(failure.message(exc) if failure else "; ".join(exc.messages))  # type: ignore[attr-defined]
            else:
                done += 1
        text = f"{action.summary}: {done} done"
        if refused:
            text += f", {len(refused)} refused ({refused[0]}{'; ...' if len(refused) > 1 else ''})"
        model_admin.message_user(request, text + ".", messages.WARNING if refused else messages.SUCCESS)

    run_on_selected.__name__ = f"{action.name}_selected"
    return run_on_selected


def _add_errors(form: Any, detail: Any) -> None:
    if isinstance(detail, dict):
        for field, errors in detail.items():
            messages_ = errors if isinstance(errors, list) else [errors]
            target = field if field in form.fields else None
            form.add_error(
                target,
                [
                    f"{field}: {m}" if target is None and field != "non_field_errors" else str(m)
                    for m in messages_
                ],
            )
    else:
        form.add_error(None, [str(m) for m in detail])


def _show(action: Action, result: Any) -> str:
    serializer = action.result.serializer
    if serializer is None:
        return str(result)
    data = serializer(result).data
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
