"""Declaring actions: keep them in the registry and install their shell methods."""

from __future__ import annotations

from actions.declaration import Action
from actions.registry import add, remove
from actions.shell import install_shell_method, remove_shell_methods

__all__ = ["register", "unregister"]


def register(*actions: Action) -> None:
    """Declare ``actions`` (in an app's ``AppConfig.ready``); a key declared twice is an error."""
    add(*actions)
    for action in actions:
        install_shell_method(action)


def unregister(key: str) -> None:
    """Forget an action and remove its shell methods (for declarations made by tests)."""
    action = remove(key)
    if action is not None:
        remove_shell_methods(action)
