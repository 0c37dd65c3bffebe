"""``dspy.predict.best_of_n``."""

from dspex.compat._names import unsupported
from dspex.modules import BestOfN

__getattr__ = unsupported(__name__)

__all__ = ["BestOfN"]
