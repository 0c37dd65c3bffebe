"""What a streamed execution yields besides the final Prediction."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StatusMessage", "StreamChunk"]


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """A piece of the text of output ``field`` of ``predictor`` (its path in the program,
    e.g. ``"answer.predict"``), as it arrives from the LM."""

    predictor: str
    field: str
    chunk: str


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """Progress: ``"calling answer.predict"``, ``"step draft started"``, ...

    ``step`` names the pipeline step (its id, or its path when it has none) for step events.
    """

    text: str
    step: str | None = None
