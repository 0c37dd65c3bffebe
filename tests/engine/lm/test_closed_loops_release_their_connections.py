"""``asyncio.run`` per call (a Celery task, a script) does not pile up clients and sockets: the
client of a closed loop is let go when the next loop needs one."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

from dspex.lm import http

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_a_new_event_loop_per_call_keeps_one_client_and_few_connections(openai_stub, make_stub_lm):
    lm = make_stub_lm()
    asyncio.run(lm.arequest("warm up"))
    gc.collect()
    time.sleep(0.05)
    before = len(openai_stub._connections)

    for i in range(20):
        assert asyncio.run(lm.arequest(f"call {i}")).outputs == ["stub response"]
    gc.collect()
    time.sleep(0.05)

    assert len(http._async) == 1  # only the last loop's client is left
    assert len(openai_stub._connections) <= before + 1
