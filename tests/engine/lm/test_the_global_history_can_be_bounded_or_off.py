"""The process-wide LM history (DSPy's ``GLOBAL_HISTORY``) keeps the last N calls, or none: a
server running many users' programs turns it off (``DSPEX_GLOBAL_LM_HISTORY=0``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dspex.lm import history


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    saved, size = list(history.GLOBAL_HISTORY), history._global_size
    yield
    history.set_global_history_size(size)
    history.GLOBAL_HISTORY[:] = saved


def test_size_zero_keeps_nothing_and_clears_what_was_kept() -> None:
    history.record_global({"n": 1})
    history.set_global_history_size(0)
    assert history.GLOBAL_HISTORY == []
    history.record_global({"n": 2})
    assert history.GLOBAL_HISTORY == []


def test_a_size_keeps_the_newest_calls() -> None:
    history.set_global_history_size(3)
    for n in range(3 + 1000 + 1):
        history.record_global({"n": n})
    assert [e["n"] for e in history.GLOBAL_HISTORY] == [1001, 1002, 1003]
    with pytest.raises(ValueError):
        history.set_global_history_size(-1)
