"""``dspy.utils.callback``."""

from dspex.callbacks import ACTIVE_CALL_ID, BaseCallback, with_callbacks
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["ACTIVE_CALL_ID", "BaseCallback", "with_callbacks"]
