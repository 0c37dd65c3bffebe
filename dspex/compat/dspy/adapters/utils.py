"""``dspy.adapters.utils``."""

from dspex.adapters.parsing import parse_value
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["parse_value"]
