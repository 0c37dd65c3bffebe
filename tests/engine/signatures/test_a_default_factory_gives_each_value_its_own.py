"""``OutputField(default_factory=list)``, as pydantic and DSPy take it: a missing value is a fresh
result of the factory each time, never one shared object."""

from __future__ import annotations

import pytest

import dspex
from dspex.signatures.validation import validate_outputs


class Tagged(dspex.Signature):
    """Tag the text."""

    text: str = dspex.InputField()
    tags: list[str] = dspex.OutputField(default_factory=list)


def test_a_missing_output_gets_a_fresh_value_of_the_factory() -> None:
    first = validate_outputs(Tagged.output_fields, {})
    second = validate_outputs(Tagged.output_fields, {})
    assert first["tags"] == [] and second["tags"] == []
    first["tags"].append("x")
    assert second["tags"] == []
    assert Tagged.output_fields["tags"].has_default


def test_a_factory_with_a_default_or_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="default_factory"):
        dspex.OutputField(default_factory=list, default=[])
    with pytest.raises(TypeError, match="default_factory"):
        dspex.OutputField(default_factory=[])
