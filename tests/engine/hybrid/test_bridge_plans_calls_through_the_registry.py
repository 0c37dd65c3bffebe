"""The bridge plans a native call on dspy through the registry (the type's ``dspy_call``), raises
Predict's own errors for a predictor call, and its ``__all__`` names what the engine imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dspex
from dspex.hybrid import dspy_bridge, registry

ENGINE = Path(dspex.__file__).resolve().parent


class Shout(dspex.Module):
    """A native unit whose dspy side is planned by a registered call planner."""

    def forward(self, text):
        return dspex.Prediction(answer=text.upper())


@pytest.fixture
def shout_registered():
    planned = []

    def planner(native, kwargs):
        planned.append((native, dict(kwargs)))
        dspy = dspy_bridge.load_dspy()
        lm = kwargs.pop("lm")
        return dspy_bridge.DspyCall(
            lambda **inputs: dspy.Prediction(answer="planned"), kwargs, lm, None, None
        )

    registry.register_native("shout", Shout, to_dspy=lambda native: None, dspy_call=planner)
    registry.register_dspy("shout", "dspy:Predict")
    yield planned
    registry.unregister("shout", "native")
    registry.unregister("shout", "dspy")


@pytest.mark.dspy
def test_a_registered_call_planner_plans_the_dspy_call(shout_registered, stub_lm):
    module = Shout()

    assert module(text="hi").answer == "HI"
    prediction = module(text="hi", lm=stub_lm, backend="dspy")

    assert prediction.answer == "planned"
    assert shout_registered == [(module, {"text": "hi", "lm": stub_lm})]
    assert [a["backend"] for a in dspex.hybrid.attempts_of(prediction)] == ["dspy"]


@pytest.mark.dspy
@pytest.mark.parametrize("make", [dspex.Predict, dspex.ChainOfThought], ids=["predict", "chain_of_thought"])
def test_a_predictor_call_without_an_lm_fails_the_same_way_on_both_backends(make):
    module = make("question -> answer")
    with pytest.raises(dspex.NoLMConfiguredError) as native:
        module(question="q")
    with pytest.raises(dspex.NoLMConfiguredError) as theirs:
        module(question="q", backend="dspy")
    assert str(theirs.value) == str(native.value)
    assert str(native.value).startswith("No LM is configured.")


@pytest.mark.dspy
def test_a_string_lm_is_refused_the_same_way_on_both_backends():
    module = dspex.Predict("question -> answer")
    for backend in ("native", "dspy"):
        with pytest.raises(TypeError, match=r"lm must be a dspex\.LM, not the string"):
            module(question="q", lm="openai/gpt-4o-mini", backend=backend)


def _bridge_names_used_by_the_engine() -> set[str]:
    used: set[str] = set()
    for path in ENGINE.rglob("*.py"):
        if path.name == "dspy_bridge.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "dspex.hybrid.dspy_bridge":
                used |= {alias.name for alias in node.names}
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "dspy_bridge"
            ):
                used.add(node.attr)
    return used


def test_the_bridge_all_names_every_bridge_function_the_engine_uses_and_nothing_missing():
    used = _bridge_names_used_by_the_engine()
    assert used, "the scan found no use of the bridge"
    assert used <= set(dspy_bridge.__all__)
    assert all(hasattr(dspy_bridge, name) for name in dspy_bridge.__all__)
