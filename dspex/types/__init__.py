"""Custom field types: values that format themselves into message content parts (images,
files, audio, documents), conversation history, tool calls, code and reasoning."""

from dspex.types.audio import Audio
from dspex.types.base import Type
from dspex.types.citations import Citations, Document
from dspex.types.code import Code
from dspex.types.file import File
from dspex.types.history import History
from dspex.types.image import Image
from dspex.types.reasoning import Reasoning
from dspex.types.tool_calls import ToolCallResults, ToolCalls

__all__ = [
    "Audio",
    "Citations",
    "Code",
    "Document",
    "File",
    "History",
    "Image",
    "Reasoning",
    "ToolCallResults",
    "ToolCalls",
    "Type",
]
