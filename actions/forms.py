"""The admin form of an action, derived from its argument serializer."""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from actions.declaration import Action
from actions.fields import VisibleRowField
from core.forms import SafeJSONFormField
from core.users import Caller

__all__ = ["ActionForm", "form_class"]


class JSONFormField(SafeJSONFormField):
    """JSON text in a textarea, bounded like every admin JSON field (depth, NUL, lone
    surrogates); ``want_object`` refuses anything but a JSON object."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})
    default_error_messages = {"invalid": "not valid JSON"}

    def __init__(self, *, want_object: bool = False, **kwargs: Any) -> None:
        self.want_object = want_object
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        parsed = super().to_python(value)
        if self.want_object and parsed is not None and not isinstance(parsed, dict):
            raise forms.ValidationError("give a JSON object of names and values", code="invalid")
        return parsed


class ActionForm(forms.Form):
    """Base of the generated forms; ``arguments()`` are the values the serializer validates."""

    def arguments(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v is not None and v != ""}


def _form_field(field: serializers.Field, user: Caller | None) -> forms.Field:
    options: dict[str, Any] = {"required": bool(field.required), "help_text": field.help_text or ""}
    if field.label:
        options["label"] = field.label
    if field.default is not serializers.empty and not callable(field.default):
        options["initial"] = field.default
    if isinstance(field, VisibleRowField):
        rows = field.rows_for(user)
        return forms.TypedChoiceField(
            choices=[("", "---------")] + [(row.pk, str(row)) for row in rows[:500]],
            coerce=int,
            empty_value=None,
            **options,
        )
    if isinstance(field, serializers.FileField):
        return forms.FileField(**options)
    choices = field.style.get("admin_choices")
    if choices is not None:  # a free-text argument whose known values the admin offers
        return forms.ChoiceField(choices=choices, **options)
    if isinstance(field, serializers.BooleanField):
        options["required"] = False
        return forms.BooleanField(**options)
    if isinstance(field, serializers.IntegerField):
        return forms.IntegerField(min_value=field.min_value, max_value=field.max_value, **options)
    if isinstance(field, serializers.FloatField):
        return forms.FloatField(**options)
    if isinstance(field, serializers.ChoiceField):
        return forms.ChoiceField(choices=list(field.choices.items()), **options)
    if isinstance(field, serializers.JSONField | serializers.DictField | serializers.ListField):
        if (
            options.get("initial") is None
            and field.default is not serializers.empty
            and callable(field.default)
        ):
            options["initial"] = field.default()
        return JSONFormField(want_object=isinstance(field, serializers.DictField), **options)
    return forms.CharField(**options)


def form_class(action: Action, user: Caller | None) -> type[ActionForm]:
    """A form with one field per argument of ``action``."""
    fields: dict[str, forms.Field] = {}
    if action.arguments is not None:
        for name, field in action.arguments().fields.items():
            if not field.read_only:
                fields[name] = _form_field(field, user)
    return type(f"{action.name.title()}Form", (ActionForm,), fields)
