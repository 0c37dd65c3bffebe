"""``dspy.clients.embedding``."""

from dspex.compat._names import unsupported
from dspex.lm import Embedder

__getattr__ = unsupported(__name__)

__all__ = ["Embedder"]
