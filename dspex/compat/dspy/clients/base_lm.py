"""``dspy.clients.base_lm``."""

from dspex.compat._names import unsupported
from dspex.lm.base import LM_CLASS_STATE_KEY, BaseLM
from dspex.lm.history import GLOBAL_HISTORY, inspect_history

__getattr__ = unsupported(__name__)

__all__ = ["GLOBAL_HISTORY", "LM_CLASS_STATE_KEY", "BaseLM", "inspect_history"]
