"""``dspy.adapters``: mapped onto :mod:`dspex.adapters`."""

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter, TwoStepAdapter, XMLAdapter
from dspex.compat._names import unsupported
from dspex.compat.dspy.adapters import (
    base,
    chat_adapter,
    json_adapter,
    two_step_adapter,
    utils,
    xml_adapter,
)

__getattr__ = unsupported(__name__)

__all__ = [
    "Adapter",
    "ChatAdapter",
    "JSONAdapter",
    "TwoStepAdapter",
    "XMLAdapter",
    "base",
    "chat_adapter",
    "json_adapter",
    "two_step_adapter",
    "utils",
    "xml_adapter",
]
