"""The declared actions, by key (``"program.execute"``).

Apps register their declarations when they are ready (``AppConfig.ready``, with
:func:`actions.register`); a higher app may add actions to a lower app's resource (experiments adds
``Program.optimize``) without the lower app importing it. This module only keeps them: it imports
nothing else of the package, so every surface can look actions up without an import cycle.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model

from actions.declaration import Action

__all__ = ["ActionNotFound", "add", "all_actions", "for_resource", "get", "model_of", "remove"]

_ACTIONS: dict[str, Action] = {}


class ActionNotFound(LookupError):
    """No action is declared under this key."""


def add(*actions: Action) -> None:
    """Declare ``actions`` (see :func:`actions.register`, which also installs shell methods); a
    key declared twice is a programming error."""
    for action in actions:
        known = _ACTIONS.get(action.key)
        if known is not None and known is not action:
            raise ValueError(f"action {action.key!r} is declared twice")
        _ACTIONS[action.key] = action


def remove(key: str) -> Action | None:
    """Forget the action ``key``; returns it (``None`` if it was not declared)."""
    return _ACTIONS.pop(key, None)


def get(key: str) -> Action:
    """The action declared as ``key`` (``"program.execute"``)."""
    try:
        return _ACTIONS[key]
    except KeyError:
        known = ", ".join(sorted(_ACTIONS)) or "none"
        raise ActionNotFound(f"no action {key!r} (declared: {known})") from None


def all_actions() -> list[Action]:
    """Every declared action, ordered by key."""
    return [_ACTIONS[key] for key in sorted(_ACTIONS)]


def for_resource(resource: str) -> list[Action]:
    """The actions of one resource (``"programs.Program"``), ordered by name."""
    return sorted((a for a in _ACTIONS.values() if a.resource == resource), key=lambda a: a.name)


def model_of(label: str) -> type[Model]:
    """The model class of ``"app_label.Model"``."""
    return apps.get_model(label)
