"""input_schema() / output_schema(): JSON schema objects with types, descriptions, constraints."""

from __future__ import annotations

import json
from typing import Literal, Optional

import pydantic

import dspex


class Address(pydantic.BaseModel):
    city: str


class Profile(dspex.Signature):
    """Build a profile."""

    name: str = dspex.InputField(desc="full name", min_length=1, max_length=80)
    age: int = dspex.InputField(ge=0, le=150)
    nickname: Optional[str] = dspex.InputField()  # noqa: UP045
    tags: list[str] = dspex.InputField(default=[])
    address: Address = dspex.OutputField(desc="home address")
    previous: list[Address] = dspex.OutputField()
    tier: Literal["free", "pro"] = dspex.OutputField()
    score: float = dspex.OutputField(gt=0, lt=1)
    code: str = dspex.OutputField(pattern=r"^[A-Z]{3}$")


def test_the_input_schema_describes_every_input():
    schema = Profile.input_schema()

    assert schema["title"] == "ProfileInputs"
    assert schema["type"] == "object"
    assert list(schema["properties"]) == ["name", "age", "nickname", "tags"]
    assert schema["properties"]["name"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 80,
        "description": "full name",
    }
    assert schema["properties"]["age"] == {"type": "integer", "minimum": 0, "maximum": 150}
    assert schema["properties"]["nickname"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}, "default": []}


def test_required_lists_inputs_without_default_that_cannot_be_none():
    assert Profile.input_schema()["required"] == ["name", "age"]


def test_the_output_schema_has_models_literals_and_constraints():
    schema = Profile.output_schema()

    assert schema["title"] == "ProfileOutputs"
    assert schema["required"] == ["address", "previous", "tier", "score", "code"]
    assert schema["properties"]["address"] == {
        "type": "object",
        "title": "Address",
        "properties": {"city": {"title": "City", "type": "string"}},
        "required": ["city"],
        "description": "home address",
    }
    assert schema["properties"]["previous"] == {"type": "array", "items": {"$ref": "#/$defs/Address"}}
    assert schema["$defs"]["Address"]["properties"] == {"city": {"title": "City", "type": "string"}}
    assert schema["properties"]["tier"] == {"enum": ["free", "pro"], "type": "string"}
    assert schema["properties"]["score"] == {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert schema["properties"]["code"] == {"type": "string", "pattern": "^[A-Z]{3}$"}


def test_default_descriptions_are_not_shown():
    schema = dspex.Signature("question -> answer").output_schema()

    assert schema["properties"]["answer"] == {"type": "string"}


def test_schemas_are_json_serialisable():
    assert json.loads(json.dumps(Profile.output_schema())) == Profile.output_schema()
    assert json.loads(json.dumps(Profile.input_schema())) == Profile.input_schema()


def test_a_string_signature_schema_uses_its_types():
    sig = dspex.Signature("items: list[int], lookup: dict[str, float] -> ok: bool")

    assert sig.input_schema()["properties"] == {
        "items": {"type": "array", "items": {"type": "integer"}},
        "lookup": {"type": "object", "additionalProperties": {"type": "number"}},
    }
    assert sig.output_schema()["properties"] == {"ok": {"type": "boolean"}}
