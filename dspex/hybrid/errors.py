"""Errors raised by the hybrid router."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BackendUnavailable"]


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run this module or optimizer type.

    ``type_name``, ``backend`` and ``available`` (the backends that can run it) are attributes.
    """

    def __init__(
        self, type_name: str, backend: str, available: Iterable[str], *, kind: str, reason: str = ""
    ):
        self.type_name = type_name
        self.backend = backend
        self.available = sorted(available)
        self.kind = kind
        shown = ", ".join(self.available) if self.available else "none"
        message = f"{kind} type {type_name!r} cannot run on backend {backend!r}"
        if reason:
            message += f" ({reason})"
        message += f"; available backends for {type_name!r}: {shown}"
        super().__init__(message)
