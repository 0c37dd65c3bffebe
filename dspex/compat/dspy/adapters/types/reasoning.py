"""``dspy.adapters.types.reasoning``."""

from dspex.compat._names import unsupported
from dspex.types.reasoning import Reasoning

__getattr__ = unsupported(__name__)

__all__ = [
    "Reasoning",
]
