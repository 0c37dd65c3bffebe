"""How values and fields are written into prompts (DSPy-identical rendering)."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args, get_origin

from dspex.signatures.field import FieldInfo
from dspex.signatures.types import annotation_name as _signature_annotation_name
from dspex.signatures.types import is_enum, json_schema_of, jsonable
from dspex.types.base import custom_types_in
from dspex.types.code import Code
from dspex.types.reasoning import Reasoning
from dspex.types.tool_calls import ToolCalls

# jsonable lives with the type helpers (primitives use it too, below the adapters); it stays
# importable from here.
__all__ = [
    "annotation_name",
    "field_descriptions",
    "format_value",
    "jsonable",
    "type_note",
]


def annotation_name(annotation: Any) -> str:
    """The type's name in prompts; :class:`~dspex.types.Reasoning` is named ``str`` (a
    reasoning field reads as text, as ChainOfThought's always did)."""
    if annotation is Reasoning:
        return "str"
    return _signature_annotation_name(annotation)


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
    if field.is_input or annotation is str or annotation is Reasoning:
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
    elif isinstance(annotation, type) and issubclass(annotation, Code) and annotation.description():
        note = ""  # the type description already says how to write it
    else:
        schema = json.dumps(json_schema_of(annotation), ensure_ascii=False)
        note = f"must adhere to the JSON schema: {schema}"
    return f"{{{name}}}" + (f"        # note: the value you produce {note}" if note else "")


def field_descriptions(fields: dict[str, FieldInfo]) -> str:
    """``1. `question` (str): description`` lines, with a ``Constraints:`` line when present."""
    lines = []
    for index, (name, field) in enumerate(fields.items(), start=1):
        desc = field.desc if field.desc and field.desc != f"${{{name}}}" else ""
        for custom in custom_types_in(field.annotation):
            about = custom.description()
            if about:
                desc += f"\n    Type description of {annotation_name(custom)}: {about}"
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
    if field.annotation is ToolCalls:
        return ' (must be a JSON object like {"tool_calls": [{"name": "...", "args": {...}}]})'
    return f" (must be formatted as a valid Python {annotation_name(field.annotation)})"
