"""``dspy.clients``: the LM and embedder, mapped onto :mod:`dspex.lm`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.clients import base_lm, embedding, lm
from dspex.lm import LM, Embedder
from dspex.lm.base import BaseLM

__getattr__ = unsupported(__name__)

__all__ = [
    "LM",
    "BaseLM",
    "Embedder",
    "base_lm",
    "embedding",
    "lm",
]
