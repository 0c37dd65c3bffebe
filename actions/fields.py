"""Argument fields the surfaces know how to translate.

:class:`VisibleRowField` is an argument naming another row (REST: its integer id; GraphQL: its
relay ID; admin: a choice among the rows the user can see). Rows the user cannot see are "not
found", exactly like missing ones. :class:`VersionField` names a version of the action's target
row (REST, shell, command: its number; GraphQL: the version's relay ID, or its number).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.users import Caller

__all__ = ["TextUpload", "VersionField", "VisibleRowField", "as_upload", "given_file_name"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleRowField(serializers.Field):
    """The id of a ``model`` row visible to the user in the serializer context (``visible(user)``,
    by default the model's ``visible_to``)."""

    default_error_messages = {
        "invalid": "expected the integer id of a {name}",
        "not_found": "{name} {value!r} was not found",
    }

    def __init__(self, model: str, *, visible: Callable[[Any], Any] | None = None, **kwargs: Any) -> None:
        self.model_label = model
        self.visible = visible
        super().__init__(**kwargs)

    def rows_for(self, user: Caller | None, *, operator: bool = False) -> Any:
        """The rows this argument may name: all of them for the operator (shell, command without
        ``--user``), else those visible to ``user``."""
        if operator:
            return self.model._default_manager.all()
        if self.visible is not None:
            return self.visible(user)
        return self.model._default_manager.all().visible_to(user)

    @property
    def model(self) -> Any:
        return apps.get_model(self.model_label)

    def to_internal_value(self, data: Any) -> Any:
        name = self.model._meta.verbose_name
        if isinstance(data, self.model):  # the shell passes rows: still only visible ones
            data = data.pk
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("invalid", name=name)
        rows = self.rows_for(self.context.get("user"), operator=bool(self.context.get("operator")))
        row = rows.filter(pk=int(data)).first()
        if row is None:
            self.fail("not_found", name=name, value=int(data))
        return row

    def to_representation(self, value: Any) -> Any:
        return getattr(value, "pk", value)


@extend_schema_field({"type": "integer", "minimum": 1})
class VersionField(serializers.Field):
    """A version of the target row of a detail action, by its number.

    ``model`` is the version model (``"programs.ProgramVersion"``), ``relation`` the target's
    related manager holding its versions and ``target_key`` the version's foreign key to the target.
    GraphQL passes the version row itself once it has decoded its relay ID. With ``of``, it is a
    version of the row another argument names instead of the target's (``program_version`` of
    ``program``), resolved once the arguments are validated (:meth:`resolve`).
    """

    default_error_messages = {
        "invalid": "expected a version number",
        "not_found": "{kind} {name!r} has no version {number}",
        "not_ours": "this is not a version of {kind} {name!r}",
    }

    def __init__(
        self, model: str, *, relation: str = "versions", target_key: str, of: str | None = None, **kwargs: Any
    ) -> None:
        self.model_label = model
        self.relation = relation
        self.target_key = target_key
        self.of = of
        super().__init__(**kwargs)

    @property
    def model(self) -> Any:
        return apps.get_model(self.model_label)

    def to_internal_value(self, data: Any) -> Any:
        if self.of is not None:  # the other argument is not validated yet: see resolve()
            if isinstance(data, self.model):
                return data
            if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
                self.fail("invalid")
            return int(data)
        return self.resolve(data, self.context["target"])

    def resolve(self, data: Any, owner: Model) -> Any:
        """The version ``data`` (a number or a version row) of the row ``owner``; a validation
        error when it has none such."""
        kind = owner._meta.verbose_name
        if isinstance(data, self.model):
            if getattr(data, f"{self.target_key}_id") != owner.pk:
                self.fail("not_ours", kind=kind, name=str(owner))
            return data
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("invalid")
        version = getattr(owner, self.relation).filter(number=int(data)).first()
        if version is None:
            self.fail("not_found", kind=kind, name=str(owner), number=int(data))
        return version

    def to_representation(self, value: Any) -> Any:
        return getattr(value, "number", value)


class TextUpload(ContentFile):
    """A file argument given as its text (GraphQL). Django and DRF want a file name: ``named``
    says whether the client gave one or ``name`` is a stand-in."""

    def __init__(self, content: bytes, name: str | None) -> None:
        self.named = bool(name)
        super().__init__(content, name=PurePath(name).name if name else "upload")


def given_file_name(file: Any) -> str | None:
    """The name a file argument came with: ``None`` for text sent without one (GraphQL)."""
    if not getattr(file, "named", True):
        return None
    return getattr(file, "name", None) or None


def as_upload(value: Any) -> Any:
    """A file argument given outside an HTTP request (the shell, the command): a path or an open
    binary file becomes a Django ``File`` named after it, as an upload would be."""
    from pathlib import Path

    from django.core.files import File

    if isinstance(value, str | Path):
        path = Path(value)
        if not path.is_file():
            raise serializers.ValidationError(f"no file {path}")
        return File(path.open("rb"), name=path.name)
    if isinstance(value, File):
        return value
    return File(value, name=getattr(value, "name", None) or "upload")
