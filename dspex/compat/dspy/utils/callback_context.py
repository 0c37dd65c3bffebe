"""``dspy.utils.callback_context``."""

from dspex.callbacks import ACTIVE_CALL_ID, bind_active_call_id
from dspex.compat._names import unsupported

_bind_active_call_id = bind_active_call_id

__getattr__ = unsupported(__name__)

__all__ = ["ACTIVE_CALL_ID"]
