"""``dspy.adapters.types.history``."""

from dspex.compat._names import unsupported
from dspex.types.history import History

__getattr__ = unsupported(__name__)

__all__ = [
    "History",
]
