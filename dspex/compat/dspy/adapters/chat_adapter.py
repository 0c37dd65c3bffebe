"""``dspy.adapters.chat_adapter``."""

from dspex.adapters import ChatAdapter
from dspex.adapters.xml_adapter import FieldInfoWithName
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["ChatAdapter", "FieldInfoWithName"]
