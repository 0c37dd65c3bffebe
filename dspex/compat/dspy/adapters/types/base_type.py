"""``dspy.adapters.types.base_type``."""

from dspex.compat._names import unsupported
from dspex.types.base import CUSTOM_TYPE_END, CUSTOM_TYPE_START, Type

CUSTOM_TYPE_START_IDENTIFIER = CUSTOM_TYPE_START
CUSTOM_TYPE_END_IDENTIFIER = CUSTOM_TYPE_END

__getattr__ = unsupported(__name__)

__all__ = [
    "CUSTOM_TYPE_END_IDENTIFIER",
    "CUSTOM_TYPE_START_IDENTIFIER",
    "Type",
]
