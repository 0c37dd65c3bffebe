"""settings.watch tells a part when its setting is set; settings.copy() restores a configuration."""

from __future__ import annotations

import dspex
from dspex.settings import Settings


def test_a_watcher_sees_configure_and_context_values_of_its_key_only():
    settings = Settings()
    seen = []
    settings.watch("callbacks", seen.append)

    settings.configure(callbacks=["a"], lm=None)
    with settings.context(callbacks=["b"]):
        pass
    settings.configure(max_errors=1)

    assert seen == [["a"], ["b"]]


def test_copy_is_the_effective_configuration_and_configure_restores_it():
    dspex.settings.reset()
    saved = dspex.settings.copy()
    dspex.configure(max_errors=99)
    dspex.configure(**saved)
    assert dspex.settings.get("max_errors") == 10
    dspex.settings.reset()
