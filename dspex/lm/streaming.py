"""Server-sent events: turn a byte stream of ``event:``/``data:`` lines into events."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent", "aiter_events"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its ``event:`` name (``None`` when absent) and joined ``data:``."""

    event: str | None
    data: str


class SSEDecoder:
    """Incremental decoder fed one line at a time (without the line terminator)."""

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, line: str) -> ServerSentEvent | None:
        """Consume a line; return the event it completes, if any."""
        if not line:
            if not self._data and self._event is None:
                return None
            event = ServerSentEvent(self._event, "\n".join(self._data))
            self._event, self._data = None, []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None

    def close(self) -> ServerSentEvent | None:
        """Dispatch a trailing event that was not followed by a blank line."""
        return self.feed("")


async def aiter_events(lines: AsyncIterable[str]) -> AsyncIterator[ServerSentEvent]:
    """Decode an async iterable of lines (e.g. ``response.aiter_lines()``) into events."""
    decoder = SSEDecoder()
    async for line in lines:
        event = decoder.feed(line.rstrip("\r\n"))
        if event is not None:
            yield event
    event = decoder.close()
    if event is not None:
        yield event
