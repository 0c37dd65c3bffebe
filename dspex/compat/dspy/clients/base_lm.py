"""``dspy.clients.base_lm``."""

from dspex.compat._names import unsupported
from dspex.lm.base import BaseLM

__getattr__ = unsupported(__name__)

__all__ = ["BaseLM"]
