"""Form pieces for the admin: JSON fields bounded in depth and free of NUL/unpaired surrogates.

Django's ``forms.JSONField`` hands the text to ``json.loads`` (a ``RecursionError`` past ~1,000
levels, a 500) and stores whatever ``\\u0000`` escapes decode to (PostgreSQL refuses it, another
500). ``SafeJSONFormField`` makes both a form error under the field; ``SafeJSONAdminMixin`` puts it
on every model ``JSONField`` of a ``ModelAdmin``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput

from dspex_project.safe_input import InputRejected, JSONTooDeep, check_json_depth, check_text

__all__ = ["SafeJSONAdminMixin", "SafeJSONFormField", "check_form_value"]


def check_form_value(value: Any) -> Any:
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
        if isinstance(data, str | bytes) and not self.disabled:
            try:
                check_json_depth(data)
            except JSONTooDeep:
                return InvalidJSONInput(data)  # shown back as typed, never parsed
        return super().bound_data(data, initial)


class SafeJSONAdminMixin:
    """For ``ModelAdmin`` classes whose forms edit ``JSONField``s."""

    formfield_overrides = {models.JSONField: {"form_class": SafeJSONFormField}}
