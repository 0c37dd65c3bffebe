"""Signature rows and the engine: a Signature row -> a ``dspex.Signature`` class (errors become
``ValidationError`` naming what is wrong, with the parser's reason and position), inputs checked
against it, and outputs back as a ``dspex.Prediction``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

import dspex
from dspex.adapters.formatting import jsonable as _jsonable
from dspex.signatures.field import CONSTRAINT_NAMES

if TYPE_CHECKING:
    from programs.models import Signature

__all__ = [
    "jsonable",
    "prediction_from_outputs",
    "signature_from_fields",
    "signature_from_row",
    "signature_from_spec",
    "validate_inputs",
]


_FIELD_KEYS = frozenset({"name", "kind", "type", "desc", "prefix", "constraints"})


def jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value`` (engine values: pydantic models, tuples, ...)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return _jsonable(value)


def _signature_error(exc: dspex.SignatureError, field_name: str, where: str = "") -> ValidationError:
    if exc.position is not None:
        message = "Invalid signature%(where)s at position %(position)s: %(reason)s"
    else:
        message = "Invalid signature%(where)s: %(reason)s"
    return ValidationError(
        {
            field_name: ValidationError(
                message,
                code="invalid_signature",
                params={"reason": exc.reason, "position": exc.position, "where": where},
            )
        }
    )


def signature_from_spec(spec: str, instructions: str | None = None) -> type[dspex.Signature]:
    """``"question -> answer"`` -> a Signature class; a malformed spec is a ValidationError on ``spec``."""
    try:
        return dspex.make_signature(spec, instructions or None)
    except dspex.SignatureError as exc:
        raise _signature_error(exc, "spec") from None


def _field_list_error(message: str, **params: Any) -> ValidationError:
    return ValidationError({"fields": ValidationError(message, code="invalid", params=params)})


def signature_from_fields(fields: Any, instructions: str | None = None) -> type[dspex.Signature]:
    """A field list (see ``Signature`` model) -> a Signature class, errors naming the field."""
    if not isinstance(fields, list) or not fields:
        raise _field_list_error("fields must be a non-empty list of field objects")
    inputs: list[tuple[int, str]] = []
    outputs: list[tuple[int, str]] = []
    for index, item in enumerate(fields):
        if not isinstance(item, dict):
            raise _field_list_error("fields[%(index)s] must be an object", index=index)
        unknown = sorted(set(item) - _FIELD_KEYS)
        if unknown:
            raise _field_list_error(
                "fields[%(index)s] has unknown key(s) %(keys)s (allowed: %(allowed)s)",
                index=index,
                keys=", ".join(unknown),
                allowed=", ".join(sorted(_FIELD_KEYS)),
            )
        name, kind, type_ = item.get("name"), item.get("kind"), item.get("type")
        if not isinstance(name, str) or not name:
            raise _field_list_error("fields[%(index)s] needs a name", index=index)
        if kind not in ("input", "output"):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): kind must be 'input' or 'output', got %(kind)r",
                index=index,
                name=name,
                kind=kind,
            )
        if type_ is not None and (not isinstance(type_, str) or not type_.strip()):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): type must be a string", index=index, name=name
            )
        constraints = item.get("constraints") or {}
        if not isinstance(constraints, dict) or set(constraints) - set(CONSTRAINT_NAMES):
            raise _field_list_error(
                "fields[%(index)s] (%(name)s): constraints must be an object with keys among %(allowed)s",
                index=index,
                name=name,
                allowed=", ".join(CONSTRAINT_NAMES),
            )
        (inputs if kind == "input" else outputs).append((index, f"{name}: {type_}" if type_ else name))

    # Build the equivalent spec string, remembering where each field's text starts, so that a
    # parser error can name the field it is in.
    spec, spans = "", []
    for side, items in ((0, inputs), (1, outputs)):
        if side:
            spec += " -> "
        for n, (index, text) in enumerate(items):
            if n:
                spec += ", "
            spans.append((len(spec), len(spec) + len(text), index))
            spec += text
    try:
        signature = dspex.make_signature(spec, instructions or None)
    except dspex.SignatureError as exc:
        where = ""
        for start, end, index in spans:
            if exc.position is not None and start <= exc.position <= end:
                where = f" in fields[{index}] ({fields[index]['name']!r})"
                exc.position -= start
                break
        else:
            exc.position = None
        raise _signature_error(exc, "fields", where) from None
    for item in fields:
        changes = {key: item[key] for key in ("desc", "prefix") if item.get(key) is not None}
        changes.update(item.get("constraints") or {})
        if changes:
            try:
                signature = signature.with_updated_fields(item["name"], **changes)
            except (dspex.SignatureError, TypeError, ValueError) as exc:
                raise _field_list_error(
                    "field %(name)s: %(error)s", name=item["name"], error=str(exc)
                ) from None
    return signature


def signature_from_row(row: Signature) -> type[dspex.Signature]:
    """The engine signature of a Signature row (its ``spec`` or its ``fields``)."""
    has_spec, has_fields = bool(row.spec and row.spec.strip()), bool(row.fields)
    if has_spec and has_fields:
        raise ValidationError(
            {"spec": ValidationError("give either a spec or a field list, not both", code="invalid")}
        )
    if not has_spec and not has_fields:
        raise ValidationError(
            {
                "spec": ValidationError(
                    "give a spec (like 'question -> answer') or a field list", code="required"
                )
            }
        )
    if has_spec:
        return signature_from_spec(row.spec, row.instructions)
    return signature_from_fields(row.fields, row.instructions)


def validate_inputs(signature: type[dspex.Signature], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce ``inputs`` to the signature's input fields; missing, unknown or mistyped fields are a
    ValidationError keyed by the field's name."""
    if not isinstance(inputs, Mapping):
        raise ValidationError({"inputs": "inputs must be an object of field values"}, code="invalid")
    try:
        return signature.validate_inputs(inputs)
    except dspex.FieldValidationError as exc:
        raise ValidationError({exc.field: ValidationError(str(exc), code="invalid_input")}) from None


def prediction_from_outputs(outputs: Mapping[str, Any] | None) -> dspex.Prediction:
    """A ``dspex.Prediction`` from an Execution's stored outputs."""
    return dspex.Prediction(**dict(outputs or {}))
