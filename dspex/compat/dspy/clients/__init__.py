"""``dspy.clients``: the LM, embedder and request cache, mapped onto :mod:`dspex.lm`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.clients import base_lm, cache, embedding, lm
from dspex.lm import LM, Embedder
from dspex.lm.base import BaseLM
from dspex.lm.history import inspect_history
from dspex.lm.request_cache import Cache, configure_cache

_get_dspy_cache = Cache.from_environment

__getattr__ = unsupported(__name__)

__all__ = [
    "LM",
    "BaseLM",
    "Cache",
    "Embedder",
    "base_lm",
    "cache",
    "configure_cache",
    "embedding",
    "inspect_history",
    "lm",
]
