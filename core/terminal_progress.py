"""A small progress bar for management commands, on stderr.

On a terminal it redraws one line (``\\r[########........] 12/50 3.1s``); elsewhere (a pipe, a
log file, ``call_command`` with a StringIO) it stays quiet and prints only a final line.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

__all__ = ["Progress"]

_CLEAR = "\r\033[K"


def _raw(stream: Any) -> TextIO:
    """The underlying text stream of a Django ``OutputWrapper`` (or the stream itself)."""
    raw: TextIO = getattr(stream, "_out", stream)
    return raw


class Progress:
    """``with Progress(total, stream=self.stderr, label="executing") as bar: bar.advance()``.

    ``write(line, out)`` prints a line to ``out`` without garbling the bar. ``tty`` forces
    (or forbids) redrawing; by default it follows ``stream.isatty()``.
    """

    def __init__(
        self, total: int, *, stream: Any, label: str = "", width: int = 30, tty: bool | None = None
    ) -> None:
        self.total = max(int(total), 0)
        self.stream = _raw(stream)
        self.label = label
        self.width = width
        self.done = 0
        self.started = time.perf_counter()
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self._closed = False
        self._drawn_at = 0.0
        self._draw(force=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def line(self) -> str:
        filled = self.width if not self.total else self.width * min(self.done, self.total) // self.total
        bar = "#" * filled + "." * (self.width - filled)
        prefix = f"{self.label} " if self.label else ""
        return f"{prefix}[{bar}] {self.done}/{self.total} {self.elapsed:.1f}s"

    def _draw(self, force: bool = False) -> None:
        if not self.tty or self._closed:
            return
        now = time.perf_counter()
        if not force and now - self._drawn_at < 0.1 and self.done < self.total:
            return  # at most ten redraws a second
        self._drawn_at = now
        self.stream.write(_CLEAR + self.line())
        self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def update(self, done: int) -> None:
        """Set the count of finished items."""
        self.done = done
        self._draw()

    def report(self, done: int, total: int) -> None:
        """Set the count of finished items and the total as a run reports them (a total that
        was an estimate never falls below what is done); fits ``actions.run_here(report=...)``."""
        self.total = max(int(total), done)
        self.update(done)

    def write(self, text: str, out: Any) -> None:
        """Print ``text`` (a line) to ``out``, then redraw the bar below it."""
        if self.tty and not self._closed:
            self.stream.write(_CLEAR)
            self.stream.flush()
        raw = _raw(out)
        raw.write(text if text.endswith("\n") else text + "\n")
        raw.flush()
        self._draw(force=True)

    def close(self) -> None:
        """End the bar with a final line (the only output when not on a terminal)."""
        if self._closed:
            return
        if self.tty:
            self.stream.write(_CLEAR)
        self.stream.write(self.line() + "\n")
        self.stream.flush()
        self._closed = True
