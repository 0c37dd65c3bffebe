"""``XMLAdapter``: DSPy's XML chat format, byte for byte.

Fields are written as ``<name>\nvalue\n</name>`` blocks. Structured outputs (lists, dicts,
TypedDicts and pydantic models) are written and asked for as nested XML (``<items><item>...
</item></items>``, a dict key that is no XML name as ``<entry key="...">``), and parsed back
through the output type's JSON schema; a JSON value inside the outer tag is still understood.
"""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Union, get_args, get_origin
from xml.sax.saxutils import quoteattr

import pydantic
from typing_extensions import is_typeddict

from dspex.adapters.base import complete_outputs
from dspex.adapters.chat_adapter import ChatAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import format_value, type_note
from dspex.adapters.parsing import parse_value
from dspex.adapters.sections import STRUCTURE_INTRO
from dspex.signatures.types import jsonable, type_adapter

if TYPE_CHECKING:
    from dspex.signatures.field import FieldInfo
    from dspex.signatures.signature import Signature

__all__ = ["FieldInfoWithName", "XMLAdapter"]

_Schema = dict[str, Any]


class FieldInfoWithName(NamedTuple):
    """A signature field together with its name (the keys of ``format_field_with_value``)."""

    name: str
    info: FieldInfo


class XMLAdapter(ChatAdapter):
    """Formats prompts as DSPy's XMLAdapter does and parses ``<name>...</name>`` outputs.

    On a parse failure it retries once with :class:`~dspex.adapters.JSONAdapter` unless
    ``use_json_adapter_fallback=False`` (as the ChatAdapter it extends).
    """

    name = "XMLAdapter"

    # -- writing ------------------------------------------------------------------------------
    def format_field_with_value(self, fields_with_values: Mapping[FieldInfoWithName, Any]) -> str:
        """The given fields as XML blocks separated by blank lines."""
        blocks = []
        for field, value in fields_with_values.items():
            is_output = not field.info.is_input
            data = jsonable(value)
            if is_output and _nested(field.info.annotation) and isinstance(data, dict | list):
                blocks.append(_to_xml(data, field.name))
                continue
            text = format_value(field.info, value)
            if is_output and field.info.annotation is str:
                text = _escape(text)
            blocks.append(f"<{field.name}>\n{text}\n</{field.name}>")
        return "\n\n".join(blocks).strip()

    def format_field_structure(self, signature: type[Signature]) -> str:
        def placeholder(name: str, field: FieldInfo) -> str:
            if not field.is_input and _nested(field.annotation):
                return _schema_xml(name, field.annotation)
            return self.format_field_with_value({FieldInfoWithName(name, field): type_note(name, field)})

        groups = (
            "\n\n".join(placeholder(name, field) for name, field in fields.items())
            for fields in (signature.input_fields, signature.output_fields)
        )
        return "\n\n".join((STRUCTURE_INTRO, *groups))

    def format_user_message_content(
        self,
        signature: type[Signature],
        inputs: Mapping[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        fields = {
            FieldInfoWithName(name, field): inputs[name]
            for name, field in signature.input_fields.items()
            if name in inputs
        }
        parts = [prefix, self.format_field_with_value(fields)]
        if main_request:
            parts.append(self.user_message_output_requirements(signature))
        return "\n\n".join((*parts, suffix)).strip()

    def format_assistant_message_content(
        self, signature: type[Signature], outputs: Mapping[str, Any], missing_field_message: str | None = None
    ) -> str:
        return self.format_field_with_value(
            {
                FieldInfoWithName(name, field): outputs.get(name, missing_field_message)
                for name, field in signature.output_fields.items()
            }
        )

    def user_message_output_requirements(self, signature: type[Signature]) -> str:
        """``Respond with the corresponding output fields wrapped in XML tags `<a>`, then `<b>`.``
        and, for structured outputs, the nested XML to use."""
        tags = ", then ".join(f"`<{name}>`" for name in signature.output_fields)
        schemas = [
            _schema_xml(name, field.annotation)
            for name, field in signature.output_fields.items()
            if _nested(field.annotation)
        ]
        text = f"Respond with the corresponding output fields wrapped in XML tags {tags}."
        return text + (f" Use this nested XML structure: {' '.join(schemas)}" if schemas else "")

    # -- reading ------------------------------------------------------------------------------
    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """Read the output fields from the completion's top-level XML elements."""
        try:
            root = ET.fromstring(f"<dspy_root>{completion}</dspy_root>")
        except ET.ParseError as exc:
            raise AdapterParseError(
                adapter_name=self.name,
                signature=signature,
                lm_response=completion,
                message=f"Failed to parse XML: {exc}",
            ) from exc
        elements = _children(root)
        fields: dict[str, Any] = {}
        for name, field in signature.output_fields.items():
            if name in elements:
                fields[name] = self._read_field(signature, completion, name, field, elements[name])
        return complete_outputs(self.name, signature, fields, completion)

    def _read_field(
        self,
        signature: type[Signature],
        completion: str,
        name: str,
        field: FieldInfo,
        elements: list[ET.Element],
    ) -> Any:
        adapter = type_adapter(field.annotation)
        schema = adapter.json_schema(by_alias=False)
        definitions = schema.get("$defs", {})
        value: Any = None
        error: Exception | None = None
        # The whole schema first, then each branch of a union in turn.
        for candidate in [schema, *schema.get("anyOf", [])]:
            try:
                value = _from_elements(elements, candidate, definitions)
                try:
                    return parse_value(value, field.annotation)
                except pydantic.ValidationError:
                    return adapter.validate_python(value, by_name=True)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                error = exc
        raise AdapterParseError(
            adapter_name=self.name,
            signature=signature,
            lm_response=completion,
            message=f"Failed to parse field {name} with value {value!r}: {error}",
        ) from error


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _nested(annotation: Any) -> bool:
    """Whether an output of this type is written as nested XML (containers and models, not the
    engine's own model types such as images)."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    origin = get_origin(annotation)
    item = get_args(annotation)[0] if origin is list and get_args(annotation) else annotation
    engine_type = isinstance(item, type) and issubclass(item, pydantic.BaseModel)
    if engine_type and item.__module__.startswith(("dspex.", "dspy.")):
        return False
    return (
        origin in (list, dict)
        or is_typeddict(annotation)
        or (isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel))
    )


def _to_xml(value: Any, tag: str, key: str | None = None) -> str:
    """A JSON value as XML: lists as ``<item>`` children, dicts as one child per key."""
    attrs = f" key={quoteattr(key)}" if key is not None else ""
    if isinstance(value, list):
        inner = "".join(_to_xml(item, "item") for item in value)
        return f"<{tag}{attrs}>{inner}</{tag}>" if inner else f"<{tag}{attrs} />"
    if isinstance(value, dict):
        parts = []
        for name, child in value.items():
            name = str(name)
            is_tag = (name[:1] + name[1:].replace("-", "_").replace(".", "_")).isidentifier()
            parts.append(_to_xml(child, name) if is_tag else _to_xml(child, "entry", name))
        return f"<{tag}{attrs}>{''.join(parts)}</{tag}>"
    if value is None:
        return f"<{tag}{attrs} />"
    return f"<{tag}{attrs}>{_escape(str(value))}</{tag}>"


def _schema_xml(tag: str, annotation: Any) -> str:
    """The nested XML skeleton of a type (``<a><b>...</b></a>``)."""
    schema = type_adapter(annotation).json_schema(by_alias=False)
    return _skeleton(tag, schema, schema.get("$defs", {}), frozenset())


def _skeleton(tag: str, schema: _Schema, definitions: _Schema, seen: frozenset[str]) -> str:
    reference = schema.get("$ref")
    if reference:
        name = reference.rsplit("/", 1)[-1]
        if name in seen:  # a recursive model: stop here
            return f"<{tag}>...</{tag}>"
        return _skeleton(tag, definitions[name], definitions, seen | {name})
    choices = schema.get("anyOf")
    if choices:
        chosen = next((choice for choice in choices if choice.get("type") != "null"), choices[0])
        return _skeleton(tag, chosen, definitions, seen)
    if schema.get("type") == "array":
        return f"<{tag}>{_skeleton('item', schema.get('items', {}), definitions, seen)}</{tag}>"
    inner = "".join(
        _skeleton(name, child, definitions, seen) for name, child in schema.get("properties", {}).items()
    )
    return f"<{tag}>{inner}</{tag}>" if inner else f"<{tag}>...</{tag}>"


def _from_elements(elements: list[ET.Element], schema: _Schema, definitions: _Schema) -> Any:
    """The JSON value that same-named XML elements hold, read by ``schema``."""
    schema = definitions.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    choices = schema.get("anyOf")
    if choices:
        first = elements[0]
        if {"type": "null"} in choices and not list(first) and not (first.text or "").strip():
            return None
        choices = [choice for choice in choices if choice.get("type") != "null"]
        schema = choices[0]
        if list(first):  # children: prefer a structured branch
            schema = next((choice for choice in choices if choice.get("type") != "string"), schema)
    if schema.get("type") == "array":
        if len(elements) == 1 and not list(elements[0]):
            text = (elements[0].text or "").strip()
            if not text:
                return []
            if text.startswith("["):  # a JSON list inside the tag
                return text
        if len(elements) == 1:
            items = _children(elements[0]).get("item")
            if items:
                elements = items
        return [_from_elements([element], schema.get("items", {}), definitions) for element in elements]
    element = elements[0]
    if schema.get("type") == "string" and list(element):  # markup inside a text value
        return (element.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in element)
    children = _children(element)
    if not children:
        if schema.get("type") == "object" and not (element.text or "").strip():
            return {}
        texts = [(each.text or "").strip() for each in elements]
        return texts[0] if len(texts) == 1 else texts
    properties = schema.get("properties", {})
    other = schema.get("additionalProperties", {})
    if not isinstance(other, dict):
        other = {}
    return {
        name: _from_elements(items, properties.get(name, other), definitions)
        for name, items in children.items()
    }


def _children(element: ET.Element) -> dict[str, list[ET.Element]]:
    """Child elements grouped by name (an ``<entry key="...">`` by its key), in order."""
    grouped: dict[str, list[ET.Element]] = defaultdict(list)
    for child in element:
        name = child.attrib.get("key", child.tag) if child.tag == "entry" else child.tag
        grouped[name].append(child)
    return grouped
