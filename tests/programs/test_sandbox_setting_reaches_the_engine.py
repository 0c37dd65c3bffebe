"""DSPEX_SANDBOX_ALLOW_UNCONFINED (the operator's consent to the sandbox's weaker mode) reaches
the engine setting the ProgramOfThought sandbox reads when a program runs."""

from __future__ import annotations

import dspex
from dspex.settings import settings as engine_settings
from programs.gateway.running import run_module


class ReadsTheSetting(dspex.Module):
    def forward(self, **kwargs):
        return dspex.Prediction(allowed=engine_settings.get("sandbox_allow_unconfined"))


def test_it_is_off_unless_the_operator_sets_it(stub_lm):
    assert run_module(ReadsTheSetting(), stub_lm, {}).outputs == {"allowed": False}


def test_the_django_setting_turns_it_on_for_the_run(stub_lm, settings):
    settings.DSPEX_SANDBOX_ALLOW_UNCONFINED = True
    assert run_module(ReadsTheSetting(), stub_lm, {}).outputs == {"allowed": True}
    assert engine_settings.get("sandbox_allow_unconfined") is False  # only for the run


class ReadsStrictness(dspex.Module):
    def forward(self, **kwargs):
        return dspex.Prediction(strict=engine_settings.get("strict_inputs"))


def test_platform_runs_check_inputs_strictly_and_only_for_the_run(stub_lm):
    assert run_module(ReadsStrictness(), stub_lm, {}).outputs == {"strict": True}
    assert engine_settings.get("strict_inputs") is False  # the engine's (DSPy's) default
