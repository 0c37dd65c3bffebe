"""``dspy.teleprompt.ensemble``."""

from dspex.compat._names import unsupported
from dspex.optimizers import Ensemble

__getattr__ = unsupported(__name__)

__all__ = ["Ensemble"]
