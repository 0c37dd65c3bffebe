"""Module types are registered by name in one line and looked up by name."""

from __future__ import annotations

import pytest

import dspex
from dspex.modules import (
    UnknownModuleError,
    get_module,
    get_module_type,
    module_names,
    register_module,
    unregister_module,
)


def test_predict_and_chain_of_thought_are_registered():
    assert get_module("predict") is dspex.Predict
    assert get_module("chain_of_thought") is dspex.ChainOfThought
    assert get_module_type("chain_of_thought").extra_outputs == ("reasoning",)
    assert {"predict", "chain_of_thought"} <= set(module_names())


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownModuleError, match=r"unknown module type 'nope' \(known: .*chain_of_thought"):
        get_module("nope")


def test_registering_takes_one_line_and_can_be_undone():
    class Echo(dspex.Module):
        def __init__(self, signature):
            self.signature = dspex.ensure_signature(signature)

    register_module("echo_test", Echo, takes_tools=True)
    try:
        assert get_module("echo_test") is Echo and get_module_type("echo_test").takes_tools
        register_module("echo_test", Echo)  # the same factory again is fine
        with pytest.raises(ValueError, match="already registered"):
            register_module("echo_test", dspex.Predict)
        register_module("echo_test", dspex.Predict, replace=True)
        assert get_module("echo_test") is dspex.Predict
    finally:
        unregister_module("echo_test")
    assert "echo_test" not in module_names()


@pytest.mark.parametrize("name", ["ChainOfThought", "best-of-n", "", "1st"])
def test_names_are_snake_case(name):
    with pytest.raises(ValueError, match="snake_case"):
        register_module(name, dspex.Predict)
