"""Recording an attempt is a queue append (it happens on every routed call); the statistics still
count every attempt from every thread, in order, whenever they are read."""

from __future__ import annotations

import threading

import dspex
from dspex.hybrid import telemetry


def test_attempts_recorded_from_many_threads_are_all_counted():
    def work(errors: bool) -> None:
        for index in range(300):  # more than one fold's worth per thread
            telemetry.record("call", "predict", "native", float(index), not (errors and index % 3 == 0))

    threads = [threading.Thread(target=work, args=(n % 2 == 0,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    native = dspex.hybrid.stats()["types"]["call"]["predict"]["native"]
    assert native["count"] == 8 * 300
    assert native["errors"] == 4 * 100


def test_the_window_holds_the_latest_attempts_in_order():
    dspex.hybrid.configure_stats(window=3)
    try:
        for latency in (1.0, 2.0, 3.0, 4.0, 5.0):
            telemetry.record("call", "predict", "dspy", latency, True)
        window = telemetry.window_of("predict", "dspy")
        assert (window["count"], window["window_count"], window["p50_ms"]) == (5, 3, 4.0)
    finally:
        dspex.hybrid.configure_stats()


def test_reset_forgets_attempts_not_yet_counted():
    telemetry.record("call", "predict", "native", 1.0, True)
    dspex.hybrid.reset_stats()
    assert dspex.hybrid.stats()["types"] == {}
