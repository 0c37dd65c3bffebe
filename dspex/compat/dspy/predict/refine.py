"""``dspy.predict.refine``."""

from dspex.compat._names import unsupported
from dspex.modules import Refine

__getattr__ = unsupported(__name__)

__all__ = ["Refine"]
