"""Calling a Tool validates and coerces its arguments; async tools work in both call styles."""

from __future__ import annotations

import asyncio

import pytest

import dspex


def add(a: int, b: int = 1) -> int:
    """Add two integers."""
    return a + b


async def slow_double(x: float) -> float:
    """Double a number, eventually."""
    await asyncio.sleep(0)
    return 2 * x


def test_arguments_are_coerced_to_their_hinted_types():
    assert dspex.Tool(add)(a="2", b="40") == 42


def test_unknown_missing_and_mistyped_arguments_are_clear_errors():
    tool = dspex.Tool(add)
    with pytest.raises(dspex.ToolArgumentError, match=r"unknown argument\(s\) 'c'; it takes a, b"):
        tool(a=1, c=2)
    with pytest.raises(dspex.ToolArgumentError, match=r"missing required argument\(s\) 'a'"):
        tool(b=2)
    with pytest.raises(dspex.ToolArgumentError, match=r"argument 'a' of add must be int, got 'two'") as info:
        tool(a="two")
    assert info.value.argument == "a"


def test_a_tool_with_kwargs_accepts_extra_arguments():
    def collect(**options: str) -> dict:
        return options

    assert dspex.Tool(collect)(x="1", y="2") == {"x": "1", "y": "2"}


async def test_async_tools_are_awaited_and_sync_tools_run_in_acall():
    assert await dspex.Tool(slow_double).acall(x="1.5") == 3.0
    assert await dspex.Tool(add).acall(a=1) == 2


def test_an_async_tool_runs_to_completion_when_called_synchronously_outside_a_loop():
    assert dspex.Tool(slow_double)(x=2) == 4.0


async def test_an_async_tool_called_synchronously_inside_a_loop_says_to_use_acall():
    with pytest.raises(RuntimeError, match=r"await tool.acall"):
        dspex.Tool(slow_double)(x=2)
