"""``dspy.adapters``: mapped onto :mod:`dspex.adapters`."""

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter, XMLAdapter
from dspex.compat._names import unsupported
from dspex.compat.dspy.adapters import base, chat_adapter, json_adapter, utils, xml_adapter

__getattr__ = unsupported(__name__)

__all__ = [
    "Adapter",
    "ChatAdapter",
    "JSONAdapter",
    "XMLAdapter",
    "base",
    "chat_adapter",
    "json_adapter",
    "utils",
    "xml_adapter",
]
