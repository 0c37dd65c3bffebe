"""``dspy.teleprompt.bootstrap``."""

from dspex.compat._names import unsupported
from dspex.optimizers import BootstrapFewShot

__getattr__ = unsupported(__name__)

__all__ = ["BootstrapFewShot"]
