"""A forked child (e.g. a Celery prefork worker) gets fresh clients and cache connections."""

from __future__ import annotations

import json
import os
import sys

import pytest

from dspex.lm import http
from dspex.lm.cache import get_cache

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="needs fork")

MESSAGES = [{"role": "user", "content": "ping"}]


def _in_child(fn) -> dict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            result = fn()
        except BaseException as exc:
            result = {"error": repr(exc)}
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_a_forked_child_builds_its_own_http_client_and_can_call(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    lm.request(MESSAGES)
    parent_client = http.sync_client()

    def child():
        fresh = http._sync is None
        response = lm.request([{"role": "user", "content": "from the child"}])
        get_cache().flush()
        return {
            "fresh": fresh,
            "new_client": http.sync_client() is not parent_client,
            "outputs": response.outputs,
            "warm_hit": lm.request(MESSAGES).cache_hit,
        }

    result = _in_child(child)

    assert result == {"fresh": True, "new_client": True, "outputs": ["stub response"], "warm_hit": True}
    assert [r.json["messages"][0]["content"] for r in openai_stub.requests] == ["ping", "from the child"]
    assert http.sync_client() is parent_client
    assert lm.request(MESSAGES).outputs == ["stub response"]
