"""``dspy.primitives.module``."""

from dspex.compat._names import unsupported
from dspex.primitives import Module
from dspex.primitives.module import set_attribute_by_name

__getattr__ = unsupported(__name__)

__all__ = ["Module", "set_attribute_by_name"]
