"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.validators import credential_keys

__all__ = ["SecretFreeJSONField", "VisiblePrimaryKeyField", "without_credentials"]


def _is_credential_key(key: Any) -> bool:
    return any(True for _ in credential_keys({key: None}))


def without_credentials(value: Any) -> Any:
    """A copy of ``value`` without keys whose names say they hold a credential (at any depth).

    Models already refuse such keys on save; this is the second lock, on the way out.
    """
    if isinstance(value, dict):
        return {k: without_credentials(v) for k, v in value.items() if not _is_credential_key(k)}
    if isinstance(value, list):
        return [without_credentials(v) for v in value]
    return value


@extend_schema_field(OpenApiTypes.OBJECT)
class SecretFreeJSONField(serializers.JSONField):
    """A read-only JSON object that never shows anything named like a key, token or password."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return without_credentials(super().to_representation(value))


@extend_schema_field(OpenApiTypes.INT)
class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key of a row the requesting user may see (``Model.objects.visible_to(user)``);
    anyone else's row is "does not exist", exactly like a missing one."""

    def __init__(self, model: Any, **kwargs: Any):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return self.model.objects.visible_to(getattr(request, "user", None))
