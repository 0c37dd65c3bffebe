"""``dspy.predict.predict``."""

from dspex.compat._names import unsupported
from dspex.modules import Predict

__getattr__ = unsupported(__name__)

__all__ = ["Predict"]
