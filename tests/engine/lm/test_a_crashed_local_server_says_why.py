"""A local model server that dies fails requests with LocalModelCrashed: signal, log, one restart."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from dspex.lm import LM, LocalModelCrashed, reset_breakers
from dspex.lm.local import server

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def crashing(tmp_path, monkeypatch):
    """Managed servers are the crashing stand-in; returns a function counting its events."""
    counter = tmp_path / "events"
    counter.write_text("")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("DSPEX_HOME", str(tmp_path))
    monkeypatch.setenv("CRASH_COUNTER", str(counter))
    monkeypatch.delenv("DSPEX_LOCAL_LM_BASE_URL", raising=False)
    monkeypatch.setattr(server, "ensure_model_file", lambda name: tmp_path / "model.gguf")
    monkeypatch.setattr(
        server.LocalServer,
        "command",
        lambda self: [sys.executable, "-m", "tests.stubs.crashing_llama_server", "--port", str(self.port)],
    )
    server.stop_server()
    reset_breakers()
    yield lambda event: counter.read_text().splitlines().count(event)
    server.stop_server()
    reset_breakers()


def _lm() -> LM:
    return LM("local/gemma-3-270m", cache=False, num_retries=3, timeout=20)


@pytest.mark.parametrize("signal_name", ["SIGSEGV", "SIGKILL"])
def test_a_request_in_flight_when_the_server_dies_names_the_signal_and_the_log(
    crashing, monkeypatch, signal_name
):
    monkeypatch.setenv("CRASH_MODE", f"request:{signal_name}")

    with pytest.raises(LocalModelCrashed) as caught:
        _lm().request("hello")

    error = caught.value
    assert error.signal_name == signal_name
    assert f"killed by {signal_name}" in str(error)
    assert error.log_path.endswith(".log") and error.log_path in str(error)
    assert "ggml_backend_amx_mul_mat" in error.log_tail
    assert "dspex doctor" in str(error)
    assert not error.final
    assert crashing("request") == 1  # the dead process was not retried


def test_the_server_is_restarted_once_then_every_request_fails_at_once(crashing, monkeypatch):
    monkeypatch.setenv("CRASH_MODE", "request:SIGSEGV")
    lm = _lm()

    with pytest.raises(LocalModelCrashed) as first:
        lm.request("one")
    with pytest.raises(LocalModelCrashed) as second:
        lm.request("two")  # goes to the restarted server, which crashes too
    later = []
    for prompt in ("three", "four", "five", "six", "seven", "eight"):
        with pytest.raises(LocalModelCrashed) as caught:
            lm.request(prompt)
        later.append(caught.value)

    assert not first.value.final
    assert second.value.final
    assert all(error.final and error.signal_name == "SIGSEGV" for error in later)
    assert "restarted once" in str(later[-1])
    assert "circuit breaker" not in str(later[-1])
    assert crashing("start") == 2  # exactly one restart
    assert crashing("request") == 2  # one per server: no retries, nothing after the final crash


def test_a_restarted_server_that_works_answers_the_next_request(crashing, monkeypatch):
    monkeypatch.setenv("CRASH_MODE", "request:SIGKILL")
    lm = _lm()
    with pytest.raises(LocalModelCrashed):
        lm.request("one")

    monkeypatch.setenv("CRASH_MODE", "ok")  # the restarted process inherits this

    assert lm.request("two").outputs == ["fine"]
    assert crashing("start") == 2


def test_a_server_that_exits_at_startup_is_tried_twice_with_its_exit_code_and_log(crashing, monkeypatch):
    monkeypatch.setenv("CRASH_MODE", "startup")
    lm = _lm()

    with pytest.raises(LocalModelCrashed) as caught:
        lm.request("hello")
    with pytest.raises(LocalModelCrashed):
        lm.request("again")

    error = caught.value
    assert error.final and error.returncode == 3 and error.signal_name is None
    assert "exited with code 3" in str(error)
    assert "error loading model" in error.log_tail
    assert crashing("start") == 2


async def test_async_requests_waiting_for_the_slot_get_the_same_error(crashing, monkeypatch):
    monkeypatch.setenv("CRASH_MODE", "request:SIGSEGV")
    lm = _lm()

    results = await asyncio.gather(*(lm.arequest(f"q{i}") for i in range(5)), return_exceptions=True)

    assert all(isinstance(result, LocalModelCrashed) for result in results), results
    assert crashing("request") <= 2
    assert crashing("start") <= 2


async def test_a_stream_cut_by_a_crash_fails_with_the_crash(crashing, monkeypatch):
    monkeypatch.setenv("CRASH_MODE", "request:SIGSEGV")

    with pytest.raises(LocalModelCrashed) as caught:
        async for _ in _lm().astream("hello"):
            pass

    assert caught.value.signal_name == "SIGSEGV"
