"""``dspy.teleprompt.knn_fewshot``."""

from dspex.compat._names import unsupported
from dspex.optimizers import KNNFewShot

__getattr__ = unsupported(__name__)

__all__ = ["KNNFewShot"]
