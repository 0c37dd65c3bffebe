"""``dspy.utils.syncify``."""

from dspex.compat._names import unsupported
from dspex.utils.asyncify import run_async, syncify

__getattr__ = unsupported(__name__)

__all__ = ["run_async", "syncify"]
