"""``dspy.clients.cache``: the request cache, mapped onto :mod:`dspex.lm.request_cache`."""

from dspex.compat._names import unsupported
from dspex.lm.request_cache import Cache, request_cache

__getattr__ = unsupported(__name__)

__all__ = ["Cache", "request_cache"]
