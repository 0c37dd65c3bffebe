"""Running a declared action: the one place that checks the policy, finds the target row,
validates the arguments, applies idempotency keys and dispatches background work.

Every surface (REST, GraphQL, admin, shell, ``manage.py dspex``) calls these functions and only
translates their outcome: :class:`ActionRefused` (who/what/how often), DRF's
``serializers.ValidationError`` (bad arguments, keyed by field), Django's ``ValidationError`` from
a service, and the declared :class:`~actions.declaration.Failure` exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from rest_framework import serializers
from rest_framework.request import Request

from actions.declaration import Action, Failure, RunMode
from actions.fields import VersionField
from actions.registry import model_of
from actions.tasks import enqueue
from core.ownership import authenticated_or_none
from core.users import Caller, User

__all__ = [
    "ActionRefused",
    "failure_for",
    "find_target",
    "invoke",
    "require_user",
    "run_here",
    "validate_arguments",
]


class ActionRefused(Exception):
    """The action is not run: ``kind`` is ``unauthenticated``, ``forbidden``, ``not_found`` or
    ``throttled``; ``field`` names the argument concerned (the target's ``id``)."""

    STATUS = {"unauthenticated": 401, "forbidden": 403, "not_found": 404, "throttled": 429}

    def __init__(self, kind: str, message: str, *, field: str | None = None, wait: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field
        self.wait = wait

    @property
    def status(self) -> int:
        return self.STATUS[self.kind]


def require_user(action: Action, user: Caller | None) -> None:
    """Refuse anonymous users, and users the action's policy does not allow."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ActionRefused("unauthenticated", "Sign in to run this action.")
    if not action.policy.allows(user):
        raise ActionRefused("forbidden", f"You may not run {action.key} ({action.policy!r} only).")


def find_target(action: Action, user: Caller | None, pk: Any) -> Model:
    """The row ``pk`` of the action's resource, if the policy lets ``user`` reach it."""
    model = model_of(action.resource)
    try:
        row = action.policy.scope(model, user).filter(pk=pk).first()
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise ActionRefused(
            "not_found", f"{model._meta.verbose_name} {pk!r} was not found", field=action.target_field
        )
    return row


def validate_arguments(
    action: Action,
    data: Mapping[str, Any],
    *,
    user: Caller | None,
    target: Model | None,
    request: HttpRequest | Request | None = None,
    operator: bool = False,
) -> dict[str, Any]:
    """``data`` checked by the action's argument serializer (its context holds ``user``,
    ``target``, ``request`` and ``operator``: the shell or the command without a user, which may
    name any row); raises ``serializers.ValidationError`` keyed by field."""
    if action.arguments is None:
        return {}
    serializer = action.arguments(
        data=dict(data),
        context={"user": user, "target": target, "request": request, "action": action, "operator": operator},
    )
    serializer.is_valid(raise_exception=True)
    validated = dict(serializer.validated_data)
    _resolve_versions(serializer, validated)
    return validated


def _resolve_versions(serializer: serializers.Serializer, validated: dict[str, Any]) -> None:
    """Versions of another argument's row (``VersionField(of=...)``) once that row is known."""
    errors: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if not isinstance(field, VersionField) or field.of is None or validated.get(name) is None:
            continue
        owner = validated.get(field.of)
        if owner is None:
            errors[name] = [f"give {field.of} too: this is one of its versions"]
            continue
        try:
            validated[name] = field.resolve(validated[name], owner)
        except serializers.ValidationError as exc:
            errors[name] = exc.detail
    if errors:
        raise serializers.ValidationError(errors)


def failure_for(action: Action, exc: BaseException) -> Failure | None:
    """The declared failure ``exc`` is an instance of, if any."""
    for failure in action.failures:
        if isinstance(exc, failure.exception):
            return failure
    return None


def _call_arguments(
    action: Action, user: Caller | None, target: Model | None, arguments: dict[str, Any]
) -> dict[str, Any]:
    call = dict(arguments)
    call["user"] = user
    if action.detail:
        call["target"] = target
    return call


def invoke(
    action: Action,
    *,
    user: Caller | None,
    target: Model | None = None,
    arguments: Mapping[str, Any] | None = None,
    mode: RunMode = RunMode.INLINE,
    idempotency_key: str | None = None,
) -> Any:
    """Run ``action`` on validated ``arguments`` in ``mode`` and return its result: the service's
    return value (inline), the status row (background) or the event iterator (stream)."""
    if mode not in action.modes:
        modes = ", ".join(m.value for m in action.modes)
        raise serializers.ValidationError({"mode": [f"{action.key} runs {modes}, not {mode.value}"]})
    call = _call_arguments(action, user, target, dict(arguments or {}))
    if mode is RunMode.INLINE:
        assert action.service is not None
        return action.service(**call)
    if mode is RunMode.STREAM:
        assert action.stream is not None
        return action.stream(**call)
    return _start_background(action, call, user=authenticated_or_none(user), idempotency_key=idempotency_key)


def _start_background(
    action: Action, call: dict[str, Any], *, user: User | None, idempotency_key: str | None
) -> Model:
    from actions.models import ActionRequest  # models load after this package is imported

    background = action.background
    assert background is not None
    status_model = model_of(background.status_model)
    if idempotency_key and user is None:  # keys are kept per user; the operator has none
        raise serializers.ValidationError(
            {"idempotency_key": ["an idempotency key belongs to a user: run the action as one"]}
        )
    if idempotency_key:
        known = ActionRequest.objects.filter(user=user, action=action.key, key=idempotency_key).first()
        if known is not None:
            return status_model._default_manager.get(pk=known.row_id)
    raced = False
    with transaction.atomic():
        row = background.start(**call)
        if idempotency_key:
            assert user is not None  # refused above: keys are kept per user
            try:
                with transaction.atomic():
                    ActionRequest.objects.create(
                        user=user,
                        action=action.key,
                        key=idempotency_key,
                        row_model=background.status_model,
                        row_id=row.pk,
                    )
            except IntegrityError:  # the same key raced in: keep the first run, drop this one
                raced = True
                transaction.set_rollback(True)
        if not raced:
            enqueue(action, row.pk)
    if raced:
        known = ActionRequest.objects.get(user=user, action=action.key, key=idempotency_key)
        return status_model._default_manager.get(pk=known.row_id)
    row.refresh_from_db()  # eager tasks (no broker) have run once the transaction committed
    return row


def run_here(
    action: Action,
    *,
    user: Caller | None,
    target: Model | None = None,
    arguments: Mapping[str, Any] | None = None,
    report: Any = None,
    started: Any = None,
) -> Model:
    """Do the background work of ``action`` in this process, to the end: the status row is created
    as for a queued run (``started(row)`` is told), then ``Background.here`` (or ``run``) works on
    it, calling ``report(done, total)`` as it goes. For the operator's own process only (a
    command, the shell): no remote surface may hold a worker that long. Returns the row as it
    ended."""
    background = action.background
    if background is None:
        raise serializers.ValidationError({"mode": [f"{action.key} has no background work to run here"]})
    call = _call_arguments(action, user, target, dict(arguments or {}))
    with transaction.atomic():
        row = background.start(**call)
    if started is not None:
        started(row)
    progress = report or (lambda done, total: None)
    if background.here is not None:
        background.here(row.pk, progress)
    else:
        background.run(row.pk)
    row.refresh_from_db()
    return row
