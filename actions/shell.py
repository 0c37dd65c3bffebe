"""Actions as model methods, for ``manage.py shell``: ``Program.objects.get(...).execute(...)``.

The shell is the operator's own process, so the methods run with the caller's ``user`` (default
``None``) and no policy check, as Django's ORM does; arguments are validated by the action's
serializer as on every other surface, and bad ones raise Django's ``ValidationError`` keyed by
field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from rest_framework import serializers

from actions.declaration import Action, RunMode
from actions.invoke import invoke, validate_arguments
from actions.registry import model_of

__all__ = ["install_shell_method", "remove_shell_methods", "run_from_shell"]

_INSTALLED = "_dspex_action"


def _as_django_error(exc: serializers.ValidationError) -> ValidationError:
    detail = exc.detail
    if isinstance(detail, dict):
        return ValidationError({str(k): [str(m) for m in _messages(v)] for k, v in detail.items()})
    return ValidationError([str(m) for m in _messages(detail)])


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def run_from_shell(
    action: Action, target: Model | None, mode: RunMode, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Validate and run ``action`` on ``target`` as a shell method call would."""
    user = kwargs.pop("user", None)
    idempotency_key = kwargs.pop("idempotency_key", None)
    flag = action.shell.background_flag
    if flag is not None and kwargs.pop(flag, False):
        mode = RunMode.BACKGROUND
    to_arguments = action.shell.arguments
    arguments = to_arguments(target, *args, **kwargs) if to_arguments else dict(kwargs)
    if args and to_arguments is None:
        raise TypeError(f"{action.key} takes keyword arguments only")
    try:
        validated = validate_arguments(action, arguments, user=user, target=target, operator=user is None)
    except serializers.ValidationError as exc:
        raise _as_django_error(exc) from None
    if mode is RunMode.INLINE and action.service is None and action.shell.inline is not None:
        call = {**validated, "user": user, **({"target": target} if action.detail else {})}
        result = action.shell.inline(**call)
    else:
        result = invoke(
            action, user=user, target=target, arguments=validated, mode=mode, idempotency_key=idempotency_key
        )
    convert = action.shell.background_result if mode is RunMode.BACKGROUND else action.shell.result
    return convert(result) if convert else result


def _method(action: Action, mode: RunMode) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return run_from_shell(action, self if action.detail else None, mode, args, kwargs)

    method.__doc__ = f"{action.summary}.\n\n{action.description}".strip()
    setattr(method, _INSTALLED, action.key)
    return method


def install_shell_method(action: Action) -> None:
    """Add the action's method(s) to its model (a method the model defines itself is an error:
    the action would be written twice)."""
    model = model_of(action.resource)
    plan: list[tuple[str, RunMode]] = []
    if action.service is not None or action.shell.inline is not None:
        plan.append((action.shell.name or action.name, RunMode.INLINE))
    if action.background is not None:
        has_inline = action.service is not None or action.shell.inline is not None
        name = action.shell.background_name if has_inline else (action.shell.name or action.name)
        if name:
            plan.append((name, RunMode.BACKGROUND))
    for name, mode in plan:
        existing = model.__dict__.get(name)
        ours = hasattr(existing, _INSTALLED) or hasattr(getattr(existing, "__func__", None), _INSTALLED)
        if existing is not None and not ours:
            raise TypeError(
                f"{model.__name__}.{name} is written by hand; the action {action.key} declares it"
            )
        method = _method(action, mode)
        method.__name__ = name
        method.__qualname__ = f"{model.__name__}.{name}"
        if action.detail:
            setattr(model, name, method)
        else:

            def collection(cls: type[Model], /, *args: Any, _mode: RunMode = mode, **kwargs: Any) -> Any:
                return run_from_shell(action, None, _mode, args, kwargs)

            collection.__doc__ = method.__doc__
            setattr(collection, _INSTALLED, action.key)
            setattr(model, name, classmethod(collection))


def remove_shell_methods(action: Action) -> None:
    """Take the methods :func:`install_shell_method` added for ``action`` off its model."""
    model = model_of(action.resource)
    for name, value in list(model.__dict__.items()):
        if (
            getattr(value, _INSTALLED, None) == action.key
            or getattr(getattr(value, "__func__", None), _INSTALLED, None) == action.key
        ):
            delattr(model, name)
