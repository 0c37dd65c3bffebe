"""``dspy.adapters``: mapped onto :mod:`dspex.adapters`."""

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["Adapter", "ChatAdapter", "JSONAdapter"]
