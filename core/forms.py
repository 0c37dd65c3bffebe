"""Form pieces for the admin: JSON fields bounded in depth and free of NUL/unpaired surrogates.

Django's ``forms.JSONField`` hands the text to ``json.loads`` (a ``RecursionError`` past ~1,000
levels, a 500) and stores whatever ``\\u0000`` escapes decode to (PostgreSQL refuses it, another
500). ``SafeJSONFormField`` makes both a form error under the field; ``SafeJSONAdminMixin`` puts it
on every model ``JSONField`` of a ``ModelAdmin``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput

from core.safe_input import InputRejected, JSONTooDeep, check_json_depth, check_text

__all__ = ["SafeJSONAdminMixin", "SafeJSONFormField", "check_form_value"]


_Value = TypeVar("_Value")


def check_form_value(value: _Value) -> _Value:
    """``value`` unchanged, or a ``ValidationError`` for bad text or too deep a value."""
    try:
        check_text(value)
    except InputRejected as exc:
        raise ValidationError(exc.message, code="invalid") from None
    return value


class SafeJSONFormField(forms.JSONField):
    def to_python(self, value: Any) -> Any:
        if isinstance(value, str | bytes) and not self.disabled:
            try:
                check_json_depth(value)
            except JSONTooDeep as exc:
                raise ValidationError(exc.message, code="invalid") from None
        return check_form_value(super().to_python(value))

    def bound_data(self, data: Any, initial: Any) -> Any:
        # A refused value is shown back as typed: parsing it again would recurse (too deep) or
        # put a lone surrogate in the page, which cannot be encoded (a 500 on re-rendering).
        if isinstance(data, str | bytes) and not self.disabled:
            try:
                check_json_depth(data)
            except JSONTooDeep:
                return InvalidJSONInput(data)
        value = super().bound_data(data, initial)
        if isinstance(data, str) and not isinstance(value, InvalidJSONInput):
            try:
                check_text(value)
            except InputRejected:
                return InvalidJSONInput(data)
        return value


class SafeJSONAdminMixin:
    """For ``ModelAdmin`` classes whose forms edit ``JSONField``s."""

    formfield_overrides: ClassVar[Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]] = {
        models.JSONField: {"form_class": SafeJSONFormField}
    }
