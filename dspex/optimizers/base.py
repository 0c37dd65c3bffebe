"""Shared optimizer plumbing: the ``compile`` contract and trial events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Optimizer", "TrialEvent"]


@dataclass
class TrialEvent:
    """Something an optimizer tried: ``candidate`` names it, ``score`` is its result (if any)."""

    optimizer: str
    kind: str
    candidate: str
    score: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


class Optimizer:
    """Base class: ``compile(student, trainset=..., valset=...) -> compiled program``.

    ``callback(event)`` receives a :class:`TrialEvent` for every candidate tried.
    """

    def __init__(self, *, callback: Callable[[TrialEvent], None] | None = None):
        self.callback = callback

    def compile(self, student: Any, *, trainset: list[Any], **kwargs: Any) -> Any:
        raise NotImplementedError

    def get_params(self) -> dict[str, Any]:
        """The optimizer's settings: its public attributes (those its ``__init__`` set), without
        the base's ``callback`` when none was given."""
        return {
            name: value
            for name, value in vars(self).items()
            if not name.startswith("_") and not (name == "callback" and value is None)
        }

    def emit(self, kind: str, candidate: str, score: float | None = None, **details: Any) -> None:
        if self.callback is not None:
            self.callback(TrialEvent(type(self).__name__, kind, candidate, score, details))
