"""The platform refuses the same connection settings as the engine (it keeps its own copy so that
the validators import nothing from the engine)."""

from __future__ import annotations

import dspex
from programs.validators import CONNECTION_KEYS, LM_PARAMS


def test_the_platform_and_the_engine_refuse_the_same_connection_settings():
    assert CONNECTION_KEYS == dspex.lm.CONNECTION_KEYS


def test_no_allowed_parameter_is_a_connection_setting():
    assert not LM_PARAMS & CONNECTION_KEYS
