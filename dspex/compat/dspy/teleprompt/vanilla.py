"""``dspy.teleprompt.vanilla``."""

from dspex.compat._names import unsupported
from dspex.optimizers import LabeledFewShot

__getattr__ = unsupported(__name__)

__all__ = ["LabeledFewShot"]
