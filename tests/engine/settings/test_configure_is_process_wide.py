"""``configure()`` sets defaults every thread and task sees; ``context()`` overrides win over them."""

from __future__ import annotations

import asyncio
import threading

import dspex
from dspex.settings import settings


def in_new_thread(fn):
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn()))
    thread.start()
    thread.join()
    return box["value"]


def test_a_configured_value_is_seen_by_threads_started_later():
    dspex.configure(backend="native")

    assert in_new_thread(lambda: settings.backend) == "native"


def test_a_value_configured_in_a_worker_thread_is_seen_by_the_main_thread():
    in_new_thread(lambda: dspex.configure(max_errors=3))

    assert settings.max_errors == 3


def test_a_context_override_wins_over_the_configured_value_and_ends_with_the_block():
    dspex.configure(backend="native")

    with dspex.context(backend="dspy"):
        assert settings.backend == "dspy"
        dspex.configure(backend="auto")  # changes the default, not the override
        assert settings.backend == "dspy"

    assert settings.backend == "auto"


def test_nested_contexts_restore_the_outer_values_even_after_an_error():
    with dspex.context(backend="dspy", max_errors=1):
        try:
            with dspex.context(backend="native"):
                assert (settings.backend, settings.max_errors) == ("native", 1)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert settings.backend == "dspy"

    assert settings.snapshot()["backend"] == "auto"


async def test_a_configured_value_is_seen_by_tasks():
    dspex.configure(max_errors=7)

    async def read():
        return settings.max_errors

    assert await asyncio.create_task(read()) == 7
