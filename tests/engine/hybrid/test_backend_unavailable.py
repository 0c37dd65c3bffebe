"""Asking for a backend that cannot run a type raises BackendUnavailable naming the type, the
backend and what is available."""

from __future__ import annotations

import pytest

import dspex
from dspex.hybrid import registry
from dspex.hybrid.errors import BackendUnavailable


def test_a_native_only_module_type_cannot_be_built_on_dspy():
    with pytest.raises(BackendUnavailable) as caught:
        dspex.hybrid.module("pipeline", {"inputs": ["q"], "outputs": ["a"], "steps": []}, backend="dspy")
    error = caught.value
    assert (error.type_name, error.backend, error.available) == ("pipeline", "dspy", ["native"])
    assert str(error) == (
        "module type 'pipeline' cannot run on backend 'dspy'; available backends for 'pipeline': native"
    )


def test_a_dspy_only_optimizer_cannot_be_built_natively():
    with pytest.raises(BackendUnavailable, match="optimizer type 'gepa' cannot run on backend 'native'"):
        dspex.hybrid.optimizer("gepa", backend="native", metric=None)


def test_an_unknown_type_says_so():
    with pytest.raises(
        BackendUnavailable, match=r"'teleport'.*unknown type.*available backends for 'teleport': none"
    ):
        dspex.hybrid.module("teleport", "a -> b")


def test_a_native_module_without_a_dspy_version_cannot_be_sent_to_dspy(stub_lm):
    registry.unregister("predict", "dspy")
    try:
        with pytest.raises(BackendUnavailable, match=r"'predict' cannot run on backend 'dspy'.*: native$"):
            dspex.Predict("question -> answer")(question="q", lm=stub_lm, backend="dspy")
    finally:
        registry.register_dspy("predict", "dspy:Predict")


def test_a_type_override_to_an_impossible_backend_fails_before_any_request(openai_stub, stub_lm):
    dspex.configure(overrides={"predict": "dspy"})
    registry.unregister("predict", "dspy")
    try:
        with pytest.raises(BackendUnavailable):
            dspex.Predict("question -> answer")(question="q", lm=stub_lm)
    finally:
        registry.register_dspy("predict", "dspy:Predict")
    assert openai_stub.completion_requests() == []


def test_a_module_built_on_dspy_refuses_to_run_natively():
    pytest.importorskip("dspy")
    wrapped = dspex.hybrid.module("predict", "question -> answer", backend="dspy")
    with pytest.raises(BackendUnavailable, match="built on dspy"):
        wrapped(question="q", backend="native")


def test_without_dspy_installed_only_native_backends_are_offered(monkeypatch):
    monkeypatch.setattr(registry, "_dspy_installed", False)
    assert dspex.hybrid.capabilities()["optimizers"]["gepa"]["backends"] == []
    assert dspex.hybrid.capabilities()["modules"]["react"]["backends"] == ["native"]
    assert dspex.hybrid.capabilities()["modules"]["predict"]["backends"] == ["native"]
    with pytest.raises(BackendUnavailable, match=r"dspy is not installed; pip install 'dspex\[dspy\]'"):
        dspex.hybrid.module("react", "question -> answer", backend="dspy")
