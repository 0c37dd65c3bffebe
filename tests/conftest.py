"""Shared fixtures: every test starts from default dspex settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# dspy/litellm must never reach the network or write to the user's home directory.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", str(Path(__file__).resolve().parent.parent / ".cache" / "dspy"))

pytest_plugins = ["tests.stubs.fixtures", "tests.platform_fixtures"]


@pytest.fixture(autouse=True)
def reset_dspex_settings():
    from dspex.callbacks import disable_callbacks
    from dspex.primitives import usage_hook
    from dspex.settings import settings

    settings.reset()
    yield
    settings.reset()
    # Callbacks and track_usage put hooks on every module call once used: take them off again.
    disable_callbacks()
    usage_hook.uninstall()
