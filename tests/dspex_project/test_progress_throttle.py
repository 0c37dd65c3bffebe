"""``ProgressThrottle``: a write per ``fraction`` of the total, per ``interval``, and for the last item."""

from __future__ import annotations

import pytest

from core.progress import ProgressThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_it_is_due_every_step_of_the_total():
    throttle = ProgressThrottle(1000, fraction=0.01, interval=60, clock=Clock())
    assert throttle.step == 10
    assert not throttle.due(9, 9)
    assert throttle.due(10, 10)


def test_it_is_due_after_the_interval_when_something_is_pending():
    clock = Clock()
    throttle = ProgressThrottle(1000, interval=1.0, clock=clock)
    clock.now = 1.5
    assert not throttle.due(0, 0)
    assert throttle.due(1, 1)
    throttle.written()
    assert not throttle.due(1, 2)


def test_the_last_item_is_always_due():
    throttle = ProgressThrottle(1000, interval=60, clock=Clock())
    assert throttle.due(1, 1000)


def test_small_totals_write_every_item():
    assert ProgressThrottle(20).step == 1
    assert ProgressThrottle(0).step == 1


@pytest.mark.parametrize("fraction", [0, 1.5])
def test_it_rejects_a_fraction_outside_zero_one(fraction):
    with pytest.raises(ValueError, match="fraction"):
        ProgressThrottle(10, fraction=fraction)
