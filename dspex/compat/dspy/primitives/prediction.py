"""``dspy.primitives.prediction``."""

from dspex.compat._names import unsupported
from dspex.primitives import Completions, Prediction

__getattr__ = unsupported(__name__)

__all__ = ["Completions", "Prediction"]
