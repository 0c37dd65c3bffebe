"""Steps name their tools (resolved by the pipeline's tool_resolver) and their backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import dspex
from dspex.modules import register_module, unregister_module
from dspex.pipelines import PipelineValidationError, validate_pipeline


class ToolUser(dspex.Module):
    """Calls each of its tools with the input and joins the results."""

    def __init__(self, signature: Any, tools: list[Any] | None = None, separator: str = " "):
        self.signature = dspex.ensure_signature(signature)
        self.tools = tools or []
        self.separator = separator

    def forward(self, **inputs: Any) -> dspex.Prediction:
        text = next(iter(inputs.values()))
        name = next(iter(self.signature.output_fields))
        return dspex.Prediction(**{name: self.separator.join(tool(text) for tool in self.tools)})


@pytest.fixture
def tool_user() -> Iterator[None]:
    register_module("tool_user", ToolUser, takes_tools=True)
    yield
    unregister_module("tool_user")


TOOLS = {"shout": str.upper, "reverse": lambda text: text[::-1]}


def spec(tools: list[str], **step: Any) -> dict:
    return {
        "inputs": ["text"],
        "outputs": ["out"],
        "steps": [{"id": "use", "module": "tool_user", "signature": "text -> out", "tools": tools, **step}],
    }


def test_tool_names_are_resolved_and_given_to_the_module(tool_user):
    pipeline = dspex.Pipeline(spec(["shout", "reverse"], config={"separator": "|"}), tool_resolver=TOOLS.get)

    assert pipeline(text="abc").out == "ABC|cba"
    assert pipeline.modules["use"].tools == [str.upper, TOOLS["reverse"]]


def test_without_a_tool_resolver_no_tool_is_available(tool_user):
    with pytest.raises(PipelineValidationError) as caught:
        dspex.Pipeline(spec(["shout"]))
    assert caught.value.as_dict() == {
        "steps[0].tools[0]": ["tool 'shout' is not available (no tool_resolver was given to the pipeline)"]
    }


def test_unknown_tools_are_reported_whether_the_resolver_raises_or_returns_none(tool_user):
    def strict(name: str) -> Any:
        return TOOLS[name]  # KeyError for unknown names

    for resolver in (strict, TOOLS.get):
        issues = validate_pipeline(spec(["shout", "fly"]), tool_resolver=resolver)
        assert [(i.path, i.message) for i in issues] == [("steps[0].tools[1]", "unknown tool 'fly'")]


def test_config_a_module_rejects_is_a_validation_error(tool_user):
    issues = validate_pipeline(spec([], config={"colour": "red"}))
    assert issues[0].path == "steps[0].config"
    assert (
        "module 'tool_user' rejected its configuration" in issues[0].message and "colour" in issues[0].message
    )


def test_each_module_gets_its_steps_backend(tool_user):
    pipeline = dspex.Pipeline(
        {
            "inputs": ["text"],
            "outputs": ["out"],
            "steps": [
                {"id": "a", "module": "predict", "signature": "text -> mid", "backend": "dspy"},
                {"id": "b", "module": "chain_of_thought", "signature": "mid -> out", "backend": "native"},
                {"id": "c", "module": "tool_user", "signature": "text -> other"},
            ],
        }
    )
    assert {name: module.backend for name, module in pipeline.modules.items()} == {
        "a": "dspy",
        "b": "native",
        "c": "auto",
    }
    assert [name for name, _ in pipeline.named_predictors()] == ["a", "b.predict"]  # no predictor in c
