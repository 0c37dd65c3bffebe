"""How often a long run writes its progress to its row.

A run over 20 examples can write after every one; a run over 50,000 must not (50,000 updates of
one row). :class:`ProgressThrottle` says when a write is due: once ``fraction`` of the total has
finished since the last write, or ``interval`` seconds have passed with something new, and always
for the last item. Shared by the long runs (evaluations, experiments); it touches no database.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["ProgressThrottle"]


class ProgressThrottle:
    """``throttle.due(pending, done)``: whether ``pending`` unwritten items (``done`` finished in
    all) should be written now; call ``throttle.written()`` after writing them.

    ``fraction=0.01`` and ``interval=1.0``: at most about 100 writes for the items themselves,
    plus one a second while items keep finishing.
    """

    def __init__(
        self,
        total: int,
        *,
        fraction: float = 0.01,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.total = max(int(total), 0)
        self.step = max(1, math.ceil(self.total * fraction))
        self.interval = interval
        self.clock = clock
        self.last_write = clock()

    def due(self, pending: int, done: int | None = None) -> bool:
        if pending <= 0:
            return False
        if pending >= self.step:
            return True
        if done is not None and done >= self.total:
            return True
        return self.clock() - self.last_write >= self.interval

    def written(self) -> None:
        self.last_write = self.clock()
