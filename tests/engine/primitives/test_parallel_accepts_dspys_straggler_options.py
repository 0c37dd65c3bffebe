"""Parallel and Module.batch take DSPy's straggler options (kept, not acted on)."""

from __future__ import annotations

import dspex


class Double(dspex.Module):
    def forward(self, x):
        return x * 2


def test_parallel_keeps_timeout_and_straggler_limit():
    assert (dspex.Parallel().timeout, dspex.Parallel().straggler_limit) == (120, 3)
    parallel = dspex.Parallel(timeout=0, straggler_limit=5)
    assert (parallel.timeout, parallel.straggler_limit) == (0, 5)


def test_batch_takes_the_same_options_and_the_traceback_flag():
    results, failed, errors = Double().batch(
        [{"x": 1}, {"x": "a"}, {"x": None}],
        timeout=0,
        straggler_limit=5,
        return_failed_examples=True,
        provide_traceback=True,
        max_errors=5,
    )
    assert results[:2] == [2, "aa"]
    assert failed == [{"x": None}] and isinstance(errors[0], TypeError)
