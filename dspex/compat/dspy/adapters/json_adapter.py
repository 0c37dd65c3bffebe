"""``dspy.adapters.json_adapter``."""

from dspex.adapters import JSONAdapter
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["JSONAdapter"]
