"""``dspy.clients.base_lm``."""

from dspex.compat._names import unsupported
from dspex.lm.base import LM_CLASS_STATE_KEY, BaseLM

__getattr__ = unsupported(__name__)

__all__ = ["LM_CLASS_STATE_KEY", "BaseLM"]
