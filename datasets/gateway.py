"""The datasets app's gateway to the engine: the only module here importing both dataset rows and
``dspex``.

- ``record_values``: one imported record -> validated ``(inputs, labels, split)`` for a signature;
- ``example_from_row`` / ``examples_from_version``: Example rows -> ``dspex.Example`` (inputs marked);
- ``row_values_from_example``: ``dspex.Example`` -> ``(inputs, labels)`` for an Example row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

import dspex
from core import safe_input
from dspex.signatures.types import allows_none
from dspex.signatures.validation import validate_field
from programs.gateway.signatures import jsonable, signature_from_row

if TYPE_CHECKING:
    from datasets.models import DatasetVersion, Example
    from programs.models import Signature

__all__ = [
    "example_from_row",
    "examples_from_version",
    "field_names",
    "record_values",
    "row_values_from_example",
]

SPLITS = ("train", "dev", "test")


def _wants_json(field: Any) -> bool:
    return not field.type_undefined and field.annotation is not str


def _from_csv(
    fields: Mapping[str, Any], values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """CSV cells are strings: JSON-decode those of non-string fields; an empty cell is missing."""
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        field = fields.get(key)
        if field is not None and _wants_json(field) and isinstance(value, str):
            if value == "":
                continue
            try:
                value = safe_input.loads(value)
            except safe_input.JSONTooDeep as exc:
                errors.setdefault(key, []).append(exc.message)
                continue
            except ValueError:
                pass  # validation coerces or rejects the text as it is
        decoded[key] = value
    return decoded


_JSON_TYPES = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}


def _declared_str(field: Any) -> bool:
    return field.annotation is str and not field.type_undefined


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _check(
    fields: Mapping[str, Any], values: Mapping[str, Any], *, required: bool, errors: dict[str, list[str]]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, field in fields.items():
        if name in values and _declared_str(field) and not isinstance(values[name], str):
            # Imported data is typed: a field declared `str` holds text, never a JSON structure
            # (calls may still pass a list to a str input: DSPy formats it as a numbered list).
            got = "null" if values[name] is None else _JSON_TYPES.get(type(values[name]), "a non-string")
            errors.setdefault(name, []).append(f"expects str (text), got {got}: {_shown(values[name])}")
        elif name in values:
            try:
                result[name] = jsonable(validate_field(name, field, values[name]))
            except dspex.FieldValidationError as exc:
                errors.setdefault(name, []).append(str(exc))
        elif field.has_default:
            result[name] = jsonable(field.default)
        elif required and not allows_none(field.annotation) and name not in errors:
            kind = "input" if field.is_input else "label"
            errors.setdefault(name, []).append(f"missing {kind} `{name}`")
    return result


def record_values(
    signature: type[dspex.Signature],
    values: Mapping[str, Any],
    *,
    from_csv: bool = False,
    require_labels: bool = True,
    default_split: str = "train",
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Validate one record against ``signature``: ``(inputs, labels, split)``, values coerced.

    Flat records name the signature's fields (and ``split``); structured ones have ``inputs`` and
    ``labels`` objects. All problems of the record are reported at once, keyed by field.
    """
    inputs_fields, output_fields = signature.input_fields, signature.output_fields
    known = {**inputs_fields, **output_fields}
    errors: dict[str, list[str]] = {}
    values = dict(values)
    split = values.pop("split", None) if "split" not in known else None
    if isinstance(values.get("inputs"), dict) and "inputs" not in known:
        raw_inputs = values.pop("inputs")
        raw_labels = values.pop("labels", {}) if "labels" not in known else {}
        if not isinstance(raw_labels, dict):
            errors.setdefault("labels", []).append("`labels` must be an object")
            raw_labels = {}
        for key in values:
            errors.setdefault(key, []).append(
                "unknown key (a structured record has inputs, labels and split)"
            )
        for key in raw_inputs:
            if key not in inputs_fields:
                errors.setdefault(key, []).append(f"not an input field (inputs: {', '.join(inputs_fields)})")
        for key in raw_labels:
            if key not in output_fields:
                errors.setdefault(key, []).append(f"not an output field (labels: {', '.join(output_fields)})")
    else:
        raw_inputs = {k: v for k, v in values.items() if k in inputs_fields}
        raw_labels = {k: v for k, v in values.items() if k in output_fields}
        for key in values:
            if key not in known:
                errors.setdefault(key, []).append(
                    f"unknown field (inputs: {', '.join(inputs_fields)}; labels: {', '.join(output_fields)})"
                )
    if from_csv:
        raw_inputs = _from_csv(inputs_fields, raw_inputs, errors)
        raw_labels = _from_csv(output_fields, raw_labels, errors)
    inputs = _check(inputs_fields, raw_inputs, required=True, errors=errors)
    labels = _check(output_fields, raw_labels, required=require_labels, errors=errors)
    if split in (None, ""):
        split = default_split
    if split not in SPLITS:
        errors.setdefault("split", []).append(f"must be one of {', '.join(SPLITS)}, got {split!r}")
    if errors:
        raise ValidationError(errors)
    return inputs, labels, str(split)


def field_names(signature: Signature | None) -> list[str]:
    """The field names of a Signature row, inputs first, in declaration order ([] when unusable)."""
    if signature is None:
        return []
    try:
        return list(signature_from_row(signature).fields)
    except ValidationError:
        return []


def example_from_row(row: Example) -> dspex.Example:
    """``dspex.Example`` with the row's inputs and labels; the inputs are marked as inputs."""
    return dspex.Example({**row.labels, **row.inputs}).with_inputs(*row.inputs)


def examples_from_version(version: DatasetVersion, split: str | None = None) -> list[dspex.Example]:
    """The version's examples (optionally one split), in position order."""
    rows = version.examples.order_by("position")
    if split is not None:
        rows = rows.filter(split=split)
    return [example_from_row(row) for row in rows]


def row_values_from_example(example: dspex.Example) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(inputs, labels)`` of a ``dspex.Example`` whose inputs are marked (``with_inputs``)."""
    if example.input_keys is None:
        raise ValueError("mark the example's inputs first: example.with_inputs('field', ...)")
    return jsonable(example.inputs().to_dict()), jsonable(example.labels().to_dict())
