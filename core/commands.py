"""Helpers shared by the management commands of the apps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import QuerySet

__all__ = ["detail_text", "find_owned", "validation_text"]


def validation_text(exc: ValidationError) -> str:
    """``field: message; other: message`` for a ValidationError."""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def detail_text(detail: Any, prefix: str = "") -> str:
    """``field: message; other: message`` for the detail of a DRF ``ValidationError``."""
    if isinstance(detail, dict):
        return "; ".join(
            detail_text(value, "" if key == "non_field_errors" else f"{key}: ")
            for key, value in detail.items()
        )
    if isinstance(detail, list):
        return "; ".join(detail_text(item, prefix) for item in detail)
    return f"{prefix}{detail}"


def find_owned(queryset: QuerySet[Any], kind: str, name: str, owner: str | None) -> Any:
    """The row named ``name`` (of ``owner`` when given); a clear error when none or several match."""
    rows = queryset.filter(name=name)
    if owner is not None:
        rows = rows.filter(owner__username=owner)
    found = list(rows.select_related("owner")[:10])
    if not found and name.isdigit() and owner is None:
        found = list(queryset.filter(pk=int(name)))
    if not found:
        whose = f" owned by {owner!r}" if owner else ""
        raise CommandError(f"no {kind} named {name!r}{whose}")
    if len(found) > 1:
        owners = ", ".join(sorted(repr(row.owner.username) if row.owner else "nobody" for row in found))
        raise CommandError(
            f"{len(found)} {kind}s are named {name!r} (owners: {owners}); pick one with --owner"
        )
    return found[0]
