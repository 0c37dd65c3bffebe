"""``dspy.adapters.types``: mapped onto :mod:`dspex.types` (and :class:`dspex.tools.Tool`)."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.adapters.types import (
    audio,
    base_type,
    citation,
    code,
    document,
    file,
    history,
    image,
    reasoning,
    tool,
)
from dspex.tools import Tool
from dspex.types import Audio, Code, File, History, Image, Reasoning, ToolCallResults, ToolCalls, Type

__getattr__ = unsupported(__name__)

__all__ = [
    "Audio",
    "Code",
    "File",
    "History",
    "Image",
    "Reasoning",
    "Tool",
    "ToolCallResults",
    "ToolCalls",
    "Type",
    "audio",
    "base_type",
    "citation",
    "code",
    "document",
    "file",
    "history",
    "image",
    "reasoning",
    "tool",
]
