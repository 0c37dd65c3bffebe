"""``dspy.adapters.types.code``."""

from dspex.compat._names import unsupported
from dspex.types.code import Code

__getattr__ = unsupported(__name__)

__all__ = [
    "Code",
]
