"""``dspy.adapters.base``."""

from dspex.adapters import Adapter
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["Adapter"]
