"""``dspy.clients.lm``."""

from dspex.compat._names import unsupported
from dspex.lm import LM

__getattr__ = unsupported(__name__)

__all__ = ["LM"]
