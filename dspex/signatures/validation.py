"""Validate and coerce values against signature fields; JSON schema of a field set."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

import pydantic
import pydantic_core
from pydantic import TypeAdapter

from dspex.signatures.errors import FieldValidationError, SignatureError
from dspex.signatures.field import FieldInfo
from dspex.signatures.types import allows_none, annotation_name, json_schema_of, type_adapter

__all__ = ["check_field", "fields_json_schema", "validate_field", "validate_inputs", "validate_outputs"]


# Output types whose prompt note is plain words, not a JSON schema (see adapters.formatting.type_note).
_SCHEMALESS_NOTES = (str, int, float, bool)


@lru_cache(maxsize=1024)
def _check_json_schema_cached(annotation: Any) -> None:
    json_schema_of(annotation)


def _check_json_schema(annotation: Any) -> None:
    """Raise when ``annotation`` has no JSON schema (remembered: building one costs ~0.3 ms)."""
    try:
        hash(annotation)
    except TypeError:
        json_schema_of(annotation)
    else:
        _check_json_schema_cached(annotation)


@lru_cache(maxsize=4096)
def _constrained_adapter(field: FieldInfo) -> TypeAdapter[Any]:
    if not field.constraints:
        return type_adapter(field.annotation)
    return TypeAdapter(Annotated[field.annotation, pydantic.Field(**field.constraints)])


def check_field(name: str, field: FieldInfo, owner: str = "the signature") -> None:
    """Raise :class:`SignatureError` when values of the field's type (with its constraints) cannot
    be validated, e.g. a class pydantic knows nothing about or ``ge="x"``, or when an output's type
    has no JSON schema to show the LM (e.g. ``Callable``).

    Run when a signature is built, so that a bad declaration fails there and not at call time.
    """
    try:
        _constrained_adapter(field)
        if not field.is_input and field.annotation not in _SCHEMALESS_NOTES:
            _check_json_schema(field.annotation)
    except (pydantic.PydanticUserError, pydantic_core.SchemaError, TypeError, ValueError) as exc:
        detail = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        if len(detail) > 300:
            detail = detail[:300] + "..."
        constraints = f" with constraints {field.constraints!r}" if field.constraints else ""
        raise SignatureError(
            f"{field.kind} field `{name}` of {owner}: type {annotation_name(field.annotation)}{constraints} "
            f"is not supported ({detail or type(exc).__name__})"
        ) from None


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
        detail = exc.errors()[0].get("msg", "")
    except TypeError as exc:  # a constraint that does not apply to the value, e.g. min_length on int
        detail = str(exc)
    raise FieldValidationError(name, annotation_name(annotation), value, detail, kind=field.kind.capitalize())


def validate_inputs(
    fields: Mapping[str, FieldInfo], values: Mapping[str, Any], *, allow_extra: bool = False
) -> dict[str, Any]:
    """Check the inputs of a call against the input ``fields``: missing and unknown fields,
    types and constraints."""
    if not allow_extra and not fields.keys() >= values.keys():
        unknown = [k for k in values if k not in fields]
        if unknown:
            raise FieldValidationError(
                unknown[0],
                "no such field",
                values[unknown[0]],
                f"expected inputs: {', '.join(fields) or 'none'}",
                kind="Input",
                unknown=True,
            )
    result: dict[str, Any] = {}
    for name, field in fields.items():
        if name in values:
            result[name] = validate_field(name, field, values[name])
        elif field.has_default:
            result[name] = field.default_value()
        elif allows_none(field.annotation):
            continue
        else:
            raise FieldValidationError(
                name, annotation_name(field.annotation), None, "missing required input", kind="Input"
            )
    if allow_extra:
        result.update({k: v for k, v in values.items() if k not in fields})
    return result


def validate_outputs(fields: Mapping[str, FieldInfo], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check parsed outputs against the output ``fields``' types and constraints. A missing output
    becomes its default (or ``None`` when its type allows it); a missing required output is an error."""
    result: dict[str, Any] = {}
    for name, field in fields.items():
        if name in values:
            result[name] = validate_field(name, field, values[name])
        elif field.has_default:
            result[name] = field.default_value()
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
        try:
            schema = dict(_constrained_adapter(field).json_schema(ref_template="#/$defs/{model}"))
        except pydantic.PydanticInvalidForJsonSchema:  # e.g. a Callable input: any value
            schema = {}
        defs.update(schema.pop("$defs", {}))
        if field.desc and field.desc != f"${{{name}}}":
            schema["description"] = field.desc
        if field.has_default:
            schema["default"] = field.default_value()
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
