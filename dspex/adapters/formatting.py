"""How values and fields are written into prompts (DSPy-identical rendering)."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args, get_origin

from dspex.signatures.field import FieldInfo
from dspex.signatures.types import annotation_name, is_enum, json_schema_of, jsonable

# jsonable lives with the type helpers (primitives use it too, below the adapters); it stays
# importable from here.
__all__ = [
    "field_descriptions",
    "format_value",
    "jsonable",
    "type_note",
]


def format_value(field: FieldInfo, value: Any) -> str:
    """Render one field value: numbered lists for ``str`` fields given a list, JSON for
    containers, ``str()`` otherwise (no quotes around strings)."""
    if type(value) is str:
        return value
    if isinstance(value, list) and field.annotation is str:
        return _numbered_list(value)
    data = jsonable(value)
    if isinstance(data, dict | list):
        return json.dumps(data, ensure_ascii=False)
    return str(data)


def _numbered_list(items: list[Any]) -> str:
    if not items:
        return "N/A"
    if len(items) == 1:
        return _blob(items[0])
    return "\n".join(f"[{i}] {_blob(item)}" for i, item in enumerate(items, start=1))


def _blob(value: Any) -> str:
    text = str(value)
    if "\n" not in text and "«" not in text and "»" not in text:
        return f"«{text}»"
    return "«««\n    " + text.replace("\n", "\n    ") + "\n»»»"


def type_note(name: str, field: FieldInfo) -> str:
    """The ``{name}        # note: the value you produce ...`` placeholder of the field structure."""
    annotation = field.annotation
    if field.is_input or annotation is str:
        note = ""
    elif annotation is bool:
        note = "must be True or False"
    elif annotation in (int, float):
        note = f"must be a single {annotation.__name__} value"
    elif is_enum(annotation):
        note = "must be one of: " + "; ".join(str(member.value) for member in annotation)
    elif get_origin(annotation) is Literal:
        note = "must exactly match (no extra characters) one of: " + "; ".join(
            str(a) for a in get_args(annotation)
        )
    else:
        schema = json.dumps(json_schema_of(annotation), ensure_ascii=False)
        note = f"must adhere to the JSON schema: {schema}"
    return f"{{{name}}}" + (f"        # note: the value you produce {note}" if note else "")


def field_descriptions(fields: dict[str, FieldInfo]) -> str:
    """``1. `question` (str): description`` lines, with a ``Constraints:`` line when present."""
    lines = []
    for index, (name, field) in enumerate(fields.items(), start=1):
        desc = field.desc if field.desc != f"${{{name}}}" else ""
        line = f"{index}. `{name}` ({annotation_name(field.annotation)}): {desc}"
        constraints = field.constraints_text()
        if constraints:
            line += f"\nConstraints: {constraints}"
        lines.append(line)
    return "\n".join(lines).strip()


def output_type_hint(field: FieldInfo) -> str:
    """`` (must be formatted as a valid Python list[str])`` for non-``str`` outputs."""
    if field.annotation is str:
        return ""
    return f" (must be formatted as a valid Python {annotation_name(field.annotation)})"
