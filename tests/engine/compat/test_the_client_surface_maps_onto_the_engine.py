"""dspy's client and utility names (cache, usage, callbacks, history, asyncify) are engine objects."""

from __future__ import annotations

from unittest import mock

import dspex.compat.dspy as dspy
from dspex import callbacks
from dspex.lm import history, request_cache, usage
from dspex.utils import asyncify


def test_the_names_are_the_engine_objects():
    assert dspy.utils.usage_tracker.track_usage is usage.track_usage is dspy.track_usage
    assert dspy.utils.callback.BaseCallback is callbacks.BaseCallback
    assert dspy.utils.callback_context._bind_active_call_id is callbacks.bind_active_call_id
    assert dspy.clients.cache.Cache is request_cache.Cache
    assert dspy.clients.base_lm.GLOBAL_HISTORY is history.GLOBAL_HISTORY
    assert dspy.inspect_history is history.inspect_history
    assert dspy.asyncify is asyncify.asyncify and dspy.syncify is asyncify.syncify
    assert dspy.configure_cache is request_cache.configure_cache


def test_dspy_cache_is_the_engines_current_cache_and_assigning_it_replaces_that(tmp_path):
    mine = request_cache.Cache(enable_disk_cache=False, enable_memory_cache=True, disk_cache_dir=None)
    before = dspy.cache
    assert before is request_cache.current_cache()

    dspy.cache = mine
    assert request_cache.current_cache() is mine
    dspy.cache = before
    assert request_cache.current_cache() is before

    with mock.patch("dspex.compat.dspy.cache", mine):
        assert request_cache.current_cache() is mine
    assert request_cache.current_cache() is before
