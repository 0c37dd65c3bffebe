"""``dspy.adapters.xml_adapter``."""

from dspex.adapters.xml_adapter import XMLAdapter
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["XMLAdapter"]
