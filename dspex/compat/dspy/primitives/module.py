"""``dspy.primitives.module``."""

from dspex.compat._names import unsupported
from dspex.primitives import Module

__getattr__ = unsupported(__name__)

__all__ = ["Module"]
