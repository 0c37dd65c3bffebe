"""``dspy.utils.asyncify``."""

from dspex.compat._names import unsupported
from dspex.utils.asyncify import asyncify, get_limiter, run_async

__getattr__ = unsupported(__name__)

__all__ = ["asyncify", "get_limiter", "run_async"]
