"""``dspy.teleprompt.signature_opt``."""

from dspex.compat._names import unsupported
from dspex.optimizers import COPRO

__getattr__ = unsupported(__name__)

__all__ = ["COPRO"]
