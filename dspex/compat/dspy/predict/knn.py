"""``dspy.predict.knn``."""

from dspex.compat._names import unsupported
from dspex.optimizers import KNN

__getattr__ = unsupported(__name__)

__all__ = ["KNN"]
