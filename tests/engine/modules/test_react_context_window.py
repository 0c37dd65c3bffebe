"""ReAct when the context window overflows: truncation retries, DSPy's names and messages."""

from __future__ import annotations

from typing import Any

import pytest

import dspex
from dspex.lm.errors import ContextWindowExceededError


def echo(text: str) -> str:
    """Echo the text."""
    return text


def four_turns() -> dict[str, Any]:
    trajectory: dict[str, Any] = {}
    for i in range(4):
        trajectory.update(
            {f"thought_{i}": f"t{i}", f"tool_name_{i}": "echo", f"tool_args_{i}": {}, f"observation_{i}": i}
        )
    return trajectory


def test_a_context_window_error_needs_no_message():
    error = ContextWindowExceededError()

    assert "context window" in str(error)
    assert ContextWindowExceededError(message="too long", model="m").model == "m"


def test_three_truncations_then_the_error_says_so_with_the_last_overflow_as_cause():
    react = dspex.ReAct("question -> answer", tools=[echo])
    seen: list[int] = []

    def always_too_long(**kwargs: Any) -> Any:
        seen.append(kwargs["trajectory"].count("[[ ## thought_"))
        raise ContextWindowExceededError()

    with pytest.raises(ContextWindowExceededError, match="even after 3 attempts") as info:
        react._call_with_potential_trajectory_truncation(always_too_long, four_turns(), question="q")

    assert isinstance(info.value.__cause__, ContextWindowExceededError)
    assert seen == [4, 3, 2]  # one turn dropped before each retry


def test_a_call_that_fits_after_truncating_returns_its_prediction():
    react = dspex.ReAct("question -> answer", tools=[echo])
    attempts = []

    def fits_second_time(**kwargs: Any) -> Any:
        attempts.append(kwargs)
        if len(attempts) == 1:
            raise ContextWindowExceededError()
        return dspex.Prediction(answer="ok")

    assert (
        react._call_with_potential_trajectory_truncation(fits_second_time, four_turns(), question="q").answer
        == "ok"
    )
    assert attempts[1]["question"] == "q"


async def test_the_async_form_truncates_the_same_way():
    react = dspex.ReAct("question -> answer", tools=[echo])

    class TooLong:
        async def acall(self, **kwargs: Any) -> Any:
            raise ContextWindowExceededError()

    with pytest.raises(ContextWindowExceededError, match="even after 3 attempts"):
        await react._async_call_with_potential_trajectory_truncation(TooLong(), four_turns(), question="q")
