"""Validate and coerce values against signature fields; JSON schema of a field set."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

import pydantic
from pydantic import TypeAdapter

from dspex.signatures.errors import FieldValidationError
from dspex.signatures.field import FieldInfo
from dspex.signatures.types import allows_none, annotation_name, type_adapter

if TYPE_CHECKING:
    from dspex.signatures.signature import Signature

__all__ = ["fields_json_schema", "validate_field", "validate_inputs", "validate_outputs"]


@lru_cache(maxsize=4096)
def _constrained_adapter(field: FieldInfo) -> TypeAdapter[Any]:
    if not field.constraints:
        return type_adapter(field.annotation)
    return TypeAdapter(Annotated[field.annotation, pydantic.Field(**field.constraints)])


def validate_field(name: str, field: FieldInfo, value: Any) -> Any:
    """Coerce ``value`` to the field's type and check its constraints.

    Fields declared without a type (``"question -> answer"``) accept any value as is, like DSPy.
    Raises :class:`FieldValidationError` naming the field, the expected type and the value.
    """
    annotation = field.annotation
    if annotation is str and not field.constraints:
        if isinstance(value, str) or field.type_undefined:
            return value
        if isinstance(value, list) and field.is_input:
            return value  # DSPy formats list values of str fields as a numbered list
    if field.type_undefined and not field.constraints:
        return value
    if value is None and allows_none(annotation):
        return None
    try:
        return _constrained_adapter(field).validate_python(value)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        detail = first.get("msg", "")
        raise FieldValidationError(
            name, annotation_name(annotation), value, detail, kind=field.kind.capitalize()
        ) from None


def validate_inputs(
    signature: type[Signature], values: Mapping[str, Any], *, allow_extra: bool = False
) -> dict[str, Any]:
    """Check the inputs of a call: missing and unknown fields, types and constraints."""
    fields = signature.input_fields
    if not allow_extra:
        unknown = [k for k in values if k not in fields]
        if unknown:
            raise FieldValidationError(
                unknown[0],
                "no such field",
                values[unknown[0]],
                f"expected inputs: {', '.join(fields) or 'none'}",
                kind="Input",
            )
    result: dict[str, Any] = {}
    for name, field in fields.items():
        if name in values:
            result[name] = validate_field(name, field, values[name])
        elif field.has_default:
            result[name] = field.default
        elif allows_none(field.annotation):
            continue
        else:
            raise FieldValidationError(
                name, annotation_name(field.annotation), None, "missing required input", kind="Input"
            )
    if allow_extra:
        result.update({k: v for k, v in values.items() if k not in fields})
    return result


def validate_outputs(signature: type[Signature], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check parsed outputs against their types and constraints. A missing output becomes its
    default (or ``None`` when its type allows it); a missing required output is an error."""
    result: dict[str, Any] = {}
    for name, field in signature.output_fields.items():
        if name in values:
            result[name] = validate_field(name, field, values[name])
        elif field.has_default:
            result[name] = field.default
        elif allows_none(field.annotation):
            result[name] = None
        else:
            raise FieldValidationError(
                name, annotation_name(field.annotation), None, "missing required output", kind="Output"
            )
    return result


def fields_json_schema(fields: Mapping[str, FieldInfo], *, title: str) -> dict[str, Any]:
    """A JSON-schema object describing ``fields`` (descriptions and constraints included)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    defs: dict[str, Any] = {}
    for name, field in fields.items():
        schema = dict(_constrained_adapter(field).json_schema(ref_template="#/$defs/{model}"))
        defs.update(schema.pop("$defs", {}))
        if field.desc and field.desc != f"${{{name}}}":
            schema["description"] = field.desc
        if field.has_default:
            schema["default"] = field.default
        properties[name] = schema
        if not field.has_default and not allows_none(field.annotation):
            required.append(name)
    result: dict[str, Any] = {
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
    }
    if defs:
        result["$defs"] = defs
    return result
