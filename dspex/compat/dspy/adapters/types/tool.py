"""``dspy.adapters.types.tool``: dspy's ``Tool`` is :class:`dspex.tools.Tool`."""

from dspex.compat._names import unsupported
from dspex.tools import Tool
from dspex.types.tool_calls import ToolCallResults, ToolCalls

__getattr__ = unsupported(__name__)

__all__ = [
    "Tool",
    "ToolCallResults",
    "ToolCalls",
]
