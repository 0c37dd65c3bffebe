"""The Module API, adapter and logger names DSPy tests import, mapped onto the engine objects."""

from __future__ import annotations

import logging
from unittest import mock

import dspex
import dspex.compat.dspy as dspy
from dspex.adapters.xml_adapter import FieldInfoWithName
from dspex.primitives import module as engine_module
from dspex.primitives import saving as engine_saving
from dspex.settings import load_settings


def test_the_adapters_are_the_engine_adapters():
    assert dspy.XMLAdapter is dspex.XMLAdapter
    assert dspy.adapters.xml_adapter.XMLAdapter is dspex.XMLAdapter
    assert dspy.TwoStepAdapter is dspex.TwoStepAdapter
    assert dspy.adapters.two_step_adapter.TwoStepAdapter is dspex.TwoStepAdapter
    assert dspy.adapters.chat_adapter.FieldInfoWithName is FieldInfoWithName


def test_the_module_helpers_and_loaders_are_the_engine_functions():
    assert dspy.primitives.module.set_attribute_by_name is engine_module.set_attribute_by_name
    assert dspy.load is engine_saving.load
    assert dspy.utils.saving.load is engine_saving.load
    assert dspy.load_settings is load_settings


def test_a_patched_dspy_logger_sees_the_engines_warnings():
    assert dspy.predict.predict.logger is logging.getLogger("dspex.modules.predict")
    assert dspy.primitives.base_module.logger is logging.getLogger("dspex.primitives.module")
    assert dspy.utils.saving.logger is logging.getLogger("dspex.primitives.saving")
    state = dspex.Predict("q -> a").dump_state()
    state["lm"] = {"model": "openai/gpt-4o-mini", "api_base": "http://elsewhere.invalid"}

    with mock.patch("dspex.compat.dspy.predict.predict.logger.warning") as warning:
        dspy.Predict("q -> a").load_state(state)

    warning.assert_called_once()
    assert warning.call_args.args[1] == ["api_base"]
