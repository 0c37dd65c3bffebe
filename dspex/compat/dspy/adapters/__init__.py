"""``dspy.adapters``: mapped onto :mod:`dspex.adapters`."""

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter, TwoStepAdapter, XMLAdapter
from dspex.compat._names import unsupported
from dspex.compat.dspy.adapters import (
    base,
    chat_adapter,
    json_adapter,
    two_step_adapter,
    types,
    utils,
    xml_adapter,
)
from dspex.tools import Tool
from dspex.types import Audio, Code, File, History, Image, Reasoning, ToolCallResults, ToolCalls, Type

__getattr__ = unsupported(__name__)

__all__ = [
    "Adapter",
    "Audio",
    "ChatAdapter",
    "Code",
    "File",
    "History",
    "Image",
    "JSONAdapter",
    "Reasoning",
    "Tool",
    "ToolCallResults",
    "ToolCalls",
    "TwoStepAdapter",
    "Type",
    "XMLAdapter",
    "base",
    "chat_adapter",
    "json_adapter",
    "two_step_adapter",
    "types",
    "utils",
    "xml_adapter",
]
